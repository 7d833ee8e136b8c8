"""``dnssec-doctor explain CODE``: what a problem code means and how to fix it."""

from __future__ import annotations

from argparse import ArgumentParser

from dnssec_doctor import catalog
from dnssec_doctor.cli.parser import describe
from dnssec_doctor.errors import DoctorError


def explain_arguments(parser: ArgumentParser) -> None:
    """``explain``'s argument."""
    describe(parser, explain, "%(prog)s CODE")
    parser.add_argument(
        "code", metavar="CODE", help="A problem code (case and - or _ as you like)."
    )


def explain(code: str) -> None:
    """Explain a problem CODE from the catalog (e.g. DS_NO_MATCHING_DNSKEY)."""
    wanted = code.strip().upper().replace("-", "_")
    try:
        item = catalog.entry(wanted)
    except KeyError:
        close = [e.code for e in catalog.ALL_ENTRIES if wanted[:6] in e.code][:5]
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise DoctorError(f"unknown problem code {code!r}{hint}") from None
    symptoms = ", ".join(catalog.SYMPTOMS[s] for s in item.symptoms) or "—"
    print(f"{item.code}  [{item.severity.label}]  section {item.section}")
    print(f"{item.title}\n")
    print(item.explanation + "\n")
    if item.detected:
        print(f"Evidence shown: {item.evidence}")
    else:
        what = item.not_detected
        print(f"Not detected yet: dnssec-doctor does not report this code today; {what}.")
        print(f"Evidence a check would need: {item.evidence}")
    print(f"Symptoms: {symptoms}")
    print(f"Fix: {item.fix}")
    if item.peers:
        print(f"Peers: {item.peers}")
