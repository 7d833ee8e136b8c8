"""What a user may ask the web UI and API to check, read the same way for both.

Lengths are capped before anything is parsed (the API's pydantic model caps them
too, and states them in the OpenAPI document); a name must be a DNS name, each
server an IP address with an optional port. Server addresses are NOT judged here:
the transport's address policy judges them at send time, like every server the
walk meets, so there is one place that decides and one message that says why.
"""

from __future__ import annotations

from collections.abc import Sequence

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.escape import terminal
from dnssec_doctor.names import parse_name
from dnssec_doctor.web.jobs import CheckInput

MAX_NAME = 1024
"""Characters of a name: 255 octets, each at most 4 characters (``\\DDD``) in text."""
MAX_SERVERS = 8
"""Addresses in ``ns`` or in ``resolvers``."""
MAX_ADDRESS = 64
"""Characters of one address (``[v6]:port`` fits well within)."""
MAX_DS = 8192
"""Characters of the DS text (a handful of DS or DNSKEY records, as pasted)."""


class InputError(ValueError):
    """A request that is not a check to run (HTTP 422 from the API, the form again)."""


def check_input(
    name: str, ns: Sequence[str] = (), ds: str = "", resolvers: Sequence[str] = ()
) -> CheckInput:
    """The request in canonical form; InputError saying what is wrong with it."""
    if not name.strip():
        raise InputError("a name is needed")
    if len(name) > MAX_NAME:
        raise InputError(f"the name is too long ({len(name)} characters)")
    try:
        canonical = parse_name(name.strip()).to_text()
    except DoctorError as exc:
        raise InputError(terminal(str(exc))) from None
    if len(ds) > MAX_DS:
        raise InputError(f"the DS text is too long ({len(ds)} characters; at most {MAX_DS})")
    return CheckInput(
        name=canonical,
        ns=_addresses("ns", ns),
        ds=ds.strip(),
        resolvers=_addresses("resolvers", resolvers),
    )


def _addresses(what: str, values: Sequence[str]) -> tuple[str, ...]:
    given = [v for v in values if v.strip()]
    if len(given) > MAX_SERVERS:
        raise InputError(f"too many {what} ({len(given)}; at most {MAX_SERVERS})")
    found: list[str] = []
    for value in given:
        if len(value) > MAX_ADDRESS:
            raise InputError(f"{what}: an address is too long ({len(value)} characters)")
        try:
            address = str(ServerAddress.parse(value))
        except DoctorError as exc:
            raise InputError(f"{what}: {terminal(str(exc))}") from None
        if address not in found:
            found.append(address)
    return tuple(found)


def split_addresses(text: str) -> list[str]:
    """Addresses typed in one form field, separated by spaces, commas or new lines."""
    return text.replace(",", " ").split()[: MAX_SERVERS + 1]
