"""Will the parent / registry accept this DS? The pre-upload check (catalog section J).

Each candidate DS (or DNSKEY) is checked the way careful registries do before
they save it (the NIST guide's "0 keys saved"), and the way validators will use
it afterwards (RFC 4035 §5.2):

1. it names a key that *every* authoritative server serves, signing the DNSKEY
   RRset there (else DS_INPUT_NOT_IN_LIVE_ZONE, naming the servers that lack it);
2. that key is a KSK or CSK that signs the DNSKEY RRset, and the digest was made
   for the zone apex (else DS_INPUT_WRONG_OWNER_OR_KEY, saying which name or key
   it was made for when one of the usual mistakes explains it);
3. the registry's policy accepts its algorithm, digest type and form
   (DS_INPUT_REGISTRY_POLICY).

Without candidates, the result is the DS to upload (:mod:`.upload`), and the
findings say why there is none when no key qualifies. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from dnssec_doctor import catalog
from dnssec_doctor.analysis.findingset import FindingSet
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.dnssec.algorithms import algorithm_name, digest_info
from dnssec_doctor.dnssec.keys import DsMatchStatus, DsRecord, is_sep, match_ds
from dnssec_doctor.ds.advice import upload_findings
from dnssec_doctor.ds.input import InputRecord, ParsedInput
from dnssec_doctor.ds.input_findings import input_findings, upload_fix
from dnssec_doctor.ds.live import LiveKey, LiveZone, live_keys
from dnssec_doctor.ds.owner import find_other_origin, owner_variants
from dnssec_doctor.ds.registry_policy import RegistryPolicy
from dnssec_doctor.ds.upload import Upload, dnskey_line, parent_ds_states, upload_set
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.findings import Finding

VerdictStatus = Literal["ok", "policy", "rejected", "unreadable"]


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the preflight concluded about one candidate record."""

    record: InputRecord
    status: VerdictStatus
    read_as: str
    ds: DsRecord
    """The DS the record stands for at the zone apex."""
    key_tag: int | None
    """Tag of the served key it names (None: none)."""
    codes: tuple[Code, ...]

    def to_json(self) -> dict[str, Any]:
        """The verdict for ``--format json``."""
        return {
            "line": self.record.line,
            "given": self.record.given,
            "kind": self.record.kind,
            "read_as": self.read_as,
            "ds": self.ds.to_text(),
            "verdict": self.status,
            "key_tag": self.key_tag,
            "codes": list(self.codes),
        }


@dataclass(frozen=True, slots=True)
class Preflight:
    """The preflight of one zone: findings, per-candidate verdicts, and what to upload."""

    live: LiveZone
    policy: RegistryPolicy
    keys: tuple[LiveKey, ...]
    upload: tuple[Upload, ...]
    verdicts: tuple[Verdict, ...]
    findings: tuple[Finding, ...]

    def to_json(self) -> dict[str, Any]:
        """The ``preflight`` member of the JSON document."""
        zone = self.live.zone
        return {
            "zone": zone.to_text(),
            "asked": self.live.asked.to_text(),
            "registry": {"name": self.policy.name, "summary": self.policy.summary()},
            "servers": list(self.live.servers),
            "upload": [u.to_json(zone) for u in self.upload],
            "candidates": [v.to_json() for v in self.verdicts],
            "keys": [
                {
                    "key_tag": k.tag,
                    "flags": k.key.flags,
                    "algorithm": k.key.algorithm,
                    "role": k.role,
                    "served_by": list(k.served_by),
                    "signs_dnskey_on": list(k.signs_on),
                    "failing": dict(k.failing),
                    "dnskey": dnskey_line(zone, k.key),
                }
                for k in self.keys
            ],
            "parent_ds": parent_ds_states(self.live, self.keys),
        }


def preflight(
    live: LiveZone,
    parsed: ParsedInput | None,
    policy: RegistryPolicy,
    now: int,
    limits: Limits,
) -> Preflight:
    """Check the candidates in ``parsed`` (None: none given) against the live zone."""
    keys = tuple(live_keys(live, now, limits))
    upload = upload_set(live, keys, policy)
    found = FindingSet()
    verdicts: list[Verdict] = []
    if parsed is None:
        found.extend(upload_findings(live, keys, upload, policy))
    else:
        found.extend(input_findings(parsed, live, keys, upload, policy))
        for record in parsed.records:
            verdicts.append(_judge(record, live, keys, upload, policy, limits, found))
    return Preflight(live, policy, keys, upload, tuple(verdicts), tuple(found.all()))


