"""Servers the walk meets are judged at send time: a delegation to a private address.

Here the lab's own servers are trusted the way ``serve`` trusts its root hints (they
stand for the public Internet), and the zones under test delegate to 127.0.0.1, to
``::ffff:127.0.0.1``, to 10/8, or to a name whose address is private (10.9.9.9).
The strict policy must refuse each of them with a message naming the address; only
loopback is tried with private targets allowed (no test sends a packet off the
machine). The checks run in-process, through the same service as the web server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.lab.background import BackgroundLab
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.anchors import anchors_from_lines
from dnssec_doctor.transport.policy import AddressPolicy
from dnssec_doctor.web.jobs import Job
from dnssec_doctor.web.prober import ProbeConfig
from dnssec_doctor.web.service import CheckService, WebLimits
from web_scenarios import web_lab


@dataclass(frozen=True)
class LabAsInternet(ProbeConfig):
    """``serve``'s configuration with the lab's servers trusted like its root hints."""

    lab_servers: tuple[ServerAddress, ...] = ()

    @property
    def policy(self) -> AddressPolicy:
        base = AddressPolicy.permissive() if self.allow_private_targets else AddressPolicy.strict()
        return base.trusting((*self.root_hints, *self.lab_servers))


@pytest.fixture(scope="module")
def lab() -> Iterator[BackgroundLab]:
    with web_lab(["good-nsec", "to-loopback", "to-ten", "private-host", "to-name"]) as running:
        yield running


def run_check(lab: BackgroundLab, name: str, *, allow_private: bool = False) -> Job:
    config = LabAsInternet(
        root_hints=lab.plan.root_hints,
        trust_anchors=anchors_from_lines(lab.plan.trust_anchor_ds),
        limits=Limits(query_timeout=0.5, retries=0, deadline=20),
        allow_private_targets=allow_private,
        lab_servers=tuple(s.address for s in lab.plan.servers),
    )

    async def check() -> Job:
        service = CheckService(config, WebLimits())
        job, _ = service.submit("192.0.2.1", name)
        while not job.over:
            await asyncio.sleep(0.05)
        return job

    return asyncio.run(check())


def test_a_lab_zone_is_checked_when_its_servers_count_as_public(lab: BackgroundLab) -> None:
    job = run_check(lab, "good-nsec.test")
    assert job.state == "done" and job.result is not None
    assert job.result.diagnosis["status"] == "secure" and job.result.notice is None


@pytest.mark.parametrize(
    ("name", "refused"),
    [
        ("to-loopback.test", ["127.0.0.1 is a loopback address (RFC 1122)"]),
        ("to-ten.test", ["10.1.2.3 is a private address (RFC 1918)"]),
        ("to-name.test", ["10.9.9.9 is a private address (RFC 1918)"]),
        (
            "mapped.private-host.test",
            ["::ffff:7f00:1 leads to 127.0.0.1 (IPv4-mapped), a loopback address (RFC 1122)"],
        ),
    ],
)
def test_a_delegation_to_private_addresses_is_refused(
    lab: BackgroundLab, name: str, refused: list[str]
) -> None:
    job = run_check(lab, name)
    # The parent answered, so the check reports on the zone and says whom it did not ask.
    message = job.error if job.result is None else job.result.notice
    assert message is not None, job
    for reason in refused:
        assert reason in message, message
    assert "--allow-private-targets" in message
    # Refused means never sent: no private address is among the servers queried.
    assert not any(s.startswith(("127.0.0.", "10.")) for s in job.progress.servers)


def test_a_name_resolving_to_private_addresses_is_refused(lab: BackgroundLab) -> None:
    job = run_check(lab, "www.to-name.test")
    message = job.error if job.result is None else job.result.notice
    assert message is not None and "10.9.9.9 is a private address" in message


def test_loopback_is_queried_when_private_targets_are_allowed(lab: BackgroundLab) -> None:
    job = run_check(lab, "to-loopback.test", allow_private=True)
    assert "127.0.0.1" in job.progress.servers
    message = job.error if job.result is None else job.result.notice
    assert message is None or "address policy" not in message
