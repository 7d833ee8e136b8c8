"""The capture: every exchange of one probe, saved as versioned JSON.

A capture replays to the same analysis input on any machine, so a bug report is
a file. Raw wire bytes are kept (base64) so the analysis sees exactly what the
server sent, malformed or not.
"""

from __future__ import annotations

import base64
import copy
import functools
import gzip
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import dns.exception
import dns.message

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.fileio import read_input, write_file
from dnssec_doctor.limits import INPUT_LIMITS, InputLimits
from dnssec_doctor.model.query import QuerySpec

CAPTURE_FORMAT = "dnssec-doctor/capture"
CAPTURE_VERSION = 1
NOT_IN_CAPTURE = "not in capture"
"""Error text of a replayed query the capture does not hold (outcome "budget": not sent)."""

Outcome = Literal[
    "response",  # a well-formed answer matching the query
    "timeout",  # nothing (acceptable) arrived in time
    "refused",  # connection refused (ICMP port unreachable / TCP RST on connect)
    "reset",  # TCP connection closed or reset before a full answer
    "malformed",  # bytes arrived but no acceptable answer could be parsed
    "error",  # another local socket error
    "budget",  # not sent: query budget or deadline exhausted
    "policy",  # not sent: the address policy refused the target
]
OUTCOMES: tuple[str, ...] = (
    "response",
    "timeout",
    "refused",
    "reset",
    "malformed",
    "error",
    "budget",
    "policy",
)
NOT_SENT = frozenset({"budget", "policy"})
"""Outcomes of queries that never left this machine."""


@dataclass(frozen=True, slots=True)
class Exchange:
    """One query to one server over one transport, and what came back.

    ``stray`` holds datagrams that arrived while waiting but were rejected
    (wrong ID, wrong question, unparseable): evidence for MALFORMED_RESPONSE.
    """

    server: str
    query: QuerySpec
    transport: Literal["udp", "tcp"]
    outcome: Outcome
    wire: bytes | None = None
    started: float = 0.0
    """Seconds since the probe began."""
    elapsed: float = 0.0
    error: str = ""
    stray: tuple[bytes, ...] = ()
    query_id: int = 0

    def message(self) -> dns.message.Message | None:
        """The parsed response, or None when there is none or it does not parse.

        Parsed once per distinct wire (the analysis reads each answer several
        times); callers must treat the message as read-only.
        """
        if self.wire is None:
            return None
        return parse_wire(self.wire)

    def as_json(self) -> dict[str, Any]:
        """The JSON form stored in captures."""
        data: dict[str, Any] = {
            "server": self.server,
            "query": self.query.as_json(),
            "transport": self.transport,
            "outcome": self.outcome,
            "started": round(self.started, 6),
            "elapsed": round(self.elapsed, 6),
            "query_id": self.query_id,
        }
        if self.wire is not None:
            data["wire"] = base64.b64encode(self.wire).decode("ascii")
        if self.error:
            data["error"] = self.error
        if self.stray:
            data["stray"] = [base64.b64encode(s).decode("ascii") for s in self.stray]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Exchange:
        """Read the JSON form stored in captures."""
        outcome = str(data["outcome"])
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        transport = str(data["transport"])
        if transport not in ("udp", "tcp"):
            raise ValueError(f"unknown transport {transport!r}")
        wire = data.get("wire")
        return cls(
            server=str(data["server"]),
            query=QuerySpec.from_json(data["query"]),
            transport=transport,  # type: ignore[arg-type]
            outcome=outcome,  # type: ignore[arg-type]
            wire=None if wire is None else base64.b64decode(str(wire), validate=True),
            started=float(data.get("started", 0.0)),
            elapsed=float(data.get("elapsed", 0.0)),
            error=str(data.get("error", "")),
            stray=tuple(base64.b64decode(str(s), validate=True) for s in data.get("stray", [])),
            query_id=int(data.get("query_id", 0)),
        )


@functools.lru_cache(maxsize=8192)
def parse_wire(wire: bytes) -> dns.message.Message | None:
    """A DNS message from wire bytes (cached: treat it as read-only), None when it won't parse."""
    if len(wire) < _ID_OCTETS:
        return None
    template = _parse_after_id(wire[_ID_OCTETS:])
    if template is None:
        return None
    message = copy.copy(template)  # shares the (read-only) sections, not the ID
    message.id = int.from_bytes(wire[:_ID_OCTETS], "big")
    return message


_ID_OCTETS = 2


@functools.lru_cache(maxsize=8192)
def _parse_after_id(rest: bytes) -> dns.message.Message | None:
    # Answers that differ only in their ID are parsed once: a check gets the same
    # answer from every server of a zone and at every rung of the size ladder, and
    # parsing is most of a probe's CPU time on a fast network (half of it, this way).
    try:
        return dns.message.from_wire(bytes(_ID_OCTETS) + rest, ignore_trailing=True)
    except (dns.exception.DNSException, ValueError, IndexError):
        return None


