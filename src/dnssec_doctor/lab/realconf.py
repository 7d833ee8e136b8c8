"""Configuration text for the real-server lab: named.conf, unbound.conf, hints, anchors.

Pure functions: they take paths and addresses and return text; ``lab.real``
writes the files and starts the processes. Every daemon gets its own work
directory, pid file and log, and never a control channel (an ``rndc`` or
``unbound-control`` socket would collide between lab processes and with a
system service).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.lab.plan import LabPlan

SPECIAL_USE_NAMES: tuple[str, ...] = (
    "test.",
    "example.",
    "invalid.",
    "onion.",
    "local.",
    "home.arpa.",
)
"""Names Unbound answers itself unless told ``nodefault`` (RFC 6761, RFC 8375)."""

# Deliberately broken zones must load as they are: BIND's sanity checks would
# refuse some of them (or fix nothing and just log), so every check is off.
_AUTH_CHECKS = """\
    check-names primary ignore;
    check-names secondary ignore;
    check-names response ignore;
    check-integrity no;
    check-mx ignore;
    check-mx-cname ignore;
    check-srv-cname ignore;
    check-wildcard no;
    check-sibling no;
    check-dup-records ignore;
    check-spf ignore;
"""


@dataclass(frozen=True, slots=True)
class AuthView:
    """What one authoritative address serves: a named.conf ``view`` of its own.

    BIND serves one copy of a zone per view, so giving each address a view
    matched on ``match-destinations`` lets two addresses serve different
    copies of the same zone (a stale or unsigned secondary).
    """

    address: ServerAddress
    zones: tuple[tuple[str, str], ...]
    """(origin, master file path) pairs."""
    refused: bool = False
    """Answer every query with REFUSED (``allow-query { none; }``)."""


@dataclass(frozen=True, slots=True)
class DaemonPaths:
    """Where one daemon keeps its files."""

    directory: str
    pid_file: str
    log_file: str


def quoted(text: str) -> str:
    """Quote a name or path for named.conf / unbound.conf; ValueError on unsafe text.

    Both parsers end a string at ``"`` and neither has a general escape for
    it, so names and paths with quotes, control characters or backslashes are
    refused rather than escaped (the lab only generates plain names).
    """
    if any(c in text for c in '"\\') or any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        raise ValueError(f"unsafe text for a config file: {text!r}")
    return f'"{text}"'


def _listen_on(addresses: Iterable[ServerAddress]) -> str:
    by_port: dict[int, list[str]] = {}
    for a in addresses:
        by_port.setdefault(a.port, []).append(a.ip)
    lines = [
        f"    listen-on port {port} {{ {' '.join(f'{ip};' for ip in sorted(set(ips)))} }};"
        for port, ips in sorted(by_port.items())
    ]
    return "\n".join(lines) + "\n"


def _named_common(paths: DaemonPaths) -> str:
    d = paths.directory
    return (
        f"    directory {quoted(d)};\n"
        f"    pid-file {quoted(paths.pid_file)};\n"
        f"    session-keyfile {quoted(d + '/session.key')};\n"
        f"    managed-keys-directory {quoted(d)};\n"
        f"    key-directory {quoted(d)};\n"
        f"    dump-file {quoted(d + '/cache_dump.db')};\n"
        f"    statistics-file {quoted(d + '/named.stats')};\n"
        "    listen-on-v6 { none; };\n"
        "    notify no;\n"
        "    empty-zones-enable no;\n"
        "    querylog no;\n"
    )


def _named_tail(paths: DaemonPaths) -> str:
    # No control channel: by default named opens rndc on 127.0.0.1:953, which
    # a second lab named (the resolver) or a system named would collide with.
    return (
        "controls { };\n"
        "logging {\n"
        "    channel lab_log {\n"
        f"        file {quoted(paths.log_file)} versions 0 size 20m;\n"
        "        severity info;\n"
        "        print-time yes;\n"
        "        print-category yes;\n"
        "        print-severity yes;\n"
        "    };\n"
        "    category default { lab_log; };\n"
        "    category lame-servers { null; };\n"
        "};\n"
    )


def named_authoritative_conf(paths: DaemonPaths, views: Sequence[AuthView]) -> str:
    """named.conf for one ``named`` serving every authoritative address of a lab.

    Recursion and validation are off; zones are plain ``type primary`` files,
    so named never re-signs or fixes the deliberately broken ones.
    """
    out = ["options {\n", _named_common(paths), _listen_on(v.address for v in views)]
    out.append(
        "    recursion no;\n"
        "    dnssec-validation no;\n"
        "    allow-query { any; };\n"
        "    allow-transfer { 127.0.0.0/8; };\n" + _AUTH_CHECKS + "};\n"
    )
    out.append(_named_tail(paths))
    for view in views:
        out.append(
            f"view {quoted('lab-' + view.address.ip)} {{\n"
            "    match-clients { any; };\n"
            f"    match-destinations {{ {view.address.ip}; }};\n"
            "    recursion no;\n"
        )
        if view.refused:
            out.append("    allow-query { none; };\n")
        for origin, path in view.zones:
            out.append(
                f"    zone {quoted(origin)} {{\n"
                "        type primary;\n"
                f"        file {quoted(path)};\n"
                "    };\n"
            )
        out.append("};\n")
    return "".join(out)


def named_resolver_conf(
    paths: DaemonPaths, address: ServerAddress, hints_file: str, anchor_ds: Sequence[str]
) -> str:
    """named.conf for BIND as a validating resolver for the lab (static root DS anchor)."""
    return (
        "options {\n"
        + _named_common(paths)
        + _listen_on([address])
        + f"    query-source address {address.ip};\n"
        "    recursion yes;\n"
        "    allow-query { 127.0.0.0/8; };\n"
        "    allow-recursion { 127.0.0.0/8; };\n"
        "    allow-query-cache { 127.0.0.0/8; };\n"
        "    dnssec-validation yes;\n"
        # SERVFAILs must not be cached: the tests flip between +cd and not.
        "    servfail-ttl 0;\n"
        "    max-cache-size 32m;\n"
        "};\n"
        + bind_trust_anchors(anchor_ds)
        + _named_tail(paths)
        + f'zone "." {{\n    type hint;\n    file {quoted(hints_file)};\n}};\n'
    )


def bind_trust_anchors(anchor_ds: Sequence[str]) -> str:
    """A named.conf ``trust-anchors`` statement from DS records in presentation format."""
    lines = []
    for record in anchor_ds:
        owner, tag, alg, dtype, digest = _split_ds(record)
        lines.append(f"    {quoted(owner)} static-ds {tag} {alg} {dtype} {quoted(digest)};\n")
    return "trust-anchors {\n" + "".join(lines) + "};\n"


def _split_ds(record: str) -> tuple[str, str, str, str, str]:
    words = record.split()
    if "DS" not in words:
        raise ValueError(f"not a DS record: {record!r}")
    i = words.index("DS")
    if len(words) < i + 5:
        raise ValueError(f"truncated DS record: {record!r}")
    tag, alg, dtype = words[i + 1 : i + 4]
    if not (tag.isdigit() and alg.isdigit() and dtype.isdigit()):
        raise ValueError(f"DS record fields must be numeric here: {record!r}")
    return words[0], tag, alg, dtype, "".join(words[i + 4 :])


def root_servers(plan: LabPlan) -> list[tuple[str, ServerAddress]]:
    """The plan's root hints with the host names of the servers at those addresses."""
    names = {s.address: s.hostname for s in plan.servers}
    out: list[tuple[str, ServerAddress]] = []
    for i, addr in enumerate(plan.root_hints):
        name = names.get(addr) or f"root{i}.lab-hints."
        out.append((name if name.endswith(".") else name + ".", addr))
    if not out:
        raise DoctorError("the lab plan has no root hints")
    return out


