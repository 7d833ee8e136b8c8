"""``dnssec-doctor ds NAME``: will the parent / registry accept this DS? (docs/contract.md)

Without ``--ds``/``--ds-text`` it prints the DS records to upload: SHA-256 digests
of the keys that sign the DNSKEY RRset on every authoritative server. With them,
it checks each candidate the way a careful registry does before saving it (the
NIST guide's "0 keys saved"). The input is read before any query is sent; the
zone is probed like ``check`` does, then analysed by replaying the capture.
Exit codes: severity.exit_code_for; 3 when nothing could be asked or read.
"""

from __future__ import annotations

import asyncio
import json
import sys
from argparse import ArgumentParser
from pathlib import Path

from dnssec_doctor import catalog
from dnssec_doctor.analysis.chain.zones import evaluate_chain
from dnssec_doctor.analysis.findingset import FindingSet
from dnssec_doctor.analysis.name.status import NameStatus
from dnssec_doctor.analysis.verdict import EXPLAINED_WITHOUT_ERROR, explain_status
from dnssec_doctor.cli.common import (
    add_at_option,
    add_format_option,
    add_network_options,
    build_request,
    emit,
    progress,
    require_answers,
    resolve_at,
)
from dnssec_doctor.cli.parser import describe
from dnssec_doctor.cli.values import file_path
from dnssec_doctor.dnssec.algorithms import algorithm_name, digest_info
from dnssec_doctor.ds.input import ParsedInput, parse_ds_input
from dnssec_doctor.ds.live import live_zone
from dnssec_doctor.ds.preflight import Preflight, preflight
from dnssec_doctor.ds.registry_policy import DEFAULT_POLICY, POLICIES, registry_policy
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.fileio import read_input
from dnssec_doctor.limits import INPUT_LIMITS, Limits
from dnssec_doctor.model.findings import Diagnosis, Status, ZoneReport
from dnssec_doctor.model.severity import exit_code_for
from dnssec_doctor.render.escape import terminal
from dnssec_doctor.session import probe_live, survey_from_capture
from dnssec_doctor.transport.policy import AddressPolicy


def read_candidates(files: tuple[Path, ...], texts: tuple[str, ...]) -> ParsedInput | None:
    """The ``--ds`` files (``-``: standard input) and ``--ds-text`` values, read as one input.

    None when neither was given; DoctorError when a file cannot be read.
    """
    if not files and not texts:
        return None
    parts: list[str] = []
    for path in files:
        data = read_input(
            path, what="--ds file", max_bytes=INPUT_LIMITS.ds_file_bytes, stdin_dash=True
        )
        parts.append(data.decode("utf-8-sig", errors="replace"))
    parts.extend(texts)
    source = "the input" if len(parts) > 1 else (str(files[0]) if files else "the text")
    return parse_ds_input("\n".join(parts), source=source)


def ds_arguments(parser: ArgumentParser) -> None:
    """``ds``'s arguments."""
    describe(parser, ds, "%(prog)s NAME [--ds FILE | --ds-text TEXT]... [options]")
    parser.add_argument("name", metavar="NAME", help="The zone (or a name in it).")
    add_network_options(parser)
    parser.add_argument(
        "--ds",
        dest="ds_files",
        action="append",
        default=[],
        type=file_path,
        metavar="FILE",
        help="DS or DNSKEY records to check: a dsset- or K*.key file, the output of "
        "dnssec-dsfromkey, keymgr or pdnsutil ('-': standard input).",
    )
    parser.add_argument(
        "--ds-text",
        dest="ds_texts",
        action="append",
        default=[],
        metavar="TEXT",
        help="DS or DNSKEY text as you would paste it into the registry's form.",
    )
    parser.add_argument(
        "--registry",
        choices=sorted(POLICIES),
        default=DEFAULT_POLICY,
        help="The registry policy to check against (default: %(default)s).",
    )
    add_at_option(parser)
    add_format_option(parser)


def ds(
    name: str,
    ds_files: tuple[Path, ...],
    ds_texts: tuple[str, ...],
    registry: str,
    at: str | None,
    fmt: str,
    **net: object,
) -> None:
    """Will the registry accept this DS? Without --ds, print the DS to upload for NAME."""
    now = resolve_at(at)
    parsed = read_candidates(ds_files, ds_texts)
    request = build_request(name, **net)  # type: ignore[arg-type]
    with progress(f"asking every server of {name} for its keys …"):
        capture = asyncio.run(probe_live(request, AddressPolicy.permissive()))
    require_answers(capture, "check")
    survey, _ = survey_from_capture(capture)
    live = live_zone(survey)
    if live is None or not live.servers:
        raise DoctorError(f"the delegation walk found no servers for {capture.name}")
    if not live.answered:
        raise DoctorError(
            f"no server of {live.zone.to_text()} answered the DNSKEY query "
            f"({', '.join(live.servers)}): nothing to check"
        )
    result = preflight(live, parsed, registry_policy(registry), now, request.limits)
    diagnosis = _diagnosis(survey, result, now, request.limits, len(capture.exchanges))
    sys.exit(_emit(diagnosis, result, fmt))


