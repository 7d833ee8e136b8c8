"""Options and input loading shared by ``check``, ``probe``, ``ds``, ``scan`` (one place)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dns.rdatatype

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.capture import Capture
from dnssec_doctor.cli.args import Option
from dnssec_doctor.cli.convert import Choice, FloatRange, IntRange, PathArg
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.findings import Diagnosis
from dnssec_doctor.limits import Limits
from dnssec_doctor.names import parse_name
from dnssec_doctor.probe.anchors import TrustAnchors, anchors_from_lines, load_anchor_files
from dnssec_doctor.probe.defaults import ROOT_TRUST_ANCHORS
from dnssec_doctor.probe.hints import default_root_hints, parse_root_hints
from dnssec_doctor.probe.request import ProbeRequest
from dnssec_doctor.session import new_seed
from dnssec_doctor.severity import exit_code_for
from dnssec_doctor.timeparse import parse_at

FORMATS = ("text", "json", "html", "dot", "nagios")


NETWORK_OPTIONS = (
    Option("--root-hints", metavar="ADDR[,ADDR…]|FILE",
           help="Where iteration starts (default: the IANA root servers)."),
    Option("--trust-anchor", multiple=True, convert=PathArg(), metavar="FILE",
           help="DS or DNSKEY records (default: the IANA root KSKs)."),
    Option("--ns", multiple=True, metavar="ADDR[:PORT]",
           help="Query these as the zone's servers instead of the delegation."),
    Option("--resolver", multiple=True, metavar="ADDR[:PORT]",
           help="Also diagnose these recursive resolvers for NAME."),
    Option("--type", dest="types", multiple=True, metavar="TYPE",
           help="Also examine these RR types at NAME."),
    Option("--timeout", convert=FloatRange(0.05, 60.0), default=2.0, show_default=True,
           help="Per-query timeout in seconds."),
    Option("--max-queries", convert=IntRange(1, 100_000), default=2000, show_default=True,
           help="Query budget of one analysis."),
    Option("--deadline", convert=FloatRange(0.5, 3600.0), default=60.0, show_default=True,
           help="Seconds one analysis may take."),
)  # fmt: skip
"""The contract options that say where to ask (DESIGN.md §3); ``build_request`` takes them."""


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
    hints = parse_root_hints(root_hints) if root_hints else default_root_hints()
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
        root_hints=tuple(hints),
        trust_anchors=anchors,
        ns_override=tuple(ServerAddress.parse(a) for a in ns),
        resolvers=tuple(ServerAddress.parse(a) for a in resolver),
        extra_types=tuple(checked_types),
        seed=new_seed(),
        limits=Limits(query_timeout=timeout, max_queries=max_queries, deadline=deadline),
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


def emit(diagnosis: Diagnosis, fmt: str, text: Callable[[Diagnosis], str] | None = None) -> int:
    """Print ``diagnosis`` in ``fmt`` and return the exit status.

    ``text`` replaces the default text report (``zone`` groups repeated findings).
    """
    # Each renderer is imported only when used: rich alone costs more start-up time
    # than a whole probe on a fast network.
    if fmt == "json":
        from dnssec_doctor.render.json_out import render_json

        sys.stdout.write(render_json(diagnosis))
    elif fmt == "html":
        from dnssec_doctor.render.html import render_html

        sys.stdout.write(render_html(diagnosis))
    elif fmt == "dot":
        from dnssec_doctor.render.dot import render_dot

        sys.stdout.write(render_dot(diagnosis))
    elif fmt == "nagios":
        from dnssec_doctor.render.nagios import render_nagios

        sys.stdout.write(render_nagios(diagnosis))
    elif text is not None:
        sys.stdout.write(text(diagnosis))
    else:
        from dnssec_doctor.render.text import render_text

        sys.stdout.write(render_text(diagnosis, color=sys.stdout.isatty()))
    return exit_code_for(f.severity for f in diagnosis.findings)


FORMAT_OPTION = Option(
    "--format", dest="fmt", convert=Choice(FORMATS), default="text", show_default=True,
    help="Output format.",
)  # fmt: skip
"""``--format``."""


def require_answers(capture: Capture, what: str) -> None:
    """Exit 3 (DoctorError) when nothing answered: there is nothing to diagnose.

    When no root server answered (and no ``--ns`` replaced the walk), the cause is
    almost always on this side — no network, or port 53 filtered — so say that
    instead of a DNSSEC verdict (the contract's "nothing reachable").
    """
    answered = {e.server for e in capture.exchanges if e.outcome == "response"}
    roots = [str(h) for h in capture.root_hints]
    if roots and not capture.ns_override and not answered & set(roots):
        asked = sum(1 for e in capture.exchanges if e.server in roots)
        shown = ", ".join(roots[:3]) + (f" and {len(roots) - 3} more" if len(roots) > 3 else "")
        raise DoctorError(
            f"no root server answered ({asked} queries to {shown}): is this machine "
            "offline, or is port 53 blocked?"
        )
    if not answered:
        raise DoctorError(
            f"no server answered for {capture.name} ({len(capture.exchanges)} queries sent): "
            f"nothing to {what}"
        )
