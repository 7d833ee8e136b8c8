"""Nothing but the report: no dependency warning reaches the user's terminal.

cryptography 51 deprecates DSA and warns when dnspython's DNSSEC module is imported;
a user running `check`, `zone` or `ds` on a healthy zone must see an empty stderr, with
whatever releases pyproject.toml allows (`make test-latest` runs this on the newest).
The CLI runs in a fresh interpreter with every warning shown once (``-W default``),
stricter than a user's terminal, so any warning a dependency raises is caught here.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import dns.name
import dns.zone
import pytest
from cryptography.utils import CryptographyDeprecationWarning

from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec
from dnssec_doctor.dnssec.dnspython_dnssec import dnssecalgs
from labthread import LAB_NOW, LabThread, start_lab

ORIGIN = dns.name.from_text("example.test.")


def doctor_shown_warnings(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-W", "default", "-m", "dnssec_doctor", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def lab() -> Iterator[LabThread]:
    with start_lab(["good-nsec"]) as running:
        yield running


def signed_zone_file(directory: Path, algorithm: int) -> Path:
    text = "$TTL 300\n@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ NS ns1\nns1 A 192.0.2.1\n"
    zone = dns.zone.from_text(text, ORIGIN, relativize=False)
    with warnings.catch_warnings():
        # signing with DSA is the test's business; verifying it must stay silent
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        cls = dnssecalgs.get_algorithm_cls(algorithm)
        private = cls.generate(1024) if algorithm == 3 else cls.generate()  # type: ignore[call-arg]
        dnskey = private.public_key().to_dnskey(flags=257)
        dnspython_dnssec.sign_zone(
            zone,
            keys=[(private, dnskey)],
            inception=LAB_NOW - 86400,
            expiration=LAB_NOW + 86400,
            policy=dnspython_dnssec.allow_all_policy,
        )
    path = directory / f"example.test.{algorithm}.signed"
    path.write_text(zone.to_text(relativize=False), encoding="utf-8")
    return path


def test_check_and_ds_of_a_healthy_zone_print_nothing_on_stderr(
    lab: LabThread, tmp_path: Path
) -> None:
    anchor = str(lab.anchor_file(tmp_path))
    common = ["--root-hints", lab.root_hints, "--trust-anchor", anchor]
    checked = doctor_shown_warnings("check", "good-nsec.test", *common, "--at", f"@{LAB_NOW}")
    assert checked.returncode == 0, checked.stdout
    assert "SECURE" in checked.stdout.upper()
    assert checked.stderr == ""
    ds = doctor_shown_warnings("ds", "good-nsec.test", *common)
    assert "good-nsec.test" in ds.stdout
    assert ds.stderr == ""


@pytest.mark.parametrize("algorithm", [13, 3])  # ECDSA, and DSA which cryptography deprecates
def test_zone_verification_prints_nothing_on_stderr(tmp_path: Path, algorithm: int) -> None:
    path = signed_zone_file(tmp_path, algorithm)
    verified = doctor_shown_warnings("zone", str(path), "--at", f"@{LAB_NOW}", "--format", "json")
    assert '"status"' in verified.stdout
    assert "RRSIG_CRYPTO_INVALID" not in verified.stdout  # DSA really was verified
    assert verified.stderr == ""
