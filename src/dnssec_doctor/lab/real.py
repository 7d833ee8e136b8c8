"""The real-server lab backend: BIND ``named`` authoritative, Unbound and BIND resolvers.

``start_real(plan, workdir)`` writes every zone copy of a ``LabPlan`` to disk,
starts one ``named`` that serves all authoritative addresses (one view per
address, so two addresses can serve different copies of one zone), then the
lab resolvers, each on its own address in ``<base>.255.0/24`` (``base``: the first two
octets every plan address shares, 127.78 for ``lab up``):

- ``validating``: Unbound with the lab's root DS as trust anchor;
- ``stale-anchor``: Unbound with a root DS of a key the lab never used, so
  every secure answer is bogus (a resolver stuck on a rolled-over KSK);
- ``non-validating``: Unbound with ``module-config: "iterator"``;
- ``bind-validating``: BIND ``named`` as a validating resolver (optional).

Faults: a ``refused`` server becomes a view that refuses every query, a
``timeout`` server an Unbound that drops every query (``RealLab.silent``);
faults only the embedded backend can inject leave their server out, listed
in ``RealLab.skipped``. Processes are started in their own session and recorded
in ``workdir/real-lab.json``, so ``stop_real(workdir)`` works from another
process (``lab down``) and a second ``start_real`` first stops the first. Labs
on different bases run side by side (a developer's ``lab up`` and the tests).
"""

from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.fileio import write_file
from dnssec_doctor.lab import anchors, loopback, realconf, realowner, realproc
from dnssec_doctor.lab.plan import LabPlan

RESOLVER_HOSTS: dict[str, str] = {
    "validating": "255.1",
    "stale-anchor": "255.2",
    "non-validating": "255.3",
    "bind-validating": "255.4",
}
"""The last two octets of each lab resolver's address (port 53), after the lab's base."""

STATE_FILE = "real-lab.json"
_NAMED_START_SECONDS = 30.0
_UNBOUND_START_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class RealResolver:
    """One running lab resolver."""

    role: str
    software: str
    """``unbound`` or ``named``."""
    address: ServerAddress
    validating: bool
    anchor_file: Path | None
    """The root DS lines it trusts (None when not validating)."""


@dataclass(frozen=True, slots=True)
class SkippedServer:
    """A plan server the real backend does not start, and why."""

    address: ServerAddress
    reason: str


@dataclass(frozen=True, slots=True)
class RealLab:
    """A running real-server lab; ``stop()`` ends it."""

    workdir: Path
    served: tuple[ServerAddress, ...]
    """Authoritative addresses answering with zone data."""
    refused: tuple[ServerAddress, ...]
    """Addresses answering every query with REFUSED."""
    skipped: tuple[SkippedServer, ...]
    resolvers: tuple[RealResolver, ...]
    hints_file: Path
    """Root hints (named.root format) naming the lab root servers."""
    anchor_file: Path
    """The lab's root DS records, one per line (Unbound ``trust-anchor-file`` form)."""
    bind_anchor_file: Path
    """The same anchors as a BIND ``trust-anchors`` statement (for ``delv -a``)."""
    stale_anchor_file: Path
    """A root DS of a key the lab never used."""
    load_errors: tuple[str, ...] = ()
    """named log lines about zone copies that did not load (empty when all did)."""
    silent: tuple[ServerAddress, ...] = ()
    """Lame servers: addresses that take every query and never answer."""

    def resolver(self, role: str) -> RealResolver:
        """The resolver with this role; KeyError when it was not started."""
        for r in self.resolvers:
            if r.role == role:
                return r
        raise KeyError(role)

    def stop(self) -> None:
        """Stop every process of this lab and remove its loopback addresses."""
        stop_real(self.workdir)


def _write(path: Path, text: str) -> None:
    """A file of the lab's work directory, written with the safe writer."""
    write_file(path, text.encode("utf-8"), what="lab file")


def start_real(
    plan: LabPlan, workdir: Path, *, bind_resolver: bool = True, wait_seconds: float = 0.0
) -> RealLab:
    """Start the plan's servers and the lab resolvers; DoctorError says why when it cannot.

    Needs root (port 53, addresses on ``lo``) and the Debian packages bind9 and
    unbound. A lab already running from ``workdir`` is stopped first; a lab
    running from another directory is waited for up to ``wait_seconds``, then
    refused (only one real lab fits on a machine); a start that fails
    half-way stops what it started before raising.
    """
    workdir = workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    named = realproc.find_binary("named", "bind9")
    unbound = realproc.find_binary("unbound", "unbound")
    base = plan_base(plan)
    deadline = time.monotonic() + wait_seconds
    while True:
        with realowner.machine_lock():
            other = realowner.owner(base)
            if other is None or other == workdir or not lab_running(other):
                if other is not None and other != workdir:
                    _stop(other)  # what is left of a lab whose processes died
                _stop(workdir)
                return _start_locked(plan, workdir, base, named, unbound, bind_resolver)
            if time.monotonic() >= deadline:
                raise DoctorError(
                    f"another real-server lab on {base}.0.0/16 is running from {other}; "
                    "stop it first (`dnssec-doctor lab down`) or start this one on "
                    "other addresses (`lab up --base PREFIX`)"
                )
        time.sleep(0.5)


