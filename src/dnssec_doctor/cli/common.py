"""Options and input loading shared by ``check``, ``probe``, ``ds``, ``scan`` (one place)."""

from __future__ import annotations

import sys
import time
from argparse import ArgumentParser
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dns.rdatatype

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.cli.values import Range
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.anchors import TrustAnchors, anchors_from_lines, load_anchor_files
from dnssec_doctor.model.capture import NOT_SENT, Capture
from dnssec_doctor.model.findings import Diagnosis
from dnssec_doctor.model.severity import EXIT_CANNOT_DIAGNOSE, exit_code_for
from dnssec_doctor.names import parse_name
from dnssec_doctor.probe.defaults import ROOT_TRUST_ANCHORS
from dnssec_doctor.probe.hints import default_root_hints, parse_root_hints
from dnssec_doctor.probe.request import ProbeRequest
from dnssec_doctor.session import new_seed
from dnssec_doctor.timeparse import parse_at
from dnssec_doctor.transport.policy import AddressPolicy

if TYPE_CHECKING:
    from dnssec_doctor.model.capture import Capture

if TYPE_CHECKING:
    from dnssec_doctor.render.monitoring import ExpiryThresholds, RunFacts

FORMATS = ("text", "json", "html", "dot", "svg", "nagios", "prometheus")
GRAPHS = ("keys", "zones")


NETWORK_DEFAULTS: dict[str, float] = {"timeout": 2.0, "max_queries": 2000, "deadline": 60.0}
"""``--timeout``, ``--max-queries`` and ``--deadline`` defaults (``demo`` checks with them)."""
TIMEOUT = Range(float, 0.05, 60.0)
MAX_QUERIES = Range(int, 1, 100_000)
DEADLINE = Range(float, 0.5, 3600.0)
EXPIRY_WARNING = Range(int, 0, 3650)
"""``--expiry-warning DAYS``."""


def add_network_options(parser: ArgumentParser, *, targets: bool = True, ns: bool = True) -> None:
    """The contract's options that say where to ask (docs/contract.md); ``build_request``
    takes their values. ``targets``: with ``--resolver`` and ``--type`` (and ``--ns``
    unless ``ns`` is false: it names one zone's servers)."""
    parser.add_argument(
        "--root-hints",
        metavar="ADDR[,ADDR…]|FILE",
        help="Where iteration starts (default: the IANA root servers).",
    )
    parser.add_argument(
        "--trust-anchor",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="DS or DNSKEY records (default: the IANA root KSKs).",
    )
    if targets and ns:
        parser.add_argument(
            "--ns",
            action="append",
            default=[],
            metavar="ADDR[:PORT]",
            help="Query these as the zone's servers instead of the delegation.",
        )
    if targets:
        parser.add_argument(
            "--resolver",
            action="append",
            default=[],
            metavar="ADDR[:PORT]",
            help="Also diagnose these recursive resolvers for NAME.",
        )
        parser.add_argument(
            "--type",
            dest="types",
            action="append",
            default=[],
            metavar="TYPE",
            help="Also examine these RR types at NAME.",
        )
    parser.add_argument(
        "--timeout",
        type=TIMEOUT,
        default=NETWORK_DEFAULTS["timeout"],
        metavar="SECONDS",
        help=f"Per-query timeout ({TIMEOUT}; default: %(default)s).",
    )
    parser.add_argument(
        "--max-queries",
        type=MAX_QUERIES,
        default=int(NETWORK_DEFAULTS["max_queries"]),
        metavar="N",
        help=f"Query budget of one analysis ({MAX_QUERIES}; default: %(default)s).",
    )
    parser.add_argument(
        "--deadline",
        type=DEADLINE,
        default=NETWORK_DEFAULTS["deadline"],
        metavar="SECONDS",
        help=f"Seconds one analysis may take ({DEADLINE}; default: %(default)s).",
    )


def add_at_option(parser: ArgumentParser) -> None:
    """``--at TIME`` (``--at -12h`` works as ``--at=-12h``: ``cli.parser``)."""
    parser.add_argument(
        "--at",
        metavar="TIME",
        help="Evaluate as of TIME: ISO 8601, @POSIX, or relative (+7d, -12h).",
    )


def add_expiry_warning_option(parser: ArgumentParser) -> None:
    """``--expiry-warning DAYS``."""
    parser.add_argument(
        "--expiry-warning",
        type=EXPIRY_WARNING,
        default=7,
        metavar="DAYS",
        help=f"Warn when a signature expires within DAYS ({EXPIRY_WARNING}; default: %(default)s).",
    )


