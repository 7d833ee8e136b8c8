"""``dnssec-doctor ds NAME``: will the parent / registry accept this DS? (docs/contract.md)

Without ``--ds``/``--ds-text`` it prints the DS records to upload: SHA-256 digests
of the keys that sign the DNSKEY RRset on every authoritative server. With them,
it checks each candidate the way a careful registry does before saving it (the
NIST guide's "0 keys saved"). The input is read before any query is sent; the
zone is probed like ``check`` does, the capture replayed into a survey, and
``ds.analyse.analyse_ds`` gives the verdict that ``render.ds_text`` (after the
findings) or ``render.ds_json`` prints.
Exit codes: severity.exit_code_for; 3 when nothing could be asked or read.
"""

from __future__ import annotations

import asyncio
import sys
from argparse import ArgumentParser
from pathlib import Path

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
from dnssec_doctor.ds.analyse import DsAnalysis, analyse_ds
from dnssec_doctor.ds.input import ParsedInput, parse_ds_input
from dnssec_doctor.ds.registry_policy import DEFAULT_POLICY, POLICIES, registry_policy
from dnssec_doctor.fileio import read_input
from dnssec_doctor.limits import INPUT_LIMITS
from dnssec_doctor.model.severity import exit_code_for
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
    analysis = analyse_ds(
        survey, parsed, registry_policy(registry), now, request.limits,
        queries=len(capture.exchanges),
    )  # fmt: skip
    sys.exit(_emit(analysis, fmt))


def _emit(analysis: DsAnalysis, fmt: str) -> int:
    """Print ``analysis`` in ``fmt``; the exit status."""
    if fmt == "json":
        from dnssec_doctor.render.ds_json import render_ds_json

        sys.stdout.write(render_ds_json(analysis))
        return exit_code_for(f.severity for f in analysis.diagnosis.findings)
    if fmt == "text":
        from dnssec_doctor.render.ds_text import render_preflight_text

        code = emit(analysis.diagnosis, fmt)
        sys.stdout.write(render_preflight_text(analysis.preflight))
        return code
    return emit(analysis.diagnosis, fmt)