def root_hints(servers: Sequence[tuple[str, ServerAddress]]) -> str:
    """A root hints file (``named.root`` format) naming the lab's root servers."""
    lines = []
    for hostname, _addr in servers:
        lines.append(f".\t3600000\tIN\tNS\t{hostname}\n")
    for hostname, addr in servers:
        rtype = "AAAA" if addr.family_v6 else "A"
        lines.append(f"{hostname}\t3600000\tIN\t{rtype}\t{addr.ip}\n")
    return "".join(lines)


@dataclass(frozen=True, slots=True)
class UnboundSpec:
    """One Unbound resolver of the lab."""

    address: ServerAddress
    hints_file: str
    anchor_file: str | None
    """Trust anchor file (DS lines); None for a resolver that does not validate."""
    nodefault_zones: tuple[str, ...] = SPECIAL_USE_NAMES


def unbound_silent_conf(paths: DaemonPaths, addresses: Sequence[ServerAddress]) -> str:
    """unbound.conf for lame servers: listen on ``addresses`` and drop every query.

    ``access-control: … deny`` makes Unbound discard queries without an answer,
    so resolvers see UDP timeouts as from a dead server (TCP connections are
    closed without an answer). An address nobody listens
    on would instead answer with ICMP port unreachable, which resolvers using
    connected UDP sockets notice at once.
    """
    out = ["server:\n", "    verbosity: 1\n", "    num-threads: 1\n"]
    out += [f"    interface: {a.ip}@{a.port}\n" for a in addresses]
    out += [
        "    do-ip6: no\n",
        "    so-reuseport: no\n",
        # The defaults allow 127.0.0.0/8; deny must be said for it too.
        "    access-control: 0.0.0.0/0 deny\n",
        "    access-control: 127.0.0.0/8 deny\n",
        '    username: ""\n',
        '    chroot: ""\n',
        f"    directory: {quoted(paths.directory)}\n",
        f"    pidfile: {quoted(paths.pid_file)}\n",
        f"    logfile: {quoted(paths.log_file)}\n",
        "    use-syslog: no\n",
        "    do-daemonize: yes\n",
        '    module-config: "iterator"\n',
        "remote-control:\n    control-enable: no\n",
    ]
    return "".join(out)


