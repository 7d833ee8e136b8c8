"""`dnssec-doctor serve`: Uvicorn on a real loopback socket, probing the embedded lab.

The server reads the clock (it monitors the present), so this module's lab is
signed as of the real time; everything asserted is a state, never a timing.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

import labbases
import webserve
from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.lab.background import BackgroundLab
from dnssec_doctor.lab.scenarios import build_lab
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.anchors import anchors_from_lines
from dnssec_doctor.web.exporter import ExporterMetrics
from dnssec_doctor.web.prober import BusyError, ProbeConfig, Prober

HOST = f"{labbases.EMBEDDED}.253.1"
"""Where the servers of this module listen: the tests' own range, beside the lab."""


@pytest.fixture(scope="module")
def lab() -> Iterator[BackgroundLab]:
    with BackgroundLab(
        build_lab(
            int(time.time()),
            base=labbases.EMBEDDED,
            seed=7,
            names=["good-nsec", "expired-signatures"],
        )
    ) as running:
        yield running


@pytest.fixture(scope="module")
def anchor(lab: BackgroundLab, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return lab.anchor_file(tmp_path_factory.mktemp("anchor"))


@contextmanager
def serving(lab: BackgroundLab, anchor: Path, port: int, *extra: str) -> Iterator[str]:
    """`dnssec-doctor serve` in a subprocess on this module's address; its base URL."""
    with webserve.serving(lab, anchor, port, *extra, host=HOST) as url:
        yield url


def get(url: str) -> tuple[int, str, str]:
    """Status, content type and body of a GET (errors included)."""
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read().decode()


def probe(base: str, target: str) -> tuple[int, str]:
    status, _, body = get(f"{base}/probe?{urllib.parse.urlencode({'target': target})}")
    return status, body


def samples(text: str) -> dict[str, list[Sample]]:
    return {f.name: list(f.samples) for f in text_string_to_metric_families(text)}


def value(found: dict[str, list[Sample]], metric: str, **labels: str) -> float:
    matching = [s.value for s in found[metric] if all(s.labels[k] == v for k, v in labels.items())]
    assert len(matching) == 1, (metric, labels, found.get(metric))
    return matching[0]


def test_probe_with_private_targets_allowed(lab: BackgroundLab, anchor: Path) -> None:
    with serving(lab, anchor, 9153, "--allow-private-targets") as base:
        status, kind, body = get(f"{base}/probe?target=good-nsec.test")
        assert status == 200 and kind.startswith("text/plain; version=0.0.4"), body
        found = samples(body)
        assert value(found, "dnssec_probe_success") == 1
        assert value(found, "dnssec_chain_state", state="secure") == 1
        assert value(found, "dnssec_servers_ok") == value(found, "dnssec_servers") == 6
        expiry = value(found, "dnssec_signature_expiry_timestamp_seconds")
        assert expiry > value(found, "dnssec_check_timestamp_seconds") + 20 * 86400

        status, body = probe(base, "expired-signatures.test")
        found = samples(body)
        assert status == 200 and value(found, "dnssec_chain_state", state="bogus") == 1
        assert value(found, "dnssec_root_cause", code="RRSIG_EXPIRED") == 1

        # Hostile names are label values, escaped; nothing else enters the exposition.
        status, body = probe(base, "x|y=1\\010<script>.good-nsec.test")
        found = samples(body)
        assert status == 200, body
        assert value(found, "dnssec_probe_success") == 1
        (success,) = found["dnssec_probe_success"]
        assert success.labels == {"name": "x|y=1\\010<script>.good-nsec.test."}

        status, _, own = get(f"{base}/metrics")
        exporter = samples(own)
        assert status == 200
        assert value(exporter, "dnssec_exporter_probes", result="success") == 3
        assert value(exporter, "dnssec_exporter_probes", result="refused") == 0
        assert value(exporter, "dnssec_exporter_probes_in_flight") == 0
        # No series names a target: the exporter's own metrics do not grow with names.
        assert "good-nsec" not in own
        assert all(set(s.labels) <= {"result", "le"} for v in exporter.values() for s in v)


@pytest.fixture(scope="module")
def strict(lab: BackgroundLab, anchor: Path) -> Iterator[str]:
    """A server started without --allow-private-targets."""
    with serving(lab, anchor, 9154) as base:
        yield base


def test_loopback_target_is_refused_by_default(strict: str) -> None:
    status, body = probe(strict, "good-nsec.test")
    assert status == 200
    found = samples(body)
    assert value(found, "dnssec_probe_success") == 0
    assert "dnssec_chain_state" not in found
    # The root (the operator's own hint) answered; the delegation to test. on
    # loopback was refused at send time, and the response says so and why.
    (comment,) = [line for line in body.splitlines() if line.startswith("# dnssec-doctor:")]
    assert f"refused to query {labbases.EMBEDDED}." in comment
    assert "loopback" in comment and "--allow-private-targets" in comment
    _, _, own = get(f"{strict}/metrics")
    assert value(samples(own), "dnssec_exporter_probes", result="refused") == 1


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "exactly one target is needed"),
        ("target=", "missing target"),
        ("target=a.test&target=b.test", "exactly one target is needed"),
        ("target=" + "a" * 1025, "target too long (1025 characters"),
        ("target=a%0Ab.test", "control characters are not allowed"),
        ("target=" + "a." * 130, "invalid name"),
        ("target=" + "a" * 300, "A DNS label is > 63 octets long"),
        ("target=..", "A DNS label is empty"),
        ("target=%E2%98%83.test", "IDNA processing exception"),
        ("target=%FF%FE", "invalid name"),
    ],
)
def test_bad_targets_are_400(strict: str, query: str, message: str) -> None:
    status, kind, body = get(f"{strict}/probe?{query}")
    assert status == 400 and kind.startswith("text/plain"), body
    assert message in body and body.count("\n") == 1


