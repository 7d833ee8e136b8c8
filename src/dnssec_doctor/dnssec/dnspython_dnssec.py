"""dnspython's DNSSEC module, imported without the crypto library's deprecation noise.

``dns.dnssec`` imports dnspython's classes for every algorithm, DSA included, and
cryptography 51 deprecates DSA: the import alone prints a
``CryptographyDeprecationWarning`` that says nothing to a user of this tool (it is
about the library's future, not about their zone). The lab and the tests sign and
hash with ``dns.dnssec``; they import it from here, where that one warning is
silenced for the duration of the import only (every other warning still shows).
"""

from __future__ import annotations

import warnings

from cryptography.utils import CryptographyDeprecationWarning

with warnings.catch_warnings():
    warnings.simplefilter("ignore", CryptographyDeprecationWarning)
    from dns import dnssec, dnssecalgs

__all__ = ["dnssec", "dnssecalgs"]
