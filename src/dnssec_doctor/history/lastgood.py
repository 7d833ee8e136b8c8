"""CHANGE_SINCE_LAST_GOOD: what changed since the zone last worked.

Pure. When the newest observation is bad (an error or critical finding) and an
earlier one was good, the changes between the last good state and the newest one
are the likely cause (RFC 2181 §8: caches keep the old data for its TTL, which is
why it may still work for some users). Each change is dated by the first
observation that showed it. When something did change, the finding becomes the
root cause of the newest diagnosis: its error and critical root findings point to
it, and it takes their severity so that reports lead with it. When nothing in the
served data changed, only time moved (signatures expired): the finding is then
context and the analysis's own root causes stay.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from itertools import pairwise

from dnssec_doctor import catalog
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.history.facts import ObservationFacts
from dnssec_doctor.history.records import StoredObservation
from dnssec_doctor.history.timeline import Change, diff
from dnssec_doctor.model.findings import Diagnosis, Finding
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.timefmt import iso

CODE = Code.CHANGE_SINCE_LAST_GOOD
MAX_LISTED = 20
"""Changes listed in the detail text (all of them are in the evidence)."""


def change_since_last_good(
    history: Sequence[StoredObservation], facts: dict[int, ObservationFacts]
) -> Finding | None:
    """The finding for the newest observation of ``history`` (oldest first), or None.

    ``facts`` maps every state id in ``history`` from the last good observation on.
    """
    if not history or history[-1].good:
        return None
    last_good_index = next((i for i in range(len(history) - 1, -1, -1) if history[i].good), None)
    if last_good_index is None:
        return None
    last_good, newest = history[last_good_index], history[-1]
    first_bad = history[last_good_index + 1]
    net = diff(facts[last_good.state_id], facts[newest.state_id])
    seen = _step_changes(history[last_good_index:], facts)
    fallback = first_bad.observed_at
    dated = [(c, next((at for at, ids in seen if c.identity in ids), fallback)) for c in net]
    dated.sort(key=lambda item: (_LIKELY_CAUSE.get(item[0].kind, len(_LIKELY_CAUSE)), item[1]))
    zone = _zone(dated, facts[newest.state_id])
    evidence = {
        "last_good": iso(last_good.observed_at),
        "first_bad": iso(first_bad.observed_at),
        "newest": iso(newest.observed_at),
        "changes": [
            {"at": iso(at), "zone": c.zone, "kind": c.kind, "change": c.text,
             "before": c.before, "after": c.after}
            for c, at in dated
        ],
    }  # fmt: skip
    says, params = _detail(dated, facts[newest.state_id], last_good, first_bad)
    return catalog.finding(
        CODE,
        zone=zone,
        says=says,
        params=params,
        evidence=evidence,
        subject=f"since {iso(last_good.observed_at)}",
        fix=_fix([c for c, _ in dated], facts[newest.state_id]),
    )


_LIKELY_CAUSE = {
    kind: rank
    for rank, kind in enumerate(
        (
            "key-removed",
            "key-revoked",
            "ds-removed",
            "ds-added",
            "denial",
            "nsec3-params",
            "server-silent",
            "server-removed",
            "zone-removed",
            "key-flags",
            "ns",
            "ttl",
            "cds",
            "key-added",
            "server-added",
            "server-answers",
            "zone-added",
            "serial",
            "resigned",
        )
    )
}
"""Changes in the order the detail lists them: what breaks validation most often first."""


def _fix(changes: list[Change], newest: ObservationFacts) -> str | None:
    """A concrete fix for the changes that most often break a zone; None: the catalog's."""
    steps = []
    for change in changes:
        if change.kind == "key-removed" and change.before:
            tag = int(change.before)
            if any(d.zone == change.zone and d.key_tag == tag for d in newest.ds):
                steps.append(
                    f"Publish key {tag} in the DNSKEY RRset of {change.zone} again and sign the "
                    "DNSKEY RRset with it, or upload the DS of the new KSK; remove the old key "
                    "only once the new DS has been at the parent for its TTL (RFC 7583 §3.3)"
                )
            elif any(s.zone == change.zone and s.key_tag == tag for s in newest.signatures):
                steps.append(
                    f"Publish key {tag} in {change.zone} again: signatures made with it are "
                    "still served; remove it only after they are replaced and their TTL passed"
                )
        elif change.kind == "ds-removed" and change.before:
            steps.append(
                f"Check the DS set of {change.zone} at the registry: DS {change.before} was "
                "removed; it must match a KSK the zone publishes and signs with"
            )
    if not steps:
        return None
    return "; ".join(dict.fromkeys(steps)) + "."


def _step_changes(
    steps: Sequence[StoredObservation], facts: dict[int, ObservationFacts]
) -> list[tuple[int, set[tuple[str, str, str]]]]:
    """Each step where the served state changed: its time and what changed."""
    out = []
    for before, after in pairwise(steps):
        if before.state_id != after.state_id:
            changed = diff(facts[before.state_id], facts[after.state_id])
            out.append((after.observed_at, {c.identity for c in changed}))
    return out


def _zone(dated: list[tuple[Change, int]], newest: ObservationFacts) -> str:
    for change, _ in dated:
        if change.kind != "resigned":
            return change.zone
    return newest.zones[-1] if newest.zones else "."


def _detail(
    dated: list[tuple[Change, int]],
    newest: ObservationFacts,
    last_good: StoredObservation,
    first_bad: StoredObservation,
) -> tuple[str, dict[str, object]]:
    """The detail's case and parameters: the changes, newest state's view of each (the
    list of changes is data, one clause per change, so it is one parameter)."""
    params: dict[str, object] = {
        "last_good": iso(last_good.observed_at),
        "status": last_good.status,
    }
    if not dated:
        return "nothing_changed", {**params, "first_bad": iso(first_bad.observed_at)}
    params["changes"] = "; ".join(_sentence(c, at, newest) for c, at in dated[:MAX_LISTED])
    more = len(dated) - MAX_LISTED
    if more > 0:
        return "changed_more", {**params, "more": more}
    return "changed", params


def _sentence(change: Change, at: int, newest: ObservationFacts) -> str:
    text = f"{change.text} at {iso(at)}"
    if change.kind == "key-removed" and change.before:
        tag = int(change.before)
        if any(d.zone == change.zone and d.key_tag == tag for d in newest.ds):
            text += "; the DS at the parent still names it"
        if any(s.zone == change.zone and s.key_tag == tag for s in newest.signatures):
            text += "; signatures made with it are still served"
    if change.kind == "ds-removed" and change.before:
        tag = int(change.before)
        if any(k.zone == change.zone and k.key_tag == tag for k in newest.keys):
            text += "; the key it named is still published"
    return text


def attach(diagnosis: Diagnosis, finding: Finding) -> Diagnosis:
    """The diagnosis with ``finding`` added (as the root cause when something changed)."""
    changes = finding.evidence.get("changes", [])
    meaningful = [c for c in changes if c.get("kind") != "resigned"]
    if not meaningful:
        return replace(diagnosis, findings=(*diagnosis.findings, finding))
    explained = [f for f in diagnosis.findings if f.is_root_cause and f.severity >= Severity.ERROR]
    severity = max((f.severity for f in explained), default=finding.severity)
    root = replace(finding, severity=severity)
    keys = {f.key for f in explained}
    relinked = tuple(f.with_cause(root.key) if f.key in keys else f for f in diagnosis.findings)
    return replace(diagnosis, findings=(root, *relinked))
