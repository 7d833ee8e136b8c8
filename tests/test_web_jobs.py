"""The job store and the rate limits of `serve`, with a fake clock and scripted runners."""

from __future__ import annotations

import asyncio

import pytest

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.model.capture import Exchange
from dnssec_doctor.model.query import QuerySpec
from dnssec_doctor.web.inputs import InputError, check_input, split_addresses
from dnssec_doctor.web.jobs import (
    CheckInput,
    CheckResult,
    Job,
    JobStore,
    QueueFullError,
    StoreLimits,
)
from dnssec_doctor.web.pacing import (
    ClientLimiter,
    DestinationPacer,
    KeyedBuckets,
    PacedWire,
    ProbeProgress,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def result(size: int = 10) -> CheckResult:
    return CheckResult({"status": "secure"}, "x" * size, b"", 0)


async def finish(job: Job) -> None:
    job.result, job.state = result(), "done"


def test_a_finished_check_is_reused_within_the_window_only() -> None:
    clock = Clock()

    async def scenario() -> None:
        store = JobStore(StoreLimits(reuse_seconds=300), finish, clock)
        check = check_input("Example.TEST")
        job = store.submit(check)
        assert store.reusable(check_input("example.test.")) is job  # pending: reused too
        await asyncio.sleep(0.01)
        assert job.state == "done"
        clock.now += 299
        assert store.reusable(check) is job
        assert store.reusable(check_input("example.test", ns=["192.0.2.1"])) is None
        clock.now += 2
        assert store.reusable(check) is None

    asyncio.run(scenario())


def test_a_failed_check_is_not_reused() -> None:
    async def fail(job: Job) -> None:
        job.state, job.error = "failed", "no server answered"

    async def scenario() -> None:
        store = JobStore(StoreLimits(), fail)
        job = store.submit(check_input("example.test"))
        await asyncio.sleep(0.01)
        assert job.state == "failed" and store.reusable(job.input) is None

    asyncio.run(scenario())


def test_running_and_queued_checks_are_bounded() -> None:
    release = asyncio.Event()
    running: list[str] = []

    async def hold(job: Job) -> None:
        running.append(job.input.name)
        await release.wait()
        await finish(job)

    async def scenario() -> None:
        store = JobStore(StoreLimits(max_running=2, max_queued=1), hold)
        jobs = [store.submit(CheckInput(f"n{i}.test.")) for i in range(3)]
        await asyncio.sleep(0.01)
        assert [j.state for j in jobs] == ["running", "running", "queued"]
        assert jobs[2].progress_text() == "queued: waiting for a free slot…"
        with pytest.raises(QueueFullError):
            store.submit(CheckInput("n3.test."))
        release.set()
        await asyncio.sleep(0.01)
        assert [j.state for j in jobs] == ["done"] * 3 and len(running) == 3

    asyncio.run(scenario())


def test_old_finished_checks_are_evicted_by_count_and_size() -> None:
    async def scenario() -> None:
        store = JobStore(StoreLimits(max_stored=2, max_bytes=10**6), finish)
        jobs = []
        for i in range(4):
            jobs.append(store.submit(CheckInput(f"n{i}.test.")))
            await asyncio.sleep(0.01)
        assert [store.get(j.id) is not None for j in jobs] == [False, False, True, True]
        assert store.reusable(jobs[0].input) is None

        async def big(job: Job) -> None:
            job.result, job.state = result(600_000), "done"

        sized = JobStore(StoreLimits(max_stored=100, max_bytes=10**6), big)
        first = sized.submit(CheckInput("a.test."))
        await asyncio.sleep(0.01)
        second = sized.submit(CheckInput("b.test."))
        await asyncio.sleep(0.01)
        assert sized.get(first.id) is None and sized.get(second.id) is second

    asyncio.run(scenario())


def test_a_runner_that_raises_fails_its_job_without_details(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async def broken(job: Job) -> None:
        raise KeyError("internal state")

    async def scenario() -> Job:
        store = JobStore(StoreLimits(), broken)
        job = store.submit(CheckInput("a\x1b.test."))
        await asyncio.sleep(0.01)
        return job

    job = asyncio.run(scenario())
    assert job.state == "failed" and job.error == "internal error: KeyError"
    assert capsys.readouterr().err == (
        "dnssec-doctor: check of a\\027.test. failed: KeyError('internal state')\n"
    )


def test_progress_text_counts_servers_and_queries() -> None:
    job = Job("id", CheckInput("a.test."), 0.0, state="running", phase="probing")
    job.progress.queries = 87
    job.progress.servers = {f"192.0.2.{i}" for i in range(12)}
    assert job.progress_text() == "asking 12 servers… 87 queries…"
    job.phase = "analysing"
    assert job.progress_text() == "asking 12 servers… 87 queries… analysing…"


def test_a_client_gets_its_burst_then_waits() -> None:
    clock = Clock()
    limiter = ClientLimiter(per_minute=6, burst=2, clock=clock)
    assert limiter.admit("a") == 0 and limiter.admit("a") == 0
    assert limiter.admit("a") == pytest.approx(10.0)
    assert limiter.admit("b") == 0  # another client has its own bucket
    clock.now += 10
    assert limiter.admit("a") == 0


def test_queries_to_one_destination_are_paced_across_jobs() -> None:
    clock = Clock()
    pacer = DestinationPacer(per_second=10, burst=2, clock=clock)
    server, other_port = ServerAddress("192.0.2.1"), ServerAddress("192.0.2.1", 5353)
    delays = [pacer.delay(server), pacer.delay(other_port), pacer.delay(server)]
    assert delays == [0, 0, pytest.approx(0.1)]
    assert pacer.delay(server) == pytest.approx(0.2)  # later queries queue behind
    assert pacer.delay(ServerAddress("192.0.2.2")) == 0


def test_the_buckets_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("dnssec_doctor.web.pacing.MAX_TRACKED", 3)
    buckets = KeyedBuckets(1.0, 1.0, Clock())
    for key in "abcd":
        buckets.bucket(key)
    assert list(buckets._buckets) == ["b", "c", "d"]


class EchoWire:
    def __init__(self) -> None:
        self.timeouts: list[float] = []

    async def send(
        self, server: ServerAddress, spec: QuerySpec, transport: str, timeout: float
    ) -> Exchange:
        self.timeouts.append(timeout)
        return Exchange(server=str(server), query=spec, transport="udp", outcome="timeout")


def test_the_paced_wire_counts_and_takes_the_wait_out_of_the_timeout() -> None:
    clock = Clock()
    inner, progress = EchoWire(), ProbeProgress()
    wire = PacedWire(inner, DestinationPacer(100, 1, clock), progress)
    spec = QuerySpec("a.test.", "A")

    async def scenario() -> None:
        await wire.send(ServerAddress("192.0.2.1"), spec, "udp", 1.0)
        await wire.send(ServerAddress("192.0.2.1"), spec, "udp", 1.0)
        await wire.send(ServerAddress("192.0.2.2"), spec, "udp", 1.0)

    asyncio.run(scenario())
    assert progress.queries == 3 and progress.servers == {"192.0.2.1", "192.0.2.2"}
    assert inner.timeouts == [1.0, pytest.approx(0.99), 1.0]


def test_inputs_are_capped_and_canonical() -> None:
    check = check_input(" WWW.Example.test ", ["192.0.2.1", "192.0.2.1:53", "[2001:db8::1]:5353"])
    assert check.name == "WWW.Example.test."
    assert check.ns == ("192.0.2.1", "[2001:db8::1]:5353")
    assert check.key == check_input("www.example.test.", list(reversed(check.ns))).key
    with pytest.raises(InputError, match="too many ns"):
        check_input("a.test", [f"192.0.2.{i}" for i in range(9)])
    with pytest.raises(InputError, match="a name is needed"):
        check_input("  ")
    assert split_addresses("192.0.2.1, 192.0.2.2\n192.0.2.3") == [
        "192.0.2.1",
        "192.0.2.2",
        "192.0.2.3",
    ]
