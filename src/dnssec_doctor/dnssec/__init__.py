"""Shared DNSSEC primitives: pure functions used by ``check`` and ``zone`` alike.

- :mod:`.algorithms` — algorithm/digest policy tables (RFC 9904 registry, RFC 9905,
  RFC 9276 NSEC3 guidance) as data.
- :mod:`.keys` — key tags, flags, key-length problems, DS computation and matching.
- :mod:`.signatures` — :func:`check_rrsig`, one RRSIG's verdict with its reason.
- :mod:`.canonical`, :mod:`.crypto`, :mod:`.sigtime` — the building blocks
  (canonical signed data, cached public keys, 32-bit serial time).
"""
