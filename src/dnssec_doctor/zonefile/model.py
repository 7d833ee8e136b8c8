"""What the zone-file reader produces: records in canonical wire form, with lines."""

from __future__ import annotations

from dataclasses import dataclass

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype


@dataclass(frozen=True, slots=True)
class Record:
    """One resource record as read from the file.

    ``rdata`` is the canonical wire form (RFC 4034 §6.2: names lower-cased in the
    types that require it), ready for signature checks and ZONEMD digests.
    """

    owner: dns.name.Name
    rdtype: int
    rdclass: int
    ttl: int
    rdata: bytes
    line: int

    def to_rdata(self) -> dns.rdata.Rdata:
        """The dnspython object for this record (for the rare types that need one)."""
        return dns.rdata.from_wire(
            dns.rdataclass.RdataClass.make(self.rdclass),
            dns.rdatatype.RdataType.make(self.rdtype),
            self.rdata,
            0,
            len(self.rdata),
        )