def build_request(
    name: str,
    root_hints: str | None,
    trust_anchor: tuple[Path, ...],
    ns: tuple[str, ...],
    resolver: tuple[str, ...],
    types: tuple[str, ...],
    timeout: float,
    max_queries: int,
    deadline: float,
) -> ProbeRequest:
    """The probe request from command-line values; DoctorError on any bad input."""
    hints = parse_root_hints(root_hints) if root_hints is not None else default_root_hints()
    anchors: TrustAnchors = (
        load_anchor_files(list(trust_anchor))
        if trust_anchor
        else anchors_from_lines(ROOT_TRUST_ANCHORS, "built-in root trust anchors")
    )
    checked_types = []
    for t in types:
        try:
            dns.rdatatype.from_text(t)
        except Exception:
            raise DoctorError(f"unknown RR type {t!r}") from None
        checked_types.append(t.upper())
    return ProbeRequest(
        name=parse_name(name),
        root_hints=_usable("--root-hints", hints),
        trust_anchors=anchors,
        ns_override=_usable("--ns", [ServerAddress.parse(a) for a in ns]),
        resolvers=_usable("--resolver", [ServerAddress.parse(a) for a in resolver]),
        extra_types=tuple(checked_types),
        seed=new_seed(),
        limits=Limits(query_timeout=timeout, max_queries=max_queries, deadline=deadline),
    )


def _usable(option: str, addresses: list[ServerAddress]) -> tuple[ServerAddress, ...]:
    """``addresses`` when the transport may send to each; DoctorError naming the first it
    may not (a multicast root hint must be a usage error, not "no server answered")."""
    policy = AddressPolicy.permissive()
    for address in addresses:
        reason = policy.refusal(address)
        if reason is not None:
            raise DoctorError(f"{option} {address}: {reason}")
    return tuple(addresses)


def require_answers(capture: Capture, purpose: str) -> None:
    """Exit 3 (DoctorError) when nothing answered: there is nothing to diagnose.

    Says how many queries were really sent (a query the policy or budget refused was
    not). When no root server answered (and no ``--ns`` replaced the walk), the cause is
    almost always on this side — no network, or port 53 filtered — so say that instead
    of a DNSSEC verdict (the contract's "nothing reachable").
    """
    sent = [e for e in capture.exchanges if e.outcome not in NOT_SENT]
    if not sent:
        raise DoctorError(f"no query could be sent for {capture.name}: nothing to {purpose}")
    answered = {e.server for e in capture.exchanges if e.outcome == "response"}
    roots = [str(h) for h in capture.root_hints]
    if roots and not capture.ns_override and not answered & set(roots):
        asked = sum(1 for e in sent if e.server in roots)
        shown = ", ".join(roots[:3]) + (f" and {len(roots) - 3} more" if len(roots) > 3 else "")
        raise DoctorError(
            f"no root server answered ({asked} queries to {shown}): is this machine "
            "offline, or is port 53 blocked?"
        )
    if not answered:
        raise DoctorError(
            f"no server answered for {capture.name} ({len(sent)} queries sent): "
            f"nothing to {purpose}"
        )


def resolve_at(text: str | None) -> int:
    """``--at`` as POSIX seconds; the CLI is the one place that reads the clock."""
    return parse_at(text, int(time.time()))


def progress(message: str) -> Any:
    """A spinner on stderr when it is a terminal; a no-op context otherwise."""
    if sys.stderr.isatty():
        from rich.console import Console

        return Console(stderr=True).status(message)
    return _Quiet()


class _Quiet:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def emit(
    diagnosis: Diagnosis,
    fmt: str,
    text: Callable[[Diagnosis], str] | None = None,
    graph: str = "keys",
    *,
    thresholds: ExpiryThresholds | None = None,
    run: RunFacts | None = None,
) -> int:
    """Print ``diagnosis`` in ``fmt`` and return the exit status.

    ``text`` replaces the default text report (``zone`` groups repeated findings);
    ``graph`` picks the graph of ``dot``, ``svg`` and ``html``: ``keys`` or ``zones``;
    ``thresholds`` are the Nagios expiry thresholds, ``run`` what the monitoring
    formats report about the run itself (its duration).
    """
    # Each renderer is imported only when used: rich alone costs more start-up time
    # than a whole probe on a fast network.
    if fmt == "json":
        from dnssec_doctor.model.diagnosis_json import render_json

        sys.stdout.write(render_json(diagnosis))
    elif fmt == "html":
        from dnssec_doctor.render.html import render_html

        sys.stdout.write(render_html(diagnosis, _svg_for_report(diagnosis, graph)))
    elif fmt in ("dot", "svg"):
        from dnssec_doctor.render.keydot import render_graph_dot

        dot = render_graph_dot(diagnosis, graph)
        if fmt == "svg":
            from dnssec_doctor.render.graphviz import dot_to_svg

            dot = dot_to_svg(dot)
        sys.stdout.write(dot)
    elif fmt == "nagios":
        from dnssec_doctor.render.monitoring import ExpiryThresholds
        from dnssec_doctor.render.nagios import nagios_status, render_nagios

        thresholds = thresholds or ExpiryThresholds()
        sys.stdout.write(render_nagios(diagnosis, thresholds, run))
        return nagios_status(diagnosis, thresholds)
    elif fmt == "prometheus":
        from dnssec_doctor.render.prometheus import render_prometheus

        sys.stdout.write(render_prometheus(diagnosis, run))
    elif text is not None:
        sys.stdout.write(text(diagnosis))
    else:
        from dnssec_doctor.render.text import render_text

        sys.stdout.write(render_text(diagnosis, color=sys.stdout.isatty()))
    return exit_code_for(f.severity for f in diagnosis.findings)