def test_a_markup_target_is_a_name_served_as_text(strict: str) -> None:
    # "<script>" is a valid DNS label: probed (and refused: loopback), never HTML.
    status, headers, raw = webserve.request(f"{strict}/probe?target=%3Cscript%3E.test")
    assert status == 200 and headers["content-type"].startswith("text/plain"), raw
    assert headers["x-content-type-options"] == "nosniff"
    assert value(samples(raw.decode()), "dnssec_probe_success", name="<script>.test.") == 0


def test_concurrent_probes_wait_for_a_slot(lab: BackgroundLab, anchor: Path) -> None:
    # Six probes at once on two slots: the others wait for a free slot (within the
    # deadline) rather than fail, and the exporter counts each once.
    with (
        serving(lab, anchor, 9157, "--allow-private-targets", "--max-concurrent", "2") as base,
        ThreadPoolExecutor(6) as pool,
    ):
        replies = list(pool.map(lambda _: probe(base, "good-nsec.test"), range(6)))
        assert [status for status, _ in replies] == [200] * 6
        assert all(value(samples(body), "dnssec_probe_success") == 1 for _, body in replies)
        _, _, own = get(f"{base}/metrics")
    exporter = samples(own)
    assert value(exporter, "dnssec_exporter_probes", result="success") == 6
    assert value(exporter, "dnssec_exporter_probes", result="busy") == 0
    assert value(exporter, "dnssec_exporter_probes_in_flight") == 0
    (count,) = [
        s.value
        for s in exporter["dnssec_exporter_probe_duration_seconds"]
        if s.name.endswith("_count")
    ]
    assert count == 6


def test_a_saturated_prober_answers_busy(lab: BackgroundLab) -> None:
    # Every slot taken: a new probe waits up to its deadline for one, then gives up.
    config = ProbeConfig(
        root_hints=lab.plan.root_hints,
        trust_anchors=anchors_from_lines(lab.plan.trust_anchor_ds),
        limits=Limits(deadline=0.5),
        max_concurrent=1,
    )
    metrics = ExporterMetrics()

    async def saturated() -> None:
        prober = Prober(config, metrics)
        async with prober._slot():
            await prober.probe("example.test")

    with pytest.raises(BusyError):
        asyncio.run(saturated())


def test_a_port_in_use_is_one_line_and_exit_3(anchor: Path) -> None:
    with socket.socket() as taken:
        taken.bind((HOST, 9156))
        taken.listen()
        result = subprocess.run(
            [sys.executable, "-m", "dnssec_doctor", "serve", "--host", HOST, "--port", "9156",
             "--trust-anchor", str(anchor)],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert result.returncode == 3
    assert (
        result.stderr
        == f"dnssec-doctor: cannot listen on {HOST} port 9156: Address already in use\n"
    )


def test_nothing_answering_is_a_failed_probe(lab: BackgroundLab) -> None:
    nowhere = ServerAddress(f"{labbases.EMBEDDED}.254.254")  # nothing listens there
    config = ProbeConfig(
        root_hints=(nowhere,),
        trust_anchors=anchors_from_lines(lab.plan.trust_anchor_ds),
        limits=Limits(query_timeout=0.2, retries=0, deadline=5),
    )
    metrics = ExporterMetrics()
    reply = asyncio.run(Prober(config, metrics).probe("good-nsec.test"))
    assert reply.result == "failure"
    found = samples(reply.text)
    assert value(found, "dnssec_probe_success", name="good-nsec.test.") == 0
    assert "# dnssec-doctor: no server answered for good-nsec.test." in reply.text
    assert value(samples(metrics.exposition()), "dnssec_exporter_probes", result="failure") == 1


def test_probes_pass_through_the_pacer_the_web_checks_share(lab: BackgroundLab) -> None:
    from dnssec_doctor.web.pacing import DestinationPacer

    config = ProbeConfig(
        root_hints=lab.plan.root_hints,
        trust_anchors=anchors_from_lines(lab.plan.trust_anchor_ds),
        limits=Limits(query_timeout=1),
        allow_private_targets=True,
    )
    pacer = DestinationPacer(per_second=1000, burst=1000)
    reply = asyncio.run(Prober(config, ExporterMetrics(), pacer).probe("good-nsec.test"))
    assert reply.result == "success"
    paced = set(pacer._buckets._buckets)
    assert {a.ip for a in lab.plan.root_hints} <= paced
    assert any(ip.endswith(".1.1") for ip in paced)  # test.'s servers too
