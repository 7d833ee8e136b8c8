"""Advice when no candidate is given: why there is no DS to upload, or what to know about it.

A key qualifies when it signs the DNSKEY RRset on every server (:mod:`.upload`).
When none does, the finding says what each key does where (the NIST guide's
advice: wait until the signed zone is on all servers); keys still on their way to
some servers get a notice; the registry policy is applied to the keys offered.
"""

from __future__ import annotations

from collections.abc import Sequence

from dnssec_doctor import catalog
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.dnssec.keys import is_sep
from dnssec_doctor.ds.live import LiveKey, LiveZone
from dnssec_doctor.ds.registry_policy import RegistryPolicy
from dnssec_doctor.ds.upload import Upload
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.severity import Severity


def upload_findings(
    live: LiveZone, keys: Sequence[LiveKey], upload: Sequence[Upload], policy: RegistryPolicy
) -> list[Finding]:
    """Why there is no DS to upload, or what to know about the ones there are."""
    zone = live.zone.to_text()
    found: list[Finding] = []
    partial = [k for k in keys if k.usable and k.signs_on and k not in [u.key for u in upload]]
    if not upload:
        says = "unsigned"
        params: dict[str, object] = {"zone": zone}
        if not keys:
            params["servers"] = "; ".join(f"{s} {live.missing(s)}" for s in live.servers)
        else:
            params["count"] = len(live.servers)
            where = _where_keys_sign(live, keys)
            says = "no_key_everywhere" if where else "no_usable_key"
            if where:
                params["keys"] = ". ".join(where)
        found.append(
            catalog.finding(
                Code.DS_INPUT_NOT_IN_LIVE_ZONE,
                zone=zone,
                subject="no-key",
                title="No key to make a DS from",
                servers=tuple(
                    [s for s in live.servers if s not in _signing_somewhere(keys)] or live.servers
                ),
                says=says,
                params=params,
            )
        )
    for key in partial if upload else []:
        found.append(
            catalog.finding(
                Code.DS_INPUT_NOT_IN_LIVE_ZONE,
                zone=zone,
                severity=Severity.NOTICE,
                subject=f"key {key.tag}",
                title="A signing key is not served by every server yet",
                servers=tuple(s for s in live.servers if s not in key.signs_on),
                servers_ok=key.signs_on,
                says="partial_key",
                params={
                    "key": key.describe(),
                    "signing": len(key.signs_on),
                    "total": len(live.servers),
                },
            )
        )
    for u in upload:
        problems = []
        if u.key.key.algorithm not in policy.algorithms:
            problems.append(f"algorithm {u.key.key.algorithm} is refused")
        if policy.require_sep and not is_sep(u.key.key):
            problems.append(f"key {u.key.tag} has no SEP flag")
        if problems:
            found.append(
                catalog.finding(
                    Code.DS_INPUT_REGISTRY_POLICY,
                    zone=zone,
                    subject=f"key {u.key.tag}",
                    says="upload_refused",
                    params={
                        "key": u.key.describe(),
                        "problems": "; ".join(problems),
                        "policy": policy.summary(),
                    },
                )
            )
    return found


def _signing_somewhere(keys: Sequence[LiveKey]) -> set[str]:
    return {s for k in keys if k.usable for s in k.signs_on}


def _where_keys_sign(live: LiveZone, keys: Sequence[LiveKey]) -> list[str]:
    """Each usable key and where it signs, is missing or idles (empty: no usable key)."""
    parts = []
    for k in keys:
        if not k.usable:
            continue
        missing = [f"{s} {live.lacks(s)}" for s in live.servers if s not in k.served_by]
        idle = [s for s in k.served_by if s not in k.signs_on]
        where = f"signs on {', '.join(k.signs_on) or 'no server'}"
        if missing:
            where += "; missing on " + "; ".join(missing)
        if idle and k.signs_on:
            where += "; not signing on " + ", ".join(idle)
        parts.append(f"{k.describe()}: {where}")
    return parts