def unbound_conf(paths: DaemonPaths, spec: UnboundSpec) -> str:
    """unbound.conf for one lab resolver: validating when ``spec.anchor_file`` is set.

    Facts that matter on loopback: Unbound refuses to query 127/8 unless
    ``do-not-query-localhost: no``, and answers special-use names such as
    ``test.`` itself unless the local zone is ``nodefault``. ``ede: yes`` makes
    it return Extended DNS Errors (RFC 8914); ``val-log-level: 2`` logs why a
    validation failed. Nothing is persisted between runs (no cachedb, no
    RFC 5011 anchor updates).
    """
    a = spec.address
    modules = "validator iterator" if spec.anchor_file else "iterator"
    out = [
        "server:\n",
        "    verbosity: 1\n",
        "    num-threads: 1\n",
        f"    interface: {a.ip}@{a.port}\n",
        f"    port: {a.port}\n",
        f"    outgoing-interface: {a.ip}\n",
        "    do-ip4: yes\n",
        "    do-ip6: no\n",
        "    do-udp: yes\n",
        "    do-tcp: yes\n",
        "    so-reuseport: no\n",
        "    access-control: 127.0.0.0/8 allow\n",
        '    username: ""\n',
        '    chroot: ""\n',
        f"    directory: {quoted(paths.directory)}\n",
        f"    pidfile: {quoted(paths.pid_file)}\n",
        f"    logfile: {quoted(paths.log_file)}\n",
        "    use-syslog: no\n",
        "    log-time-ascii: yes\n",
        "    do-daemonize: yes\n",
        "    do-not-query-localhost: no\n",
        f"    root-hints: {quoted(spec.hints_file)}\n",
        f"    module-config: {quoted(modules)}\n",
        "    ede: yes\n",
        "    val-log-level: 2\n",
        # Short memories of bogus answers and of unreachable servers, so a
        # second look (a diagnosis rerun, +cd then without) sees fresh results.
        "    val-bogus-ttl: 1\n",
        "    infra-host-ttl: 10\n",
        "    trust-anchor-signaling: no\n",
        "    root-key-sentinel: no\n",
        "    unblock-lan-zones: yes\n",
        "    insecure-lan-zones: no\n",
        "    msg-cache-size: 4m\n",
        "    rrset-cache-size: 8m\n",
    ]
    if spec.anchor_file:
        out.append(f"    trust-anchor-file: {quoted(spec.anchor_file)}\n")
    out.extend(
        f"    local-zone: {quoted(name)} nodefault\n" for name in sorted(set(spec.nodefault_zones))
    )
    out.append("remote-control:\n    control-enable: no\n")
    return "".join(out)
