"""Offline verification of zone files (the ``zone`` command).

Reading (safe and fast; the reference path and the fast path give the same records):

- :mod:`.reader` — :class:`~.reader.ZoneReader`: ``$INCLUDE`` refused by default,
  bounded ``$GENERATE``, size/record limits, errors with line numbers.
- :mod:`.scan` — whole-block lexing, :mod:`.lexer` (the reference) as fallback.
- :mod:`.fastrows`, :mod:`.wire` — bytes tokens to canonical RDATA for the common
  types; :mod:`.rdata` (the reference, checked against dnspython) for the rest.
- :mod:`.namekey` — names as sortable byte keys; :mod:`.nodes` — records by owner.

Verifying: :mod:`.verify` — :func:`~.verify.verify_zone` streams the file node by
node. Per node: :mod:`.owners`, :mod:`.nodecheck`, :mod:`.apex`; signatures go to
worker processes (:mod:`.sigverify`); a few facts per name stay in a compact
table (:mod:`.facts`, :mod:`.table`). At the end, sweeps over the table in
canonical order: :mod:`.authority`, :mod:`.sigexpect`, :mod:`.nsecchain`,
:mod:`.nsec3chain`, :mod:`.glue`; and :mod:`.cds`, :mod:`.dsfile`, :mod:`.zonemd`,
:mod:`.sigfindings`. Findings go through :mod:`.emit` (bounded per code).
"""
