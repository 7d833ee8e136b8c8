"""Prometheus text exposition of a diagnosis (node_exporter textfile collector, ``serve``).

Names follow the Prometheus conventions: a ``dnssec_`` prefix, base units
(``_seconds``), times as Unix timestamps (``_timestamp_seconds``) rather than "days
left" gauges, which go stale the moment they are written; alert rules compute
``… - time()``. Every series carries the checked ``name``, so one textfile directory
can hold the files of many checks. Labels hold only bounded sets: the name, the zones
on its chain, states, severities and catalog codes. Label values pass through
``terminal`` (no control characters), and the client library escapes ``\\``, ``"``
and newlines.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from dnssec_doctor.escape import terminal
from dnssec_doctor.model.findings import Diagnosis
from dnssec_doctor.render.monitoring import (
    RunFacts,
    findings_by_severity,
    problem_codes,
    servers_ok,
    zone_expiries,
)

STATES = ("secure", "insecure", "bogus", "indeterminate")
"""RFC 4035 §4.3 validation states: one series each, 1 for the state of the name."""


def render_prometheus(d: Diagnosis, run: RunFacts | None = None) -> str:
    """The exposition text of one diagnosis."""
    return _expose(_DiagnosisCollector(d, run or RunFacts()))


def render_prometheus_failure(name: str | None, message: str, duration: float | None = None) -> str:
    """``dnssec_probe_success 0`` (and why, as a comment) for a check that could not diagnose."""
    labels = {"name": terminal(name)} if name else {}
    families = [_gauge("dnssec_probe_success", _SUCCESS_HELP, labels, 0)]
    if duration is not None:
        families.append(_gauge("dnssec_probe_duration_seconds", _DURATION_HELP, labels, duration))
    # A comment line is ignored by every parser; "# " followed by our own prefix can
    # never read as a HELP or TYPE line, and ``terminal`` keeps it on one line.
    return f"# dnssec-doctor: {terminal(message)}\n" + _expose(_Families(families))


_SUCCESS_HELP = "1 when the check reached servers and diagnosed the name, else 0."
_DURATION_HELP = "Seconds the check took (probe and analysis)."


class _Families(Collector):
    def __init__(self, families: Iterable[Metric]) -> None:
        self._families = list(families)

    def collect(self) -> Iterator[Metric]:
        yield from self._families


class _DiagnosisCollector(Collector):
    """The metric families of one diagnosis."""

    def __init__(self, d: Diagnosis, run: RunFacts) -> None:
        self.d, self.run = d, run

    def collect(self) -> Iterator[Metric]:
        d = self.d
        name = {"name": terminal(d.name)}
        yield _gauge("dnssec_probe_success", _SUCCESS_HELP, name, 1)
        if self.run.duration is not None:
            yield _gauge("dnssec_probe_duration_seconds", _DURATION_HELP, name, self.run.duration)
        yield _gauge(
            "dnssec_probe_queries", "DNS queries the check sent.", name, d.stats.get("queries", 0)
        )
        yield _gauge(
            "dnssec_check_timestamp_seconds",
            "When validity was evaluated (--at, default now), as a Unix timestamp.",
            name,
            d.at,
        )
        state = GaugeMetricFamily(
            "dnssec_chain_state",
            "Validation state of the name through its chain of trust (RFC 4035 4.3): "
            "1 for the current state.",
            labels=["name", "state"],
        )
        for s in STATES:
            state.add_metric([name["name"], s], 1 if d.status == s else 0)
        yield state
        expiries = zone_expiries(d)
        if expiries:
            yield _gauge(
                "dnssec_signature_expiry_timestamp_seconds",
                "Earliest expiration of a signature on the chain that validation needs "
                "(in the past once they have expired), as a Unix timestamp.",
                name,
                min(expiries.values()),
            )
        yield self._zones(expiries)
        yield from self._findings()
        total = len(d.servers)
        yield _gauge("dnssec_servers", "Authoritative servers on the chain.", name, total)
        yield _gauge(
            "dnssec_servers_ok",
            "Servers on the chain that no warning, error or critical finding names.",
            name,
            servers_ok(d),
        )

    def _zones(self, expiries: dict[str, int]) -> Metric:
        expiry = GaugeMetricFamily(
            "dnssec_zone_signature_expiry_timestamp_seconds",
            "Earliest expiration of a signature each zone on the chain needs (Unix time).",
            labels=["name", "zone"],
        )
        for zone, until in expiries.items():
            expiry.add_metric([terminal(self.d.name), terminal(zone)], until)
        return expiry

    def _findings(self) -> Iterator[Metric]:
        name = terminal(self.d.name)
        counts = GaugeMetricFamily(
            "dnssec_findings",
            "Findings of the check by severity.",
            labels=["name", "severity"],
        )
        for severity, count in sorted(findings_by_severity(self.d).items()):
            counts.add_metric([name, severity.label], count)
        yield counts
        roots = GaugeMetricFamily(
            "dnssec_root_cause",
            "1 for each problem code (warning or worse) that no other finding explains.",
            labels=["name", "code"],
        )
        for code in problem_codes(self.d, limit=50):
            roots.add_metric([name, code], 1)
        yield roots


def _gauge(name: str, help_text: str, labels: dict[str, str], value: float) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, help_text, labels=list(labels))
    family.add_metric(list(labels.values()), value)
    return family


def _expose(collector: Collector) -> str:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    return generate_latest(registry).decode("utf-8")
