"""The ``ds`` command's own text section: what to upload, the verdict on each candidate,
and the DS the parent publishes now (after the findings, which ``render.text`` writes).

Every line passes through ``terminal``: the candidates are the user's input, and
the zone's names come from the network.
"""

from __future__ import annotations

from dnssec_doctor.dnssec.algorithms import algorithm_name, digest_info
from dnssec_doctor.ds.preflight import Preflight
from dnssec_doctor.ds.upload import parent_ds_states
from dnssec_doctor.escape import terminal

VERDICT_WORDS = {
    "ok": "would be accepted",
    "policy": "valid, but refused by the registry policy",
    "rejected": "would be rejected",
    "unreadable": "cannot be read",
}
"""A candidate's verdict in words."""


def render_preflight_text(result: Preflight) -> str:
    """The records to upload, the verdict on each candidate, and the parent's DS now."""
    zone = result.live.zone
    n = len(result.live.servers)
    lines = []
    if result.live.asked != zone:
        lines += [
            "",
            f"{result.live.asked.to_text()} is not a zone apex: the records below are for the "
            f"zone holding it, {zone.to_text()}",
        ]
    what = "DS" if result.policy.accepts_ds else "DNSKEY"
    lines.append("")
    lines.append(f"{what} to upload for {zone.to_text()} (registry policy {result.policy.name})")
    if not result.upload:
        lines.append("  none: no key signs the DNSKEY RRset on every server (see above)")
    for u in result.upload:
        lines.append("  " + (u.ds_line(zone) if result.policy.accepts_ds else u.dnskey_line(zone)))
        facts = (
            f"{u.key.role} {u.key.tag}, {algorithm_name(u.ds.algorithm)}"
            + (f", {digest_info(u.ds.digest_type).mnemonic} digest" if result.policy.accepts_ds
               else "")
            + f"; signs the DNSKEY RRset on all {n} servers"
            + ("; already published at the parent" if u.at_parent else "; not yet at the parent")
        )  # fmt: skip
        lines.append(f"      {facts}")
    if result.verdicts:
        lines += ["", "Candidates checked"]
        for v in result.verdicts:
            codes = f" ({', '.join(v.codes)})" if v.codes else ""
            lines.append(
                f"  line {v.record.line}: {v.record.label}: {VERDICT_WORDS[v.status]}{codes}"
            )
            lines.append(f"      {v.read_as}")
    states = parent_ds_states(result.live, result.keys)
    if states:
        lines += ["", f"DS the parent publishes now for {zone.to_text()}"]
        for state in states:
            lines.append(f"  {state['record']}")
            lines.append(f"      {state['state']}")
    return "\n".join(terminal(line) for line in lines) + "\n"
