"""Which problem code a failing RRSIG is reported under, by its verification status.

One table for the live check and the zone-file verifier, so a signature that fails
the same way gets the same code on both paths.
"""

from __future__ import annotations

from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.dnssec.signatures import SigStatus

STATUS_CODES: dict[SigStatus, Code] = {
    SigStatus.EXPIRED: Code.RRSIG_EXPIRED,
    SigStatus.NOT_YET_VALID: Code.RRSIG_NOT_YET_VALID,
    SigStatus.KEY_NOT_FOUND: Code.RRSIG_KEY_NOT_FOUND,
    SigStatus.CRYPTO_INVALID: Code.RRSIG_CRYPTO_INVALID,
    SigStatus.CANNOT_VERIFY_LOCALLY: Code.CANNOT_VERIFY_LOCALLY,
    SigStatus.SIGNER_NOT_ZONE: Code.RRSIG_SIGNER_NOT_APEX,
    SigStatus.LABELS_INVALID: Code.RRSIG_FIELDS_INVALID,
    SigStatus.TTL_ABOVE_ORIGINAL: Code.RRSIG_FIELDS_INVALID,
    SigStatus.TYPE_MISMATCH: Code.RRSIG_FIELDS_INVALID,
}
"""The catalog code for each failing status (live check and zone files alike)."""