@dataclass(slots=True, repr=False)
class Capture:
    """Everything a probe asked and heard, plus the inputs needed to replay it."""

    name: str
    created: str
    """ISO 8601 time the probe ran (informational; analysis takes ``--at``)."""
    root_hints: list[str] = field(default_factory=list)
    trust_anchors: list[str] = field(default_factory=list)
    """Trust anchor records in presentation format."""
    ns_override: list[str] = field(default_factory=list)
    resolvers: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    seed: str = ""
    """Seed of the random labels used for denial-of-existence probes."""
    exchanges: list[Exchange] = field(default_factory=list)
    tool_version: str = ""
    limits: dict[str, float] = field(default_factory=dict)
    """The Limits the probe ran with (replay walks with the same bounds)."""

    def __repr__(self) -> str:
        # A summary: a capture holds every answer in full (asyncio itself formats this
        # repr when a probe's run ends, which with the generated repr cost milliseconds).
        return f"Capture({self.name!r}, {len(self.exchanges)} exchanges, created={self.created!r})"

    def as_json(self) -> dict[str, Any]:
        """The JSON document."""
        return {
            "format": CAPTURE_FORMAT,
            "version": CAPTURE_VERSION,
            "tool_version": self.tool_version,
            "name": self.name,
            "created": self.created,
            "root_hints": list(self.root_hints),
            "trust_anchors": list(self.trust_anchors),
            "ns_override": list(self.ns_override),
            "resolvers": list(self.resolvers),
            "types": list(self.types),
            "seed": self.seed,
            "limits": dict(self.limits),
            "exchanges": [e.as_json() for e in self.exchanges],
        }

    @classmethod
    def from_json(cls, data: Any) -> Capture:
        """Read a capture document; DoctorError when it is not one we understand."""
        if not isinstance(data, dict) or data.get("format") != CAPTURE_FORMAT:
            raise DoctorError("not a dnssec-doctor capture (missing or wrong 'format')")
        if data.get("version") != CAPTURE_VERSION:
            raise DoctorError(
                f"unsupported capture version {data.get('version')!r} "
                f"(this dnssec-doctor reads version {CAPTURE_VERSION})"
            )
        try:
            return cls(
                name=str(data["name"]),
                created=str(data.get("created", "")),
                root_hints=[str(x) for x in data.get("root_hints", [])],
                trust_anchors=[str(x) for x in data.get("trust_anchors", [])],
                ns_override=[str(x) for x in data.get("ns_override", [])],
                resolvers=[str(x) for x in data.get("resolvers", [])],
                types=[str(x) for x in data.get("types", [])],
                seed=str(data.get("seed", "")),
                exchanges=[Exchange.from_json(e) for e in data.get("exchanges", [])],
                tool_version=str(data.get("tool_version", "")),
                limits=_limits_from_json(data.get("limits", {})),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise DoctorError(f"malformed capture: {exc}") from None


def _limits_from_json(data: Any) -> dict[str, float]:
    """The probe's limits; each must be a finite number >= 0 (a replay walks with them)."""
    limits = {str(k): float(v) for k, v in dict(data).items()}
    for name, value in limits.items():
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"limit {name!r} is {value}, not a finite number >= 0")
    return limits


def capture_bytes(capture: Capture, *, gzipped: bool) -> bytes:
    """The file form of ``capture``: indented JSON, gzipped (reproducibly) when asked."""
    data = (json.dumps(capture.as_json(), indent=1) + "\n").encode("utf-8")
    return gzip.compress(data, mtime=0) if gzipped else data


def save_capture(capture: Capture, path: Path) -> None:
    """Write ``capture`` to ``path`` with the safe writer (gzipped when the name ends in
    ``.gz``; ``-`` is standard output); DoctorError when refused or failed."""
    data = capture_bytes(capture, gzipped=path.name.endswith(".gz"))
    write_file(path, data, what="capture", stdout_dash=True)


def load_capture(path: Path, limits: InputLimits = INPUT_LIMITS) -> Capture:
    """Read a capture file (plain or gzipped) within ``limits``; DoctorError with one
    clear line when it cannot be read."""
    raw = read_input(
        path,
        what="capture",
        max_bytes=limits.capture_file_bytes,
        gunzip_max_bytes=limits.capture_json_bytes,
    )
    return parse_capture(raw, str(path))


def parse_capture(raw: bytes, source: str) -> Capture:
    """A capture from the (decompressed) bytes of a file; DoctorError for anything else.

    Any input ends in a Capture or a DoctorError (the property and fuzz target).
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DoctorError(
            f"cannot read capture {source}: not UTF-8 JSON (or gzipped JSON)"
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DoctorError(f"cannot read capture {source}: invalid JSON ({exc.msg})") from None
    except RecursionError:
        raise DoctorError(f"cannot read capture {source}: JSON nested too deeply") from None
    except ValueError:  # Python refuses integers of more than 4,300 digits
        raise DoctorError(
            f"cannot read capture {source}: invalid JSON (a number of thousands of digits)"
        ) from None
    return Capture.from_json(data)
