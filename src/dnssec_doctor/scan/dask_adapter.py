"""Beyond one machine: batches of names on a Dask distributed cluster.

The unit of work is :func:`scan_batch`, a pure function of (names, config): it runs
the one-machine loop (:func:`runner.scan_items`, analysis inline) on the worker and
returns the batch's records. The client (``scan --dask ADDRESS``) reads the input as
it goes, keeps a bounded number of batches submitted, streams results back with
``as_completed`` and writes them in input order (or as they finish, ``--unordered``).

- A worker that dies takes its running batches with it; the scheduler runs them again
  on another worker (Dask's own recovery), and a batch it gives up on (``KilledWorker``
  after repeated deaths) is submitted again here, up to :data:`RESUBMITS` times. A batch
  has one result, so every name is reported exactly once.
- The per-destination rate is global: each batch runs with ``rate / threads`` (the
  cluster's worker threads when the scan starts), so all the batches running at once
  together stay within ``--rate`` for any one server.
- ``distributed`` is imported only here, only for ``--dask``: a clear error when it is
  missing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.scan.captures import CaptureSaver
from dnssec_doctor.scan.config import ScanConfig
from dnssec_doctor.scan.inputs import InputItem
from dnssec_doctor.scan.records import Record, error_record, item_record
from dnssec_doctor.scan.runner import ScanStats, scan_items

RESUBMITS = 3
"""Times a batch lost with its workers is submitted again before its names are errors."""
BATCHES_PER_THREAD = 2
"""Batches in flight per worker thread (one running, one queued): bounded client memory."""


@dataclass(slots=True)
class BatchResult:
    """What one batch sends back: its records and its network counts."""

    records: list[Record]
    sent: int = 0
    reused: int = 0


def scan_batch(
    names: list[tuple[int, str]], config: ScanConfig, keep: CaptureSaver | None = None
) -> BatchResult:
    """Probe and analyse ``names`` ((input line, name) pairs) here; one record each (and
    each capture saved with ``keep``: its directory must be one the worker can reach)."""
    from dnssec_doctor.scan.threaded import inline

    items = [InputItem(line, name, name=name) for line, name in names]
    records: list[Record] = []
    stats = asyncio.run(scan_items(items, config, records.append, inline(config, keep)))
    return BatchResult(records, stats.sent, stats.reused)


@dataclass(slots=True)
class _Unit:
    """One slot of the output order: records ready now, or a batch under way."""

    names: list[tuple[int, str]] = field(default_factory=list)
    future: Any = None
    records: list[Record] | None = None
    tries: int = 0


def scan_with_dask(
    address: str,
    items: Iterable[InputItem],
    config: ScanConfig,
    emit: Callable[[Record], None],
    *,
    ordered: bool = True,
    batch_size: int = 50,
    keep: CaptureSaver | None = None,
) -> ScanStats:
    """Scan ``items`` on the cluster at ``address`` (``local`` or ``local:N``: a
    LocalCluster of one worker process per CPU, or N, on this machine)."""
    try:
        import distributed
    except ImportError:
        raise DoctorError(
            "--dask needs the 'distributed' package (pip install 'dnssec-doctor[dask]')"
        ) from None
    logging.getLogger("distributed").setLevel(logging.ERROR)
    with _client(distributed, address) as client:
        return _Driver(distributed, client, config, emit, ordered, batch_size, keep).run(items)


@contextlib.contextmanager
def _client(distributed: Any, address: str) -> Iterator[Any]:
    if address == "local" or address.startswith("local:"):
        import os

        count = address.partition(":")[2]
        if count and not (count.isdigit() and 0 < int(count) <= 256):
            raise DoctorError(f"--dask {address}: the number of local workers must be 1 to 256")
        cluster = distributed.LocalCluster(
            n_workers=int(count) if count else os.cpu_count() or 1,
            threads_per_worker=1,
            dashboard_address="127.0.0.1:0",  # its HTTP server: loopback, a free port
        )
        try:
            with distributed.Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    try:
        client = distributed.Client(address, timeout=30)
    except (OSError, TimeoutError, ValueError) as exc:
        raise DoctorError(f"cannot reach the Dask scheduler {address}: {exc}") from None
    with client:
        yield client


class _Driver:
    def __init__(
        self,
        distributed: Any,
        client: Any,
        config: ScanConfig,
        emit: Callable[[Record], None],
        ordered: bool,
        batch_size: int,
        keep: CaptureSaver | None = None,
    ) -> None:
        self._dd = distributed
        self._client = client
        info = client.scheduler_info()
        self._threads = max(1, sum(int(w.get("nthreads", 1)) for w in info["workers"].values()))
        self._config = config.with_rate(config.rate / self._threads)
        self._emit = emit
        self._ordered = ordered
        self._batch_size = batch_size
        self._keep = keep
        self._units: deque[_Unit] = deque()
        self._by_future: dict[str, _Unit] = {}
        self._done = self._dd.as_completed()
        self._stats = ScanStats()

    def run(self, items: Iterable[InputItem]) -> ScanStats:
        import time

        started = time.monotonic()
        limit = BATCHES_PER_THREAD * self._threads
        batch: list[tuple[int, str]] = []
        for item in items:
            self._stats.names += 1
            ready = item_record(item)
            if ready is not None:
                self._flush(batch)
                batch = []
                self._units.append(_Unit(records=[ready]))
            else:
                assert item.name is not None
                batch.append((item.line, item.name))
                if len(batch) >= self._batch_size:
                    self._flush(batch)
                    batch = []
            while len(self._by_future) >= limit:
                self._collect_one()
            self._drain()
        self._flush(batch)
        while self._by_future:
            self._collect_one()
            self._drain()
        self._drain()
        self._stats.seconds = time.monotonic() - started
        return self._stats

    def _flush(self, batch: list[tuple[int, str]]) -> None:
        if batch:
            unit = _Unit(names=batch)
            self._units.append(unit)
            self._submit(unit)

    def _submit(self, unit: _Unit) -> None:
        unit.tries += 1
        unit.future = self._client.submit(
            scan_batch, unit.names, self._config, self._keep, pure=False
        )
        self._by_future[unit.future.key] = unit
        self._done.add(unit.future)

    def _collect_one(self) -> None:
        future = next(self._done)
        unit = self._by_future.pop(future.key)
        try:
            result: BatchResult = future.result()
        except self._dd.KilledWorker:
            if unit.tries <= RESUBMITS:
                self._submit(unit)
                return
            unit.records = [error_record(line, name, "the workers scanning it died")
                            for line, name in unit.names]  # fmt: skip
        except DoctorError:
            raise  # e.g. a capture that cannot be written: the scan stops with that line
        except Exception as exc:
            why = f"the batch failed on the cluster ({type(exc).__name__}: {exc})"
            unit.records = [error_record(line, name, why) for line, name in unit.names]
        else:
            unit.records = result.records
            self._stats.sent += result.sent
            self._stats.reused += result.reused
        finally:
            future.release()

    def _drain(self) -> None:
        """Write the records that may be written now (in order, or all that are done)."""
        if self._ordered:
            while self._units and self._units[0].records is not None:
                for record in self._units.popleft().records or []:
                    self._emit(record)
            return
        for unit in [u for u in self._units if u.records is not None]:
            self._units.remove(unit)
            for record in unit.records or []:
                self._emit(record)
