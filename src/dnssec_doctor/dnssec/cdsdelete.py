"""Which CDS/CDNSKEY forms a child publishes, and its DNSSEC delete request (RFC 8078 §4).

A child tells its parent the DS set it wants in two forms, CDS and CDNSKEY, and
may publish either or both (RFC 7344 §4): a parent reads the form it prefers,
some registries only CDS and others only CDNSKEY. One form alone is therefore
legal but reaches only the parents that read it; when both are published they
must describe the same keys (RFC 7344 §4; RFC 9975 §3.1 makes a key named in one
form and missing from the other an inconsistency the parent must not act on).

The delete request is ``CDS 0 0 0 00`` and ``CDNSKEY 0 3 0 AA==``, with exactly
those field values and nothing else in the RRset: a parent ignores a delete
record mixed with ordinary CDS/CDNSKEY records or with other values. Like any
request it may come as CDS, as CDNSKEY or as both.

The live check and the zone-file verifier judge both with these functions.
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


def lone_form(cds: Sequence[object], cdnskey: Sequence[object]) -> str:
    """``"CDS"`` or ``"CDNSKEY"`` when only that form is published, else empty.

    Not a defect (RFC 7344 §4, RFC 8078 §4): a parent that reads the other form
    sees no request, so it is worth knowing, never a reason to fail.
    """
    if bool(cds) == bool(cdnskey):
        return ""
    return "CDS" if cds else "CDNSKEY"


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
    parent that reads the other form sees none; :func:`lone_form`), else empty."""

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
        alone=lone_form(delete_cds, delete_keys),
    )


@dataclass(frozen=True, slots=True)
class LoneRequest:
    """A request (a DS set or a delete request) published in one form only."""

    published: str
    """``"CDS"`` or ``"CDNSKEY"``."""
    missing: str
    """The other form."""
    delete: bool
    """True when the request is a (well-formed) delete request."""


def lone_request(cds: Sequence[CdsFields], cdnskey: Sequence[AnyKey]) -> LoneRequest | None:
    """The request made in one form only, or None when both forms or neither are published.

    A malformed delete request gives None too: parents ignore it in any form, and
    the finding to act on is the malformed request.
    """
    published = lone_form(cds, cdnskey)
    if not published:
        return None
    request = delete_request(cds, cdnskey)
    if request is not None and request.malformed:
        return None
    missing = "CDNSKEY" if published == "CDS" else "CDS"
    return LoneRequest(published=published, missing=missing, delete=request is not None)