def _judge(
    record: InputRecord,
    live: LiveZone,
    keys: Sequence[LiveKey],
    upload: Sequence[Upload],
    policy: RegistryPolicy,
    limits: Limits,
    found: FindingSet,
) -> Verdict:
    zone = live.zone.to_text()
    ds = record.ds_at(live.zone, policy.preferred_digest)
    subject = f"line {record.line}: {record.label}"
    read_as = record.canonical(live.zone)
    if record.defects:
        return Verdict(record, "unreadable", read_as, ds, None, (Code.DS_INPUT_UNPARSEABLE,))
    instead = upload_fix(live, upload, policy)
    codes: list[Code] = []
    match = match_ds(live.zone, ds, [k.key for k in keys])
    named = next((k for k in keys if match.key is not None and k.key == match.key), None)
    # A digest type this tool cannot compute (GOST) leaves only the tag and algorithm to
    # name the key; that is unconfirmed, but not evidence that the key is absent.
    known = (DsMatchStatus.MATCH, DsMatchStatus.UNSUPPORTED_DIGEST)
    if match.status in known and named is not None:
        codes += _judge_key(record, named, live, instead, subject, found)
    else:
        codes += _judge_mismatch(record, ds, match.status, live, keys, instead, subject, found)
    policy_problems = _policy_problems(record, ds, named, policy)
    if policy_problems:
        params: dict[str, object] = {
            "line": record.line,
            "label": record.label,
            "problems": "; ".join(policy_problems),
            "policy": policy.summary(),
        }
        says = "refused"
        if not policy.accepts_ds and named is not None:
            says = "refused_send_dnskey"
            params["dnskey"] = dnskey_line(live.zone, named.key)
        else:
            params["instead"] = instead
        found.add(
            catalog.finding(
                Code.DS_INPUT_REGISTRY_POLICY,
                zone=zone,
                subject=subject,
                line=record.line,
                says=says,
                params=params,
                evidence={"given": record.given, "policy": policy.name},
            )
        )
        codes.append(Code.DS_INPUT_REGISTRY_POLICY)
    status: VerdictStatus = "ok"
    if any(c not in {Code.DS_INPUT_REGISTRY_POLICY, Code.DS_KEY_NOT_SEP} for c in codes):
        status = "rejected"
    elif Code.DS_INPUT_REGISTRY_POLICY in codes:
        status = "policy"
    tag = named.tag if named is not None else None
    return Verdict(record, status, read_as, ds, tag, tuple(dict.fromkeys(codes)))


def _judge_key(
    record: InputRecord,
    key: LiveKey,
    live: LiveZone,
    instead: str,
    subject: str,
    found: FindingSet,
) -> list[Code]:
    """The candidate names ``key``: is it served and signing everywhere, and a KSK/CSK?"""
    zone = live.zone.to_text()
    codes: list[Code] = []
    lacking = [s for s in live.servers if s not in key.served_by]
    not_signing = [s for s in key.served_by if s not in key.signs_on]
    if not key.usable or not key.signs_on:
        why = (
            "no_zone_flag"
            if not key.usable and not key.key.flags & 0x0100
            else "revoked"
            if not key.usable
            else "not_signing"
        )
        params: dict[str, object] = {
            "line": record.line,
            "label": record.label,
            "key": key.describe(),
            "zone": zone,
        }
        if key.failing:
            why += "_failing"
            params["failing"] = ", ".join(f"{s}: {w}" for s, w in sorted(key.failing.items()))
        found.add(
            catalog.finding(
                Code.DS_INPUT_WRONG_OWNER_OR_KEY,
                zone=zone,
                subject=subject,
                line=record.line,
                says=why,
                params=params,
                fix=instead,
                evidence={"given": record.given, "key_tag": key.tag, "flags": key.key.flags},
            )
        )
        codes.append(Code.DS_INPUT_WRONG_OWNER_OR_KEY)
    if lacking or (key.signs_on and not_signing):
        parts = [f"{s} {live.lacks(s)}" for s in lacking]
        parts += [f"{s} serves it but it does not sign the DNSKEY RRset there"
                  + (f" ({key.failing[s]})" if s in key.failing else "")
                  for s in not_signing if key.signs_on]  # fmt: skip
        bad = [*lacking, *(not_signing if key.signs_on else [])]
        found.add(
            catalog.finding(
                Code.DS_INPUT_NOT_IN_LIVE_ZONE,
                zone=zone,
                subject=subject,
                line=record.line,
                servers=tuple(bad),
                servers_ok=tuple(s for s in key.signs_on if s not in bad),
                says="not_everywhere",
                params={
                    "line": record.line,
                    "label": record.label,
                    "key": key.describe(),
                    "zone": zone,
                    "where": "; ".join(parts),
                    "instead": instead,
                },
                evidence={"given": record.given, "key_tag": key.tag, "servers": bad},
            )
        )
        codes.append(Code.DS_INPUT_NOT_IN_LIVE_ZONE)
    if key.usable and key.signs_on and not is_sep(key.key):
        found.add(
            catalog.finding(
                Code.DS_KEY_NOT_SEP,
                zone=zone,
                subject=subject,
                says="candidate",
                params={"line": record.line, "key": key.describe()},
            )
        )
        codes.append(Code.DS_KEY_NOT_SEP)
    return codes


