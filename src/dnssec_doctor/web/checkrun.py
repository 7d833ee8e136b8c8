"""One check of the web UI / API: probe (paced, counted), analyse, render, keep.

The probe runs like ``check``'s, under ``serve``'s strict address policy (unless
private targets are allowed), with the job's query budget and deadline from the
server's Limits and a hard stop a little after the deadline. Every server the walk
meets, and the user's own ``ns`` and ``resolvers``, are judged by that policy at
send time. When the policy stopped the check before any server beyond the
operator's root hints answered, the job fails with the policy's reason and how to
allow it; when other servers answered, the diagnosis stands and the page says
which servers were not asked. With a DS given, the DS pre-upload check of ``ds``
runs on the same capture and its findings join the report. With a history store
(``serve --db``), the check is recorded there (``web.history``) before the DS
findings join: they judge the user's DS, not what the name's servers serve.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from typing import TYPE_CHECKING, Any

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.model.capture import Capture, capture_bytes
from dnssec_doctor.names import parse_name
from dnssec_doctor.probe.request import ProbeRequest
from dnssec_doctor.session import diagnose_capture_with_survey, new_seed, probe_live
from dnssec_doctor.transport.sockets import SocketWire
from dnssec_doctor.web.jobs import CheckResult, Job
from dnssec_doctor.web.pacing import DestinationPacer, PacedWire
from dnssec_doctor.web.prober import STOP_GRACE, ProbeConfig

MAX_REFUSALS_SHOWN = 4
"""Refused servers named in one message (more are counted)."""

if TYPE_CHECKING:
    from dnssec_doctor.model.findings import Diagnosis
    from dnssec_doctor.web.history import WebHistory


class CheckRunner:
    """Runs jobs for ``config``; all of them share ``pacer`` (and ``history``, if any)."""

    def __init__(
        self, config: ProbeConfig, pacer: DestinationPacer, history: WebHistory | None = None
    ) -> None:
        self.config = config
        self.pacer = pacer
        self.history = history

    async def __call__(self, job: Job) -> None:
        """Run ``job`` to done or failed."""
        deadline = self.config.limits.deadline
        try:
            async with asyncio.timeout(deadline + STOP_GRACE):
                await self._run(job)
        except TimeoutError:
            job.state = "failed"
            job.error = f"the check of {job.input.name} did not finish within {deadline:g} s"

    async def _run(self, job: Job) -> None:
        check = job.input
        request = ProbeRequest(
            name=parse_name(check.name),
            root_hints=self.config.root_hints,
            trust_anchors=self.config.trust_anchors,
            ns_override=tuple(ServerAddress.parse(a) for a in check.ns),
            resolvers=tuple(ServerAddress.parse(a) for a in check.resolvers),
            seed=new_seed(),
            limits=self.config.limits,
        )
        wire = PacedWire(SocketWire(), self.pacer, job.progress)
        capture = await probe_live(request, self.config.policy, wire)
        refused = refusal_summary(capture)
        if not self._answered_beyond_hints(capture):
            job.state = "failed"
            job.error = refused or (
                f"no server answered for {check.name} ({job.progress.queries} queries sent)"
            )
            return
        job.phase = "analysing"
        # CPU work (the analysis replays the capture with asyncio.run): in a thread,
        # so the server keeps answering meanwhile.
        history = self.history if not check.ns else None  # see web.history: not recorded
        diagnosis = await asyncio.to_thread(
            diagnose_with_ds, capture, int(time.time()), check.ds, history
        )
        job.phase = "drawing the graph"
        job.result = await asyncio.to_thread(build_result, diagnosis, capture, refused)
        job.state = "done"

    def _answered_beyond_hints(self, capture: Capture) -> bool:
        """True when a server other than the operator's root hints answered (the user's
        own ``ns`` and ``resolvers`` count: the policy judged them like any other)."""
        hints = {str(a) for a in self.config.root_hints}
        return any(e.outcome == "response" and e.server not in hints for e in capture.exchanges)


def refusal_summary(capture: Capture) -> str | None:
    """Which servers the address policy refused and why (None: none), and how to allow it."""
    refused = {e.server: e.error for e in capture.exchanges if e.outcome == "policy"}
    if not refused:
        return None
    shown = sorted(refused.items())[:MAX_REFUSALS_SHOWN]
    listed = "; ".join(reason for _, reason in shown)  # each reason names its address
    more = len(refused) - len(shown)
    return (
        f"the address policy refused to query {len(refused)} server"
        f"{'s' if len(refused) != 1 else ''} ({listed}{f'; and {more} more' if more else ''}). "
        "This server queries public addresses only; private, loopback, link-local and "
        "reserved ones need serve --allow-private-targets"
    )


def diagnose_with_ds(
    capture: Capture, now: int, ds_text: str, history: WebHistory | None = None
) -> tuple[Diagnosis, Any]:
    """The check's diagnosis of ``capture`` (recorded in ``history``, with its findings);
    with ``ds_text``, the DS pre-upload findings added and the preflight's JSON (else None)."""
    diagnosis, survey = diagnose_capture_with_survey(capture, now)
    if history is not None:
        diagnosis = history.record(capture, diagnosis, survey)
    if not ds_text:
        return diagnosis, None
    from dnssec_doctor.ds.analyse import NothingToCheckError, analyse_ds
    from dnssec_doctor.ds.input import parse_ds_input
    from dnssec_doctor.ds.registry_policy import DEFAULT_POLICY, registry_policy
    from dnssec_doctor.session import request_from_capture

    limits = request_from_capture(capture).limits
    try:
        analysis = analyse_ds(
            survey, parse_ds_input(ds_text, source="the DS"), registry_policy(DEFAULT_POLICY),
            now, limits, queries=len(capture.exchanges),
        )  # fmt: skip
    except NothingToCheckError:
        return diagnosis, None
    result = analysis.preflight
    merged = dataclasses.replace(diagnosis, findings=(*diagnosis.findings, *result.findings))
    return merged, result.to_json()


def build_result(
    analysed: tuple[Diagnosis, Any], capture: Capture, notice: str | None
) -> CheckResult:
    """Everything the pages and the API serve for a finished check."""
    from dnssec_doctor.model.diagnosis_json import diagnosis_json
    from dnssec_doctor.model.severity import exit_code_for
    from dnssec_doctor.render.graphviz import dot_to_svg
    from dnssec_doctor.render.html import report_body
    from dnssec_doctor.render.keydot import render_graph_dot

    diagnosis, preflight_json = analysed
    svg: str | None = None
    if diagnosis.graph is not None:
        try:
            svg = dot_to_svg(render_graph_dot(diagnosis))
        except DoctorError:
            svg = None  # the report goes out without its graph, as the CLI's does
    document = diagnosis_json(diagnosis)
    if preflight_json is not None:
        document["preflight"] = preflight_json
    return CheckResult(
        diagnosis=document,
        report_html=report_body(diagnosis, svg),
        capture_gz=capture_bytes(capture, gzipped=True),
        exit_status=exit_code_for(f.severity for f in diagnosis.findings),
        notice=notice,
    )
