"""Fresh checks for the ``/probe`` endpoint, bounded and safe for a shared server.

Whoever can reach the server picks the name, and the name's delegation picks the
servers that get queried. So the transport's address policy refuses private,
loopback, link-local, multicast and reserved servers (unwrapping IPv4-mapped and
other embedded forms) unless the operator allowed private targets; the refusal
happens at send time, for every server the walk meets, never by looking at the
name. The operator's own root hints are trusted as configured. In ``serve`` the
queries are paced per destination together with the web UI's checks. Each probe has the
query budget and deadline of its Limits, a hard stop a little after the deadline,
and a place among a fixed number of concurrent probes.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.anchors import TrustAnchors
from dnssec_doctor.model.capture import Capture
from dnssec_doctor.names import parse_name
from dnssec_doctor.probe.request import ProbeRequest
from dnssec_doctor.render.monitoring import RunFacts
from dnssec_doctor.render.prometheus import render_prometheus, render_prometheus_failure
from dnssec_doctor.session import diagnose_capture, new_seed, probe_live
from dnssec_doctor.transport.policy import AddressPolicy
from dnssec_doctor.transport.sockets import SocketWire
from dnssec_doctor.web.exporter import ExporterMetrics
from dnssec_doctor.web.pacing import DestinationPacer, PacedWire, ProbeProgress

MAX_TARGET_LENGTH = 1024
"""Characters of ``target``: a name is at most 255 octets, each at most 4 characters
(``\\DDD``) in presentation form; anything longer is not a name."""
STOP_GRACE = 5.0
"""Seconds past the deadline before a probe is abandoned (the analysis after the probe
needs some time too; the transport itself already stops at the deadline)."""


class TargetError(ValueError):
    """A ``target`` that is not a name to probe (HTTP 400)."""


class BusyError(RuntimeError):
    """No probe slot became free in time (HTTP 503)."""


@dataclass(frozen=True, slots=True)
class ProbeConfig:
    """What every probe of one server shares (``serve``'s command line)."""

    root_hints: tuple[ServerAddress, ...]
    trust_anchors: TrustAnchors
    limits: Limits
    allow_private_targets: bool = False
    max_concurrent: int = 8

    @property
    def policy(self) -> AddressPolicy:
        """The address policy of the probes: strict unless private targets are allowed."""
        base = AddressPolicy.permissive() if self.allow_private_targets else AddressPolicy.strict()
        return base.trusting(self.root_hints)


@dataclass(frozen=True, slots=True)
class ProbeReply:
    """The exposition text of one probe and how it ended (for the exporter's counters)."""

    text: str
    result: str
    """``success``, ``failure`` (nothing answered), ``refused`` (address policy) or
    ``timeout``."""


class Prober:
    """Runs probes for the HTTP endpoint within ``config``'s bounds."""

    def __init__(
        self,
        config: ProbeConfig,
        metrics: ExporterMetrics,
        pacer: DestinationPacer | None = None,
    ) -> None:
        self.config = config
        self.metrics = metrics
        self.pacer = pacer
        """Paces queries per destination together with the web checks (None: unpaced)."""
        self._slots = asyncio.Semaphore(config.max_concurrent)

    async def probe(self, target: str) -> ProbeReply:
        """Check ``target`` now; TargetError for a bad name, BusyError when saturated."""
        name = check_target(target)
        limits = self.config.limits
        started = time.monotonic()
        try:
            async with asyncio.timeout(limits.deadline + STOP_GRACE):
                async with self._slot():
                    reply = await self._run(name, started)
        except TimeoutError:
            reply = self._failure(
                name,
                f"the check of {name} did not finish within {limits.deadline:g} s",
                "timeout",
                started,
            )
        self.metrics.observe(reply.result, time.monotonic() - started)
        return reply

    def _slot(self) -> _Slot:
        return _Slot(self._slots, self.metrics, self.config.limits.deadline)

    async def _run(self, name: str, started: float) -> ProbeReply:
        request = ProbeRequest(
            name=parse_name(name),
            root_hints=self.config.root_hints,
            trust_anchors=self.config.trust_anchors,
            seed=new_seed(),
            limits=self.config.limits,
        )
        wire = PacedWire(SocketWire(), self.pacer, ProbeProgress()) if self.pacer else None
        capture = await probe_live(request, self.config.policy, wire)
        refused = refusal_message(capture)
        if refused is not None:
            return self._failure(name, refused, "refused", started)
        if not any(e.outcome == "response" for e in capture.exchanges):
            message = f"no server answered for {name} ({len(capture.exchanges)} queries sent)"
            return self._failure(name, message, "failure", started)
        # The analysis is CPU work that replays the capture with asyncio.run: in a
        # thread, so the server keeps answering meanwhile.
        diagnosis = await asyncio.to_thread(diagnose_capture, capture, int(time.time()))
        run = RunFacts(time.monotonic() - started)
        return ProbeReply(render_prometheus(diagnosis, run), "success")

    def _failure(self, name: str, message: str, result: str, started: float) -> ProbeReply:
        text = render_prometheus_failure(name, message, time.monotonic() - started)
        return ProbeReply(text, result)


class _Slot:
    """One of the concurrent probes; BusyError when none frees up within ``wait`` s."""

    def __init__(self, slots: asyncio.Semaphore, metrics: ExporterMetrics, wait: float) -> None:
        self._slots, self._metrics, self._wait = slots, metrics, wait

    async def __aenter__(self) -> None:
        try:
            async with asyncio.timeout(self._wait):
                await self._slots.acquire()
        except TimeoutError:
            raise BusyError("too many probes in progress; try again later") from None
        self._metrics.in_flight.inc()

    async def __aexit__(self, *exc: object) -> None:
        self._metrics.in_flight.dec()
        self._slots.release()


def check_target(target: str) -> str:
    """``target`` as an absolute name in presentation form; TargetError when it is not one."""
    if not target.strip():
        raise TargetError("missing target: use /probe?target=NAME")
    if len(target) > MAX_TARGET_LENGTH:
        raise TargetError(
            f"target too long ({len(target)} characters; a name has at most 255 octets)"
        )
    try:
        return parse_name(target).to_text()
    except DoctorError as exc:
        raise TargetError(str(exc)) from None


def refusal_message(capture: Capture) -> str | None:
    """Why the address policy stopped the probe (None: it did not), and how to allow it."""
    refused = {e.server: e.error for e in capture.exchanges if e.outcome == "policy"}
    if not refused:
        return None
    server, reason = sorted(refused.items())[0]
    others = f" (and {len(refused) - 1} more servers)" if len(refused) > 1 else ""
    return (
        f"refused to query {server}{others}: {reason}. The target's servers are not public; "
        "start serve with --allow-private-targets to probe private targets"
    )
