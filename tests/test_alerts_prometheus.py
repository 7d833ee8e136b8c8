"""`check --format prometheus` against the embedded lab, read back with the client's parser."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

import labbases
from clirun import Run, invoke
from dnssec_doctor.escape import terminal
from dnssec_doctor.render.prometheus import render_prometheus, render_prometheus_failure
from labthread import LAB_NOW, LabThread, start_lab
from render_samples import EVIL, hostile_diagnosis

LAB_EXPIRY = LAB_NOW + 30 * 86400
"""The lab signs for 30 days from its build time."""


@pytest.fixture(scope="module")
def lab() -> Iterator[LabThread]:
    with start_lab(["good-nsec", "expired-signatures"]) as running:
        yield running


@pytest.fixture(scope="module")
def anchor(lab: LabThread, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return lab.anchor_file(tmp_path_factory.mktemp("anchor"))


def prometheus(lab: LabThread, anchor: Path, name: str) -> Run:
    return invoke(
        "check", name, "--root-hints", lab.root_hints, "--trust-anchor", str(anchor),
        "--timeout", "1", "--at", f"@{LAB_NOW}", "--format", "prometheus",
    )  # fmt: skip


def samples(text: str) -> dict[str, list[Sample]]:
    """Metric family name → its samples, as Prometheus would read them."""
    families = {f.name: (f.type, f.samples) for f in text_string_to_metric_families(text)}
    assert all(kind == "gauge" for kind, _ in families.values())
    assert all(name.startswith("dnssec_") for name in families)
    return {name: list(s) for name, (_, s) in families.items()}


def one(found: dict[str, list[Sample]], metric: str, **labels: str) -> float:
    matching = [s.value for s in found[metric] if all(s.labels[k] == v for k, v in labels.items())]
    assert len(matching) == 1, (metric, labels, found.get(metric))
    return matching[0]


def test_healthy_zone(lab: LabThread, anchor: Path) -> None:
    result = prometheus(lab, anchor, "good-nsec.test")
    assert result.exit_code == 0, result
    found = samples(result.stdout)
    name = "good-nsec.test."
    assert one(found, "dnssec_probe_success", name=name) == 1
    assert one(found, "dnssec_probe_duration_seconds", name=name) > 0
    assert one(found, "dnssec_probe_queries", name=name) > 10
    assert one(found, "dnssec_check_timestamp_seconds", name=name) == LAB_NOW
    states = {s.labels["state"]: s.value for s in found["dnssec_chain_state"]}
    assert states == {"secure": 1, "insecure": 0, "bogus": 0, "indeterminate": 0}
    assert one(found, "dnssec_signature_expiry_timestamp_seconds", name=name) == LAB_EXPIRY
    zones = {
        s.labels["zone"]: s.value for s in found["dnssec_zone_signature_expiry_timestamp_seconds"]
    }
    assert zones == {".": LAB_EXPIRY, "test.": LAB_EXPIRY, name: LAB_EXPIRY}
    by_severity = {s.labels["severity"]: s.value for s in found["dnssec_findings"]}
    assert set(by_severity) == {"info", "notice", "warning", "error", "critical"}
    assert by_severity["warning"] == by_severity["error"] == by_severity["critical"] == 0
    assert found["dnssec_root_cause"] == []
    assert (
        one(found, "dnssec_servers", name=name) == one(found, "dnssec_servers_ok", name=name) == 6
    )
    # No "days left" gauges: time is a timestamp, alert rules subtract time().
    assert not [n for n in found if "days" in n]


def test_broken_zone(lab: LabThread, anchor: Path) -> None:
    result = prometheus(lab, anchor, "expired-signatures.test")
    assert result.exit_code == 2, result
    found = samples(result.stdout)
    assert one(found, "dnssec_probe_success") == 1  # the check ran; the zone is broken
    assert one(found, "dnssec_chain_state", state="bogus") == 1
    assert one(found, "dnssec_findings", severity="critical") >= 1
    assert one(found, "dnssec_root_cause", code="RRSIG_EXPIRED") == 1
    assert one(found, "dnssec_servers_ok") == 4
    # The zone's signatures expired three days ago: the expiry is that time, so an
    # "expires soon" alert keeps firing rather than resolving as the zone breaks.
    expired = LAB_NOW - 3 * 86400
    assert one(found, "dnssec_signature_expiry_timestamp_seconds") == expired
    zones = {
        s.labels["zone"]: s.value for s in found["dnssec_zone_signature_expiry_timestamp_seconds"]
    }
    assert zones == {".": LAB_EXPIRY, "test.": LAB_EXPIRY, "expired-signatures.test.": expired}


def test_queries_are_those_sent_within_the_budget(lab: LabThread, anchor: Path) -> None:
    # The budget stops the walk at the root: the queries it refused were never sent.
    result = invoke(
        "check", "good-nsec.test", "--root-hints", lab.root_hints, "--trust-anchor",
        str(anchor), "--max-queries", "3", "--at", f"@{LAB_NOW}", "--format", "prometheus",
    )  # fmt: skip
    found = samples(result.stdout)
    assert one(found, "dnssec_root_cause", code="ANALYSIS_BUDGET_EXCEEDED") == 1
    assert 0 < one(found, "dnssec_probe_queries") <= 3


def test_unreachable_reports_failure_on_stdout(lab: LabThread, anchor: Path) -> None:
    nowhere = f"{labbases.EMBEDDED}.254.254"
    result = invoke(
        "check", "good-nsec.test", "--root-hints", nowhere, "--trust-anchor", str(anchor),
        "--timeout", "0.2", "--format", "prometheus",
    )  # fmt: skip
    assert result.exit_code == 3
    found = samples(result.stdout)
    # The same series as the check's successes: the name written absolute.
    assert one(found, "dnssec_probe_success", name="good-nsec.test.") == 0
    assert result.stdout.startswith("# dnssec-doctor: no root server answered (")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--warning", "7d"], "--warning and --critical are thresholds of --format nagios"),
        (["--timeout", "abc"], "argument --timeout: 'abc' is not a number"),
    ],
)
def test_bad_options_report_failure_on_stdout(argv: list[str], message: str) -> None:
    # The textfile collector publishes what cron wrote: a failure, never an empty file.
    result = invoke("check", "good-nsec.test", "--format", "prometheus", *argv)
    assert result.exit_code == 3, result
    assert result.stdout.startswith(f"# dnssec-doctor: {message}")
    assert one(samples(result.stdout), "dnssec_probe_success") == 0
    assert message in result.stderr


def test_hostile_names_stay_label_values() -> None:
    d = hostile_diagnosis()
    found = samples(render_prometheus(d))
    (success,) = found["dnssec_probe_success"]
    assert set(success.labels) == {"name"}
    # The parser reads back the whole name, control characters as \DDD (``terminal``).
    assert success.labels["name"] == terminal(EVIL)
    assert "<script>alert(1)</script>" in success.labels["name"]
    assert "\n" not in success.labels["name"] and "\x1b" not in success.labels["name"]
    # Every series is one of ours: nothing in the data added a metric or a label.
    assert all(
        set(s.labels) <= {"name", "zone", "state", "severity", "code"}
        for v in found.values()
        for s in v
    )
    failure = render_prometheus_failure('a"}\nfake_metric 1\n# TYPE x', "line\n# TYPE y counter")
    parsed = samples(failure)
    assert set(parsed) == {"dnssec_probe_success"}
    assert parsed["dnssec_probe_success"][0].labels["name"] == 'a"}\\010fake_metric 1\\010# TYPE x'