def _diagnosis(
    survey: object, result: Preflight, now: int, limits: Limits, queries: int
) -> Diagnosis:
    """The DS findings in the JSON contract's shape; status is the zone's chain status."""
    from dnssec_doctor.model.survey import Survey

    assert isinstance(survey, Survey)
    chain = FindingSet()
    evals = evaluate_chain(survey, now, limits, chain)
    zone = result.live.zone.to_text()
    # The chain's verdict on the DS the parent publishes now (DS_NO_MATCHING_DNSKEY …)
    # belongs to the same job: its fix is the DS to upload.
    current = [f for f in chain.all() if f.zone == zone]
    # What the walk ran into (an --ns server that never answered, a lame server) is
    # evidence too: the DS below was then computed from the servers that did answer.
    walk = [
        catalog.finding(e.code, zone=e.zone, detail=e.detail, servers=e.servers,
                        subject=e.subject, evidence=dict(e.evidence))
        for e in survey.events
    ]  # fmt: skip
    status: Status = evals[-1].status if evals else "indeterminate"
    reason = evals[-1].reason if evals else "the walk found no zone"
    findings = [*walk, *current, *result.findings]
    if status not in EXPLAINED_WITHOUT_ERROR:
        # The status contract of `check` holds here too: a bogus zone names its cause
        # (in a parent zone, if that is where it is), an indeterminate one why.
        causes = set(evals[-1].causes) if evals else set()
        explained = FindingSet()
        explained.extend([f for f in chain.all() if f.key in causes and f.zone != zone])
        explained.extend(findings)
        explain_status(zone, zone, NameStatus(status, reason), explained)
        findings = explained.all()
    zones = tuple(
        ZoneReport(ev.name, ev.status, tuple(str(a) for a in ev.cut.server_addresses()), ev.reason)
        for ev in evals
    )
    return Diagnosis(
        name=result.live.zone.to_text(),
        at=now,
        status=status,
        findings=tuple(sorted(findings, key=lambda f: -f.severity)),
        zones=zones,
        servers=result.live.servers,
        stats={"queries": queries, "status_reason": reason, "registry": result.policy.name},
    )


def _emit(diagnosis: Diagnosis, result: Preflight, fmt: str) -> int:
    if fmt == "json":
        from dnssec_doctor.render.json_out import diagnosis_json

        data = diagnosis_json(diagnosis)
        data["preflight"] = result.to_json()
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=True, default=str) + "\n")
        return exit_code_for(f.severity for f in diagnosis.findings)
    if fmt == "text":
        code = emit(diagnosis, fmt)
        sys.stdout.write(render_preflight_text(result))
        return code
    return emit(diagnosis, fmt)


def render_preflight_text(result: Preflight) -> str:
    """The records to upload, the verdict on each candidate, and the parent's DS now."""
    zone = result.live.zone
    n = len(result.live.servers)
    lines = []
    if result.live.asked != zone:
        lines += [
            "",
            f"{result.live.asked.to_text()} is not a zone apex: the records below are for the "
            f"zone holding it, {zone.to_text()}",
        ]
    what = "DS" if result.policy.accepts_ds else "DNSKEY"
    lines.append("")
    lines.append(f"{what} to upload for {zone.to_text()} (registry policy {result.policy.name})")
    if not result.upload:
        lines.append("  none: no key signs the DNSKEY RRset on every server (see above)")
    for u in result.upload:
        lines.append("  " + (u.ds_line(zone) if result.policy.accepts_ds else u.dnskey_line(zone)))
        facts = (
            f"{u.key.role} {u.key.tag}, {algorithm_name(u.ds.algorithm)}"
            + (f", {digest_info(u.ds.digest_type).mnemonic} digest" if result.policy.accepts_ds
               else "")
            + f"; signs the DNSKEY RRset on all {n} servers"
            + ("; already published at the parent" if u.at_parent else "; not yet at the parent")
        )  # fmt: skip
        lines.append(f"      {facts}")
    if result.verdicts:
        lines += ["", "Candidates checked"]
        words = {
            "ok": "would be accepted",
            "policy": "valid, but refused by the registry policy",
            "rejected": "would be rejected",
            "unreadable": "cannot be read",
        }
        for v in result.verdicts:
            codes = f" ({', '.join(v.codes)})" if v.codes else ""
            lines.append(f"  line {v.record.line}: {v.record.label}: {words[v.status]}{codes}")
            lines.append(f"      {v.read_as}")
    from dnssec_doctor.ds.upload import parent_ds_states

    states = parent_ds_states(result.live, result.keys)
    if states:
        lines += ["", f"DS the parent publishes now for {zone.to_text()}"]
        for state in states:
            lines.append(f"  {state['record']}")
            lines.append(f"      {state['state']}")
    return "\n".join(terminal(line) for line in lines) + "\n"
