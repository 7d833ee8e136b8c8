"""The I/O shell of ``probe`` and ``check``: run the collection live, or replay a capture.

A live ``check`` probes, keeps the capture, then analyses by replaying that
capture, so a live run and ``check --replay`` of its capture cannot differ.
"""

from __future__ import annotations

import asyncio
import datetime
import secrets
from typing import TYPE_CHECKING

import dns.name

from dnssec_doctor import __version__
from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.errors import DoctorError
from dnssec_doctor.limits import Limits, limits_from_dict, limits_to_dict
from dnssec_doctor.model.anchors import anchors_from_lines
from dnssec_doctor.model.capture import Capture, Exchange
from dnssec_doctor.model.survey import Survey
from dnssec_doctor.probe.collect import collect
from dnssec_doctor.probe.request import ProbeRequest
from dnssec_doctor.transport.base import Wire
from dnssec_doctor.transport.client import Client
from dnssec_doctor.transport.policy import AddressPolicy
from dnssec_doctor.transport.replay import ReplayWire
from dnssec_doctor.transport.sockets import SocketWire

if TYPE_CHECKING:
    from dnssec_doctor.analysis.engine import AnalysisOptions
    from dnssec_doctor.model.findings import Diagnosis
    from dnssec_doctor.transport.base import Wire


def new_seed() -> str:
    """A fresh seed for the random names of the denial probes."""
    return secrets.token_hex(8)


async def probe_live(
    request: ProbeRequest, policy: AddressPolicy, wire: Wire | None = None
) -> Capture:
    """Run the collection against the network; every exchange lands in the capture.

    ``wire`` defaults to real sockets; ``serve`` wraps them to count the queries for
    its progress line and to pace them per destination, ``scan`` passes its shared
    wire, whose answers other names may reuse (I/O only: the analysis never sees the
    wrapper, it replays the capture)."""
    client = Client(wire or SocketWire(), limits=request.limits, policy=policy)
    await collect(client, request)
    return Capture(
        name=request.name.to_text(),
        created=datetime.datetime.now(tz=datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        root_hints=[str(a) for a in request.root_hints],
        trust_anchors=request.trust_anchors.lines(),
        ns_override=[str(a) for a in request.ns_override],
        resolvers=[str(a) for a in request.resolvers],
        types=list(request.extra_types),
        seed=request.seed,
        exchanges=client.exchanges,
        tool_version=__version__,
        limits=limits_to_dict(request.limits),
    )


def request_from_capture(capture: Capture) -> ProbeRequest:
    """The probe request a capture was made with."""
    try:
        name = dns.name.from_text(capture.name)
    except Exception as exc:
        raise DoctorError(f"malformed capture: bad name ({exc})") from None
    return ProbeRequest(
        name=name,
        root_hints=tuple(ServerAddress.parse(a) for a in capture.root_hints),
        trust_anchors=anchors_from_lines(capture.trust_anchors, "capture trust anchors"),
        ns_override=tuple(ServerAddress.parse(a) for a in capture.ns_override),
        resolvers=tuple(ServerAddress.parse(a) for a in capture.resolvers),
        extra_types=tuple(capture.types),
        seed=capture.seed,
        limits=limits_from_dict(capture.limits) if capture.limits else Limits(),
    )


def survey_from_capture(capture: Capture) -> tuple[Survey, list[Exchange]]:
    """Rebuild the survey by replaying the collection over the recorded exchanges."""
    request = request_from_capture(capture)
    client = Client(
        ReplayWire(capture),
        limits=request.limits,
        policy=AddressPolicy.permissive(),
        enforce_budget=False,
    )
    survey = asyncio.run(collect(client, request))
    return survey, list(capture.exchanges)


def diagnose_capture(
    capture: Capture, now: int, options: AnalysisOptions | None = None
) -> Diagnosis:
    """The diagnosis of a capture as of ``now`` (no network)."""
    return diagnose_capture_with_survey(capture, now, options)[0]


def diagnose_capture_with_survey(
    capture: Capture, now: int, options: AnalysisOptions | None = None
) -> tuple[Diagnosis, Survey]:
    """The diagnosis and the survey it was made from (the history store keeps its facts)."""
    # Imported here, not above: a live check imports the analysis while its probe
    # waits on the network (``cli.warmup``), not before the first query goes out.
    from dnssec_doctor.analysis.engine import analyse

    survey, exchanges = survey_from_capture(capture)
    limits = limits_from_dict(capture.limits) if capture.limits else Limits()
    return analyse(survey, exchanges, now, limits, options), survey
