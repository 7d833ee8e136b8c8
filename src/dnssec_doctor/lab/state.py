"""The lab's state directory: what is running, and where its trust anchors are.

Files in the directory (all written here):

- ``state.json``: the running lab (pid, backend, server addresses, root hints,
  trust anchors, scenarios, paths of the files below). Written by the process
  that serves the lab once it listens; its presence means "up".
- ``plan.json``: the plan the daemon serves (zones as master files).
- ``root-anchor.ds`` / ``root-anchor.dnskey``: the root trust anchor as DS / DNSKEY
  records in presentation format (for ``--trust-anchor FILE``, ``delv -a``).
- ``unbound-root.key``: the same DS records, for Unbound's ``trust-anchor-file``.
- ``bind-trust-anchors.conf``: a named.conf ``trust-anchors`` statement.
- ``root.hints``: root hints in named.root form (for BIND/Unbound, port 53 only).
- ``stale-root-anchor.ds``: a root DS of a key the lab never used (a resolver
  stuck on a rolled KSK), when the plan has one.
- ``daemon.log``: what the lab process said (kept after a failure).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.fileio import read_input_text, write_file
from dnssec_doctor.lab import anchors, realconf
from dnssec_doctor.lab.plan import LabPlan, LabServer, ScenarioInfo, ServedZone
from dnssec_doctor.limits import INPUT_LIMITS

STATE_FORMAT = "dnssec-doctor/lab-state"
PLAN_FORMAT = "dnssec-doctor/lab-plan"
VERSION = 1
STATE_FILE = "state.json"
PLAN_FILE = "plan.json"
LOG_FILE = "daemon.log"
ANCHOR_FILES = {
    "ds": "root-anchor.ds",
    "dnskey": "root-anchor.dnskey",
    "unbound": "unbound-root.key",
    "bind": "bind-trust-anchors.conf",
    "root_hints": "root.hints",
    "stale_ds": "stale-root-anchor.ds",
}
"""Kind → file name of the files written next to the state file."""


@dataclass(frozen=True, slots=True)
class StateServer:
    """One server as it runs: where it listens, what it serves, its faults."""

    hostname: str
    address: str
    zones: tuple[str, ...]
    faults: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LabState:
    """A running lab, as recorded in ``state.json``."""

    directory: str
    pid: int
    backend: str
    started_at: int
    built_at: int
    servers: tuple[StateServer, ...]
    root_hints: tuple[str, ...]
    trust_anchor_ds: tuple[str, ...]
    trust_anchor_dnskey: tuple[str, ...]
    scenarios: tuple[ScenarioInfo, ...] = ()
    files: dict[str, str] = field(default_factory=dict)
    """Kind (``ANCHOR_FILES`` keys) → absolute path."""
    extra: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The JSON form (``state.json``)."""
        data = asdict(self)
        return {"format": STATE_FORMAT, "version": VERSION, **data}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LabState:
        """Read the JSON form; DoctorError when it is not one."""
        if data.get("format") != STATE_FORMAT:
            raise DoctorError("not a dnssec-doctor lab state file")
        try:
            return cls(
                directory=str(data["directory"]),
                pid=int(data["pid"]),
                backend=str(data["backend"]),
                started_at=int(data["started_at"]),
                built_at=int(data["built_at"]),
                servers=tuple(
                    StateServer(
                        str(s["hostname"]),
                        str(s["address"]),
                        tuple(map(str, s["zones"])),
                        tuple(map(str, s["faults"])),
                    )
                    for s in data["servers"]
                ),
                root_hints=tuple(map(str, data["root_hints"])),
                trust_anchor_ds=tuple(map(str, data["trust_anchor_ds"])),
                trust_anchor_dnskey=tuple(map(str, data["trust_anchor_dnskey"])),
                scenarios=tuple(_scenario_from_json(s) for s in data.get("scenarios", [])),
                files={str(k): str(v) for k, v in data.get("files", {}).items()},
                extra={str(k): str(v) for k, v in data.get("extra", {}).items()},
            )
        except (KeyError, TypeError, ValueError) as error:
            raise DoctorError(f"damaged lab state file: {error!r}") from None


def state_for(
    directory: Path,
    plan: LabPlan,
    *,
    pid: int,
    backend: str,
    started_at: int,
    bound: Mapping[str, ServerAddress] | None = None,
) -> LabState:
    """The state of ``plan`` served by ``pid``; ``bound`` maps hostnames to the
    addresses actually bound when they differ from the plan (port 0)."""
    bound = bound or {}
    by_planned = {s.address: bound.get(s.hostname, s.address) for s in plan.servers}
    return LabState(
        directory=str(directory.resolve()),
        pid=pid,
        backend=backend,
        started_at=started_at,
        built_at=plan.built_at,
        servers=tuple(
            StateServer(
                s.hostname,
                str(bound.get(s.hostname, s.address)),
                tuple(z.origin for z in s.zones),
                s.faults,
            )
            for s in plan.servers
        ),
        root_hints=tuple(str(by_planned.get(a, a)) for a in plan.root_hints),
        trust_anchor_ds=plan.trust_anchor_ds,
        trust_anchor_dnskey=plan.trust_anchor_dnskey,
        scenarios=plan.scenarios,
        files={
            k: str((directory / name).resolve())
            for k, name in ANCHOR_FILES.items()
            if k != "stale_ds" or anchors.STALE_ROOT_DS in plan.extra
        },
        extra=dict(plan.extra),
    )


def _write_atomic(path: Path, text: str) -> None:
    """Write with the safe writer: readers never see half a file, links are not followed."""
    write_file(path, text.encode("utf-8"), what="lab file")


