"""Server addresses as users write them: ``ADDR``, ``ADDR:PORT``, ``[v6]:PORT``."""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass

from dnssec_doctor.errors import DoctorError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True, order=True)
class ServerAddress:
    """An IP address and port to send DNS queries to."""

    ip: str
    port: int = 53

    @property
    def address(self) -> IPAddress:
        """The parsed IP address."""
        return _parsed_ip(self.ip)

    @property
    def family_v6(self) -> bool:
        """True for IPv6."""
        return self.address.version == 6

    def __str__(self) -> str:
        if self.port == 53:
            return self.ip
        if self.family_v6:
            return f"[{self.ip}]:{self.port}"
        return f"{self.ip}:{self.port}"

    @classmethod
    def parse(cls, text: str, default_port: int = 53) -> ServerAddress:
        """Read ``ADDR``, ``ADDR:PORT`` or ``[v6]:PORT``; DoctorError when invalid."""
        raw = text.strip()
        host, port = raw, default_port
        if raw.startswith("["):
            end = raw.find("]")
            if end < 0:
                raise DoctorError(f"invalid server address {raw!r}: missing ']'")
            host, rest = raw[1:end], raw[end + 1 :]
            if rest:
                if not rest.startswith(":"):
                    raise DoctorError(f"invalid server address {raw!r}")
                port = _parse_port(raw, rest[1:])
        elif raw.count(":") == 1:
            host, port_text = raw.split(":")
            port = _parse_port(raw, port_text)
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            raise DoctorError(f"invalid server address {raw!r}: not an IP address") from None
        return cls(str(ip), port)


def _parse_port(raw: str, text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise DoctorError(f"invalid port in server address {raw!r}")
    return int(text)


@functools.lru_cache(maxsize=4096)
def _parsed_ip(text: str) -> IPAddress:
    # The transport reads the address of every query it sends (the address policy, the
    # socket family): a scan sends hundreds of thousands to a handful of servers.
    return ipaddress.ip_address(text)
