"""The DNSSEC delete request (RFC 8078 §4): ``CDS 0 0 0 00`` and ``CDNSKEY 0 3 0 AA==``.

A child asks its parent to remove the DS RRset by publishing a CDS or CDNSKEY
record with algorithm 0, with exactly those field values and nothing else in the
RRset: a parent ignores a delete record mixed with ordinary CDS/CDNSKEY records or
with other values. The child may publish the request as CDS, as CDNSKEY or as both
(RFC 7344 §4 lets it publish either RRset). The live check and the zone-file
verifier judge a request with this one rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from dnssec_doctor.dnssec.keys import AnyKey, DsLike

DELETE_ALGORITHM = 0


class CdsFields(DsLike, Protocol):
    """A CDS as dnspython or the zone reader holds it, as DS matching reads it."""

    def to_text(self) -> str: ...


@dataclass(frozen=True, slots=True)
class DeleteRequest:
    """What is wrong with a delete request; nothing when it is well-formed."""

    mixed: bool
    """Delete records next to ordinary CDS/CDNSKEY records."""
    bad_cds: tuple[CdsFields, ...]
    """Delete CDS records whose fields are not ``0 0 0 00``."""
    bad_cdnskey: tuple[AnyKey, ...]
    """Delete CDNSKEY records whose fields are not ``0 3 0 AA==``."""
    alone: str
    """``"CDS"`` or ``"CDNSKEY"`` when the request is made in only that form (legal, but a
    parent that reads the other form sees none), else empty."""

    @property
    def malformed(self) -> bool:
        """True when a parent would ignore the request."""
        return self.mixed or bool(self.bad_cds) or bool(self.bad_cdnskey)


def delete_request(cds: Sequence[CdsFields], cdnskey: Sequence[AnyKey]) -> DeleteRequest | None:
    """The delete request the two RRsets make, or None when neither holds one."""
    delete_cds = [r for r in cds if r.algorithm == DELETE_ALGORITHM]
    delete_keys = [r for r in cdnskey if r.algorithm == DELETE_ALGORITHM]
    if not delete_cds and not delete_keys:
        return None
    return DeleteRequest(
        mixed=len(delete_cds) + len(delete_keys) < len(cds) + len(cdnskey),
        bad_cds=tuple(
            r for r in delete_cds if (r.key_tag, r.digest_type, bytes(r.digest)) != (0, 0, b"\0")
        ),
        bad_cdnskey=tuple(
            r for r in delete_keys if (r.flags, r.protocol, bytes(r.key)) != (0, 3, b"\0")
        ),
        alone="" if delete_cds and delete_keys else ("CDS" if delete_cds else "CDNSKEY"),
    )
