"""Offline verification of zone files (the ``zone`` command).

- :mod:`.reader` — safe streaming reader (``$INCLUDE`` refused by default,
  bounded ``$GENERATE``, size/record limits, errors with line numbers).
- :mod:`.verify` — :func:`verify_zone`, the whole verification, returning a
  :class:`~dnssec_doctor.findings.Diagnosis`.
- the checks, one concept per module: :mod:`.nodecheck`, :mod:`.apex`, :mod:`.cds`,
  :mod:`.sigexpect`, :mod:`.sigverify` (parallel signature checks),
  :mod:`.nsecchain`, :mod:`.nsec3chain`, :mod:`.glue`, :mod:`.owners`,
  :mod:`.dsfile`, :mod:`.zonemd`.
"""