DEFAULT_DB = "default"
"""The ``--db`` value that names the default file (``history.dburl.default_db_path``)."""


def add_db_option(parser: ArgumentParser, *, record: bool) -> None:
    """``--db URL``. ``record``: ``check`` and ``serve`` record in the history store only
    when given (a plain check writes no file); otherwise (``history``, ``watch``) the
    store is the default file unless told otherwise."""
    if record:
        parser.add_argument(
            "--db", metavar="URL",
            help="Record in the history store at URL (sqlite:///PATH, "
            "postgresql://USER@HOST/DB, or 'default': an SQLite file in your data directory).",
        )  # fmt: skip
    else:
        parser.add_argument(
            "--db", metavar="URL", default=DEFAULT_DB,
            help="The history store (sqlite:///PATH, postgresql://USER@HOST/DB; default: an "
            "SQLite file in your data directory).",
        )  # fmt: skip


def db_url(value: str) -> str | None:
    """The URL ``HistoryStore.open`` takes: None for the default file."""
    return None if value == DEFAULT_DB else value


def emit_failure(message: str, fmt: str, name: str | None) -> int:
    """Report a check that could not diagnose in an alert format; the exit status (3).

    A monitoring system reads stdout only (Nagios ignores stderr), so the reason is
    printed there: the UNKNOWN line, or ``dnssec_probe_success 0`` for Prometheus.
    The line on stderr stays, for a person reading a cron mail.
    """
    sys.stdout.write(alert_failure(message, fmt, name))
    from dnssec_doctor.escape import terminal

    print(f"dnssec-doctor: {terminal(message)}", file=sys.stderr)
    return EXIT_CANNOT_DIAGNOSE


def alert_failure(message: str, fmt: str, name: str | None) -> str:
    """What an alert format writes on stdout for a check that could not diagnose.

    ``name`` as given on the command line is written as the diagnosis writes it
    (absolute: ``example.com.``), so that the failure and the successes of one
    name are one Prometheus series.
    """
    if fmt == "nagios":
        from dnssec_doctor.render.nagios import render_nagios_unknown

        return render_nagios_unknown(message)
    from dnssec_doctor.render.prometheus import render_prometheus_failure

    return render_prometheus_failure(_as_checked(name), message)


def _as_checked(name: str | None) -> str | None:
    """``name`` as a check reports it (absolute), or as given when it is not a name."""
    if name is None:
        return None
    try:
        return parse_name(name).to_text()
    except DoctorError:
        return name


def _svg_for_report(diagnosis: Diagnosis, graph: str) -> str | None:
    """The graph for an HTML report; without Graphviz the report goes out without it.

    Only a walked chain has one (``check``); ``zone`` and ``ds`` reports have none."""
    if diagnosis.graph is None:
        return None
    from dnssec_doctor.render.graphviz import dot_to_svg
    from dnssec_doctor.render.keydot import render_graph_dot

    try:
        return dot_to_svg(render_graph_dot(diagnosis, graph))
    except DoctorError as exc:
        print(f"dnssec-doctor: the report has no graph: {exc}", file=sys.stderr)
        return None


def add_format_option(parser: ArgumentParser, formats: tuple[str, ...] = FORMATS) -> None:
    """``--format`` (text by default)."""
    parser.add_argument(
        "--format",
        dest="fmt",
        choices=formats,
        default=formats[0],
        help="Output format (default: %(default)s).",
    )


def add_graph_option(parser: ArgumentParser) -> None:
    """``--graph`` (``check``)."""
    parser.add_argument(
        "--graph", choices=GRAPHS, default="keys",
        help="The graph of --format dot|svg|html: one node per DNSKEY and DS, or per zone "
        "(default: %(default)s).",
    )  # fmt: skip