def resolver_addresses(base: str) -> dict[str, ServerAddress]:
    """Role → address of each lab resolver of a lab on ``base`` (``127.78``, say)."""
    return {role: ServerAddress(f"{base}.{host}") for role, host in RESOLVER_HOSTS.items()}


def plan_base(plan: LabPlan) -> str:
    """The first two octets every server address of ``plan`` shares; DoctorError when the
    plan spans more than one such /16 (the lab's resolvers and its claim on the machine
    are per /16)."""
    bases = {".".join(s.address.ip.split(".")[:2]) for s in plan.servers}
    if len(bases) != 1:
        found = ", ".join(sorted(bases)) or "none"
        raise DoctorError(f"real-server lab: plan addresses must share one x.y.0.0/16 ({found})")
    return bases.pop()


@dataclass(frozen=True, slots=True)
class _Layout:
    """Which plan server becomes what on the real servers."""

    views: list[realconf.AuthView]
    silent: list[ServerAddress]
    skipped: list[SkippedServer]
    resolvers: dict[str, ServerAddress]
    """Role → address of each resolver to start."""

    def addresses(self) -> list[ServerAddress]:
        return [v.address for v in self.views] + self.silent + list(self.resolvers.values())


def _start_locked(
    plan: LabPlan, workdir: Path, base: str, named: str, unbound: str, bind_resolver: bool
) -> RealLab:
    resolvers = {
        role: address
        for role, address in resolver_addresses(base).items()
        if bind_resolver or role != "bind-validating"
    }
    layout = _auth_views(plan, workdir, resolvers)
    _check_addresses(layout)
    busy = realowner.busy_addresses(layout.addresses())
    if busy:
        daemons = "\n".join(realowner.dns_daemons()) or "(no named/unbound found)"
        raise DoctorError(
            f"real-server lab: already in use: {', '.join(busy)} (another lab? "
            "`dnssec-doctor lab down` stops the one `lab up` started; `lab up --base PREFIX` "
            f"serves on other addresses); DNS daemons running:\n{daemons}"
        )
    state = realproc.State(workdir / STATE_FILE)
    realowner.set_owner(base, workdir)
    try:
        return _start(plan, workdir, state=state, layout=layout, named=named, unbound=unbound)
    except BaseException:
        _stop(workdir)
        raise


def stop_real(workdir: Path) -> None:
    """Stop the lab recorded in ``workdir`` (if any): processes, then addresses.

    Harmless when nothing runs. Only processes this lab started (checked by
    their command line) are signalled.
    """
    with realowner.machine_lock():
        _stop(workdir.resolve())


def _stop(workdir: Path) -> None:
    state_path = workdir / STATE_FILE
    if state_path.exists():
        state = realproc.State.load(state_path)
        for proc in reversed(state.processes):
            realproc.terminate(proc)
        loopback.remove_addresses(state.addresses)
        state_path.unlink()
    realowner.forget(workdir)


def _start(
    plan: LabPlan,
    workdir: Path,
    *,
    state: realproc.State,
    layout: _Layout,
    named: str,
    unbound: str,
) -> RealLab:
    views = layout.views
    # Only what this lab adds is removed when it stops: an address configured before
    # (by whoever chose this base) stays as it was found.
    present = {str(a) for a in loopback.present_addresses()}
    state.addresses = [a.ip for a in layout.addresses() if a.ip not in present]
    state.save()  # before adding, so a failure part-way still removes them
    loopback.add_addresses(state.addresses)

    auth_dir = workdir / "auth"
    auth_paths = _paths(auth_dir, "named")
    conf = auth_dir / "named.conf"
    _write(conf, realconf.named_authoritative_conf(auth_paths, views))
    auth = realproc.start_named(
        state, "auth", binary=named, conf=conf, paths=auth_paths, timeout=_NAMED_START_SECONDS
    )
    load_errors = tuple(realproc.zone_load_errors(auth))
    if layout.silent:
        silent_paths = _paths(workdir / "silent", "unbound")
        silent_conf = workdir / "silent" / "unbound.conf"
        _write(silent_conf, realconf.unbound_silent_conf(silent_paths, layout.silent))
        realproc.start_unbound(
            state,
            "silent",
            binary=unbound,
            conf=silent_conf,
            paths=silent_paths,
            address=None,
            timeout=_UNBOUND_START_SECONDS,
        )

    hints = workdir / "root.hints"
    _write(hints, realconf.root_hints(realconf.root_servers(plan)))
    anchor = workdir / "root-anchor.ds"
    _write(anchor, "".join(line.strip() + "\n" for line in plan.trust_anchor_ds))
    bind_anchor = workdir / "root-anchor.bind"
    _write(bind_anchor, realconf.bind_trust_anchors(plan.trust_anchor_ds))
    stale = workdir / "stale-anchor.ds"
    # The plan's retired root KSK when it has one; tiny test plans get a fresh unrelated key.
    _write(
        stale,
        anchors.stale_root_anchor(plan)
        if plan.extra.get(anchors.STALE_ROOT_DS)
        else realproc.unrelated_root_ds(plan.trust_anchor_ds) + "\n",
    )

    nodefault = tuple(sorted(set(realconf.SPECIAL_USE_NAMES) | _top_labels(plan)))
    resolvers: list[RealResolver] = []
    for role, addr in layout.resolvers.items():
        rdir = workdir / f"resolver-{role}"
        if role == "bind-validating":
            paths = _paths(rdir, "named")
            rconf = rdir / "named.conf"
            _write(
                rconf, realconf.named_resolver_conf(paths, addr, str(hints), plan.trust_anchor_ds)
            )
            realproc.start_named(
                state, role, binary=named, conf=rconf, paths=paths, timeout=_NAMED_START_SECONDS
            )
            resolvers.append(RealResolver(role, "named", addr, True, anchor))
            continue
        ta = {"validating": anchor, "stale-anchor": stale}.get(role)
        paths = _paths(rdir, "unbound")
        rconf = rdir / "unbound.conf"
        spec = realconf.UnboundSpec(addr, str(hints), str(ta) if ta else None, nodefault)
        _write(rconf, realconf.unbound_conf(paths, spec))
        realproc.start_unbound(
            state,
            role,
            binary=unbound,
            conf=rconf,
            paths=paths,
            address=addr,
            timeout=_UNBOUND_START_SECONDS,
        )
        resolvers.append(RealResolver(role, "unbound", addr, ta is not None, ta))

    return RealLab(
        workdir=workdir,
        served=tuple(v.address for v in views if not v.refused),
        refused=tuple(v.address for v in views if v.refused),
        skipped=tuple(layout.skipped),
        resolvers=tuple(resolvers),
        hints_file=hints,
        anchor_file=anchor,
        bind_anchor_file=bind_anchor,
        stale_anchor_file=stale,
        load_errors=load_errors,
        silent=tuple(layout.silent),
    )