def _read_text(path: Path) -> str:
    """A lab file, read with the bounded reader."""
    return read_input_text(path, what="lab file", max_bytes=INPUT_LIMITS.capture_json_bytes)


def write_state(directory: Path, state: LabState) -> None:
    """Write ``state.json`` (atomically)."""
    _write_atomic(directory / STATE_FILE, json.dumps(state.as_json(), indent=2) + "\n")


def read_state(directory: Path) -> LabState | None:
    """The recorded state, or None when no lab was started here."""
    path = directory / STATE_FILE
    if not os.path.lexists(path):
        return None
    text = _read_text(path)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise DoctorError(f"damaged lab state file {path}") from None
    if not isinstance(data, dict):
        raise DoctorError(f"damaged lab state file {path}")
    return LabState.from_json(data)


def remove_state(directory: Path, *, keep_log: bool = True) -> None:
    """Remove every file this module writes (the log too unless ``keep_log``)."""
    names = [STATE_FILE, PLAN_FILE, *ANCHOR_FILES.values()]
    if not keep_log:
        names.append(LOG_FILE)
    for name in names:
        (directory / name).unlink(missing_ok=True)


def write_plan(directory: Path, plan: LabPlan) -> None:
    """Write ``plan.json`` for the daemon, and the trust anchor files."""
    _write_atomic(directory / PLAN_FILE, json.dumps(plan_as_json(plan)) + "\n")
    write_anchor_files(directory, plan)


def read_plan(directory: Path) -> LabPlan:
    """Read ``plan.json``; DoctorError when missing or damaged."""
    path = directory / PLAN_FILE
    text = _read_text(path)
    try:
        return plan_from_json(json.loads(text))
    except (KeyError, TypeError, ValueError, RecursionError) as error:
        raise DoctorError(f"cannot read lab plan {path}: {error!r}") from None


def plan_as_json(plan: LabPlan) -> dict[str, Any]:
    """A ``LabPlan`` as JSON data."""
    return {
        "format": PLAN_FORMAT,
        "version": VERSION,
        "servers": [
            {
                "hostname": s.hostname,
                "address": str(s.address),
                "zones": [{"origin": z.origin, "text": z.text} for z in s.zones],
                "faults": list(s.faults),
            }
            for s in plan.servers
        ],
        "root_hints": [str(a) for a in plan.root_hints],
        "trust_anchor_ds": list(plan.trust_anchor_ds),
        "trust_anchor_dnskey": list(plan.trust_anchor_dnskey),
        "scenarios": [asdict(s) for s in plan.scenarios],
        "built_at": plan.built_at,
        "extra": dict(plan.extra),
    }


def plan_from_json(data: Mapping[str, Any]) -> LabPlan:
    """The ``LabPlan`` from ``plan_as_json`` output."""
    if data.get("format") != PLAN_FORMAT:
        raise ValueError("not a dnssec-doctor lab plan")
    return LabPlan(
        servers=tuple(
            LabServer(
                hostname=str(s["hostname"]),
                address=ServerAddress.parse(str(s["address"])),
                zones=tuple(ServedZone(str(z["origin"]), str(z["text"])) for z in s["zones"]),
                faults=tuple(map(str, s["faults"])),
            )
            for s in data["servers"]
        ),
        root_hints=tuple(ServerAddress.parse(str(a)) for a in data["root_hints"]),
        trust_anchor_ds=tuple(map(str, data["trust_anchor_ds"])),
        trust_anchor_dnskey=tuple(map(str, data["trust_anchor_dnskey"])),
        scenarios=tuple(_scenario_from_json(s) for s in data["scenarios"]),
        built_at=int(data["built_at"]),
        extra={str(k): str(v) for k, v in data.get("extra", {}).items()},
    )


def _scenario_from_json(data: Mapping[str, Any]) -> ScenarioInfo:
    """Field by field from the dataclass, so fields added to ScenarioInfo round-trip."""
    values: dict[str, Any] = {}
    for f in fields(ScenarioInfo):
        if f.name not in data:
            continue
        value = data[f.name]
        kind = str(f.type)
        if kind.startswith("tuple[tuple"):  # pairs of codes (ScenarioInfo.consequences)
            values[f.name] = tuple(tuple(map(str, pair)) for pair in value)
        elif kind.startswith("tuple"):
            values[f.name] = tuple(map(str, value))
        elif kind == "bool":
            values[f.name] = bool(value)
        else:
            values[f.name] = str(value)
    return ScenarioInfo(**values)


def write_anchor_files(directory: Path, plan: LabPlan) -> None:
    """The root trust anchor in the forms tools read, and root hints."""
    files = {
        "ds": "".join(f"{line}\n" for line in plan.trust_anchor_ds),
        "dnskey": "".join(f"{line}\n" for line in plan.trust_anchor_dnskey),
        "unbound": anchors.unbound_trust_anchor_file(plan),
        "bind": anchors.bind_trust_anchors(plan),
        "root_hints": root_hints_file(plan),
    }
    if plan.extra.get(anchors.STALE_ROOT_DS):
        files["stale_ds"] = anchors.stale_root_anchor(plan)
    for kind, text in files.items():
        _write_atomic(directory / ANCHOR_FILES[kind], text)


def root_hints_file(plan: LabPlan) -> str:
    """Root hints in named.root form: the servers of ``.`` with their addresses.

    Empty for a plan without root hints (a single test zone, say).
    """
    return realconf.root_hints(realconf.root_servers(plan)) if plan.root_hints else ""
