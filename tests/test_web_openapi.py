"""The JSON API against its own OpenAPI document, with schemathesis (property-based).

Schemathesis generates requests from /openapi.json, valid and invalid, sends them to
`dnssec-doctor serve` on a real loopback socket and checks every answer: no server
error, a documented status code and content type, a body that matches the documented
schema, invalid input refused. The server's only root hint is a loopback address
where nothing listens (so every generated name fails quickly, and no packet leaves
the machine); the limits are raised so that the rate limit and the queue do not
answer in the place of the API under test.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

import labbases
from dnssec_doctor.lab.scenarios import build_lab
from labthread import LAB_NOW
from webserve import HOST

PORT = 9164
NOWHERE = f"{labbases.EMBEDDED}.254.253"
"""A loopback address nothing listens on: the only root hint."""


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[schemathesis.BaseSchema]:
    anchor = tmp_path_factory.mktemp("anchor") / "root.ds"
    plan = build_lab(LAB_NOW, base=labbases.EMBEDDED, seed=7, names=[])
    anchor.write_text("\n".join(plan.trust_anchor_ds) + "\n", encoding="ascii")
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "dnssec_doctor", "serve", "--host", HOST, "--port", str(PORT),
            "--root-hints", NOWHERE, "--trust-anchor", str(anchor), "--timeout", "0.05",
            "--deadline", "2", "--client-rate", "100000", "--max-queued", "10000",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        _wait(proc)
        yield schemathesis.openapi.from_url(f"http://{HOST}:{PORT}/openapi.json")
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "Traceback" not in err, err


def _wait(proc: subprocess.Popen[str]) -> None:
    for _ in range(600):
        if proc.poll() is not None:
            raise AssertionError(f"serve exited: {proc.communicate()}")
        try:
            socket.create_connection((HOST, PORT), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("serve did not start listening")


def operations(api_schema: schemathesis.BaseSchema) -> dict[str, schemathesis.APIOperation]:
    return {
        f"{op.method.upper()} {op.path}": op
        for op in (r.ok() for r in api_schema.get_all_operations())
    }


def test_the_schema_has_the_api_and_only_it(api_schema: schemathesis.BaseSchema) -> None:
    assert set(operations(api_schema)) == {
        "POST /api/v1/checks",
        "GET /api/v1/checks/{check_id}",
        "GET /api/v1/names/{name}/history",
    }


# (schemathesis.pytest.from_fixture does not work with pytest 9 yet: the strategies are
# driven with hypothesis here instead, one operation and generation mode at a time.)
@pytest.mark.parametrize("mode", list(schemathesis.GenerationMode))
@pytest.mark.parametrize(
    "operation",
    ["POST /api/v1/checks", "GET /api/v1/checks/{check_id}", "GET /api/v1/names/{name}/history"],
)
def test_the_api_keeps_its_openapi_contract(
    api_schema: schemathesis.BaseSchema, operation: str, mode: schemathesis.GenerationMode
) -> None:
    strategy = operations(api_schema)[operation].as_strategy(generation_mode=mode)

    @given(case=strategy)
    @settings(
        max_examples=30,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def conforms(case: schemathesis.Case) -> None:
        # A string the schema allows may still not be a DNS name or an IP address (label
        # lengths, address syntax): a 422 for it is right, so positive data may be refused.
        case.call_and_validate(excluded_checks=[positive_data_acceptance])

    conforms()
