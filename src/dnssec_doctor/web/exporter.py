"""The exporter's own metrics (``/metrics``): probes by result, their duration, in flight.

No label names a target: the checked names would make one series each, growing
without bound on a server that anyone may ask (Prometheus' advice on cardinality).
The per-name numbers are what ``/probe`` returns, and Prometheus labels them by target.
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

RESULTS = ("success", "failure", "refused", "timeout", "busy", "bad_target")
"""How a ``/probe`` request ends; every one is a series from the start (at 0)."""
DURATION_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)


class ExporterMetrics:
    """The counters of one server, in a registry of their own (not the global one)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.probes = Counter(
            "dnssec_exporter_probes",
            "Probe requests by result.",
            ["result"],
            registry=self.registry,
        )
        for result in RESULTS:
            self.probes.labels(result)
        self.duration = Histogram(
            "dnssec_exporter_probe_duration_seconds",
            "Seconds a probe request took.",
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "dnssec_exporter_probes_in_flight",
            "Probes running now.",
            registry=self.registry,
        )

    def observe(self, result: str, seconds: float) -> None:
        """Count one finished probe request."""
        self.probes.labels(result).inc()
        self.duration.observe(seconds)

    def count(self, result: str) -> None:
        """Count a request that ran no probe (busy, bad target)."""
        self.probes.labels(result).inc()

    def exposition(self) -> str:
        """The text exposition of the exporter's metrics."""
        return generate_latest(self.registry).decode("utf-8")
