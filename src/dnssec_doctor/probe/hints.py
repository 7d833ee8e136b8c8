"""Root hints from ``--root-hints``: ``ADDR[,ADDR…]`` or a file."""

from __future__ import annotations

from pathlib import Path

import dns.exception
import dns.rdatatype

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.probe.defaults import ROOT_SERVER_ADDRESSES

MAX_HINTS_FILE_BYTES = 1_000_000


def default_root_hints() -> list[ServerAddress]:
    """The IANA root servers."""
    return [ServerAddress.parse(a) for a in ROOT_SERVER_ADDRESSES]


def parse_root_hints(value: str) -> list[ServerAddress]:
    """Addresses from a comma list, or from a file of addresses or A/AAAA records."""
    path = Path(value)
    if "/" in value or path.exists():
        return _hints_from_file(path)
    return [ServerAddress.parse(part) for part in value.split(",") if part.strip()]


def _hints_from_file(path: Path) -> list[ServerAddress]:
    try:
        if path.stat().st_size > MAX_HINTS_FILE_BYTES:
            raise DoctorError(f"root hints file {path} is too large")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DoctorError(f"cannot read root hints file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise DoctorError(f"cannot read root hints file {path}: not UTF-8 text") from None
    lines = [ln.split(";", 1)[0].strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln]
    if lines and all(len(ln.split()) == 1 for ln in lines):
        return [ServerAddress.parse(ln) for ln in lines]
    # Imported only for a hints file in zone format: it costs start-up time otherwise.
    from dns.zone import from_text as zone_from_text

    try:
        zone = zone_from_text(text, origin=".", relativize=False, check_origin=False)
    except (dns.exception.DNSException, ValueError) as exc:
        raise DoctorError(f"invalid root hints file {path}: {exc}") from None
    found: list[ServerAddress] = []
    for _name, rdataset in zone.iterate_rdatasets():
        if rdataset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
            found.extend(ServerAddress.parse(r.to_text()) for r in rdataset)
    if not found:
        raise DoctorError(f"root hints file {path} holds no addresses")
    return found