def _paths(directory: Path, daemon: str) -> realconf.DaemonPaths:
    directory.mkdir(parents=True, exist_ok=True)
    return realconf.DaemonPaths(
        directory=str(directory),
        pid_file=str(directory / f"{daemon}.pid"),
        log_file=str(directory / f"{daemon}.log"),
    )


def _auth_views(plan: LabPlan, workdir: Path, resolvers: dict[str, ServerAddress]) -> _Layout:
    """One view per plan server the real backend can serve; zone files written."""
    views: list[realconf.AuthView] = []
    silent: list[ServerAddress] = []
    skipped: list[SkippedServer] = []
    zones_dir = workdir / "auth" / "zones"
    if zones_dir.exists():
        shutil.rmtree(zones_dir)  # copies from an earlier lab must not linger
    for server in plan.servers:
        faults = set(server.faults)
        if "timeout" in faults:
            silent.append(server.address)  # never answering hides any other fault
            continue
        if faults - {"refused"}:
            reason = "needs the embedded backend's fault injection: " + ", ".join(sorted(faults))
            skipped.append(SkippedServer(server.address, reason))
            continue
        if faults:
            views.append(realconf.AuthView(server.address, (), refused=True))
            continue
        sdir = zones_dir / server.address.ip
        sdir.mkdir(parents=True, exist_ok=True)
        files: list[tuple[str, str]] = []
        for i, zone in enumerate(server.zones):
            path = sdir / f"{i:03d}-{_file_label(zone.origin)}.zone"
            _write(path, zone.text if zone.text.endswith("\n") else zone.text + "\n")
            files.append((zone.origin, str(path)))
        views.append(realconf.AuthView(server.address, tuple(files)))
    return _Layout(views, silent, skipped, resolvers)


def _file_label(origin: str) -> str:
    if origin in (".", ""):
        return "root"
    return re.sub(r"[^A-Za-z0-9.-]", "_", origin.rstrip("."))[:100]


def _check_addresses(layout: _Layout) -> None:
    seen: set[str] = set()
    reserved = {a.ip for a in layout.resolvers.values()}
    for a in [v.address for v in layout.views] + layout.silent:
        if a.port != 53:
            # Resolvers follow delegations to port 53 only.
            raise DoctorError(f"real-server lab: {a} is not on port 53")
        if a.ip in seen:
            raise DoctorError(f"real-server lab: {a.ip} appears twice in the plan")
        if a.ip in reserved:
            raise DoctorError(f"real-server lab: {a.ip} is reserved for a lab resolver")
        seen.add(a.ip)


def _top_labels(plan: LabPlan) -> set[str]:
    tops: set[str] = set()
    for server in plan.servers:
        for zone in server.zones:
            labels = [x for x in zone.origin.rstrip(".").split(".") if x]
            if labels:
                tops.add(labels[-1].lower() + ".")
    return tops


def lab_running(workdir: Path) -> bool:
    """True when ``workdir`` records a started lab whose processes still run."""
    state_path = workdir.resolve() / STATE_FILE
    if not state_path.exists():
        return False
    state = realproc.State.load(state_path)
    return bool(state.processes) and all(realproc.alive(p) for p in state.processes)