def _judge_mismatch(
    record: InputRecord,
    ds: DsRecord,
    status: DsMatchStatus,
    live: LiveZone,
    keys: Sequence[LiveKey],
    instead: str,
    subject: str,
    found: FindingSet,
) -> list[Code]:
    """The candidate matches no served key at the apex: wrong owner or flags, or absent."""
    zone = live.zone.to_text()
    variants = owner_variants(live.zone, live.parent, live.asked, record.owner)
    other = find_other_origin(ds, [k.key for k in keys], live.zone, variants)
    if other is not None:
        key = next(k for k in keys if k.key == other.key)
        found.add(
            catalog.finding(
                Code.DS_INPUT_WRONG_OWNER_OR_KEY,
                zone=zone,
                subject=subject,
                line=record.line,
                says="other_owner",
                params={
                    "line": record.line,
                    "label": record.label,
                    "key": key.describe(),
                    "how": other.how,
                    "zone": zone,
                },
                fix=instead,
                evidence={"given": record.given, "computed_for": other.owner.to_text()},
            )
        )
        return [Code.DS_INPUT_WRONG_OWNER_OR_KEY]
    served = {s: sorted({k.tag for k in keys if s in k.served_by}) for s in live.servers}
    listing = "; ".join(
        f"{s}: {', '.join(map(str, tags)) or live.lacks(s)}" for s, tags in served.items()
    )
    params: dict[str, object] = {
        "line": record.line,
        "label": record.label,
        "zone": zone,
        "listing": listing,
        "instead": instead,
    }
    if status is DsMatchStatus.DIGEST_MISMATCH:
        why = "other_digest"
        params |= {
            "tag": ds.key_tag,
            "algorithm": ds.algorithm,
            "digest": digest_info(ds.digest_type).mnemonic,
            "variants": len(variants),
        }
    elif status is DsMatchStatus.UNSUPPORTED_DIGEST:
        why = "unconfirmed_digest"
        params["digest_type"] = ds.digest_type
    else:
        why = "no_such_key"
        params |= {
            "tag": ds.key_tag,
            "algorithm": ds.algorithm,
            "algorithm_name": algorithm_name(ds.algorithm),
        }
    found.add(
        catalog.finding(
            Code.DS_INPUT_NOT_IN_LIVE_ZONE,
            zone=zone,
            subject=subject,
            line=record.line,
            servers=live.servers,
            says=f"{why}_stale" if ds in live.parent_ds else why,
            params=params,
            evidence={"given": record.given, "served_tags": served},
        )
    )
    return [Code.DS_INPUT_NOT_IN_LIVE_ZONE]


def _policy_problems(
    record: InputRecord, ds: DsRecord, named: LiveKey | None, policy: RegistryPolicy
) -> list[str]:
    problems = []
    if record.kind == "DS" and not policy.accepts_ds:
        problems.append("the registry takes DNSKEY data only, not DS")
    if record.kind == "DNSKEY" and not policy.accepts_dnskey and not policy.accepts_ds:
        problems.append("the registry takes neither DS nor DNSKEY data")
    if ds.algorithm not in policy.algorithms:
        problems.append(f"algorithm {ds.algorithm} ({algorithm_name(ds.algorithm)}) is refused")
    if record.kind == "DS" and policy.accepts_ds and ds.digest_type not in policy.digest_types:
        info = digest_info(ds.digest_type)
        problems.append(f"digest type {ds.digest_type} ({info.mnemonic}) is refused")
    if policy.require_sep and named is not None and not is_sep(named.key):
        problems.append(f"key {named.tag} has flags {named.key.flags}; only SEP keys are taken")
    return problems
