"""CDS/CDNSKEY: what the child asks its parent to publish, checked before the parent acts.

A parent that reads CDS/CDNSKEY (RFC 7344, RFC 8078) replaces the DS set with
what they describe. A child may publish either form or both (RFC 7344 §4), so one
form alone is only noted; when both are published they must agree with each other
(RFC 7344 §4.1, RFC 9975 §3.1), name
keys that are in the DNSKEY RRset and sign it (RFC 7344 §4.1, RFC 8078 §3), be
the same on every server (RFC 7344 §6.1; RFC 9615 §4), and a delete request
must be exactly ``CDS 0 0 0 00`` / ``CDNSKEY 0 3 0 AA==`` (RFC 8078 §4).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import dns.name
from dns.rdtypes.ANY.CDNSKEY import CDNSKEY
from dns.rdtypes.ANY.CDS import CDS

from dnssec_doctor import catalog
from dnssec_doctor.analysis.servers.view import ServerView, server_list
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.catalog.section_h import ONE_FORM_SEVERITY
from dnssec_doctor.dnssec.cdsdelete import delete_request, lone_request
from dnssec_doctor.dnssec.keys import ds_digest, key_tag, supported_digest
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.model.survey import ZoneCut

CdsSets = tuple[frozenset[bytes], frozenset[bytes]]


def cds_findings(
    cut: ZoneCut, views: dict[str, ServerView], stale: Iterable[str] = ()
) -> list[Finding]:
    """CDS/CDNSKEY findings for ``cut``; differences on ``stale`` servers follow their serial."""
    published = {
        s: (v.cds or frozenset(), v.cdnskey or frozenset())
        for s, v in views.items()
        if v.cds is not None or v.cdnskey is not None
    }
    if not any(a or b for a, b in published.values()):
        return []
    out = _across_servers(cut, published, set(stale))
    by_content: dict[CdsSets, list[str]] = {}
    for server, content in published.items():
        by_content.setdefault(content, []).append(server)
    for content, servers in by_content.items():
        out += _check_set(cut, views, content, servers, list(published))
    return out


def _across_servers(cut: ZoneCut, published: dict[str, CdsSets], stale: set[str]) -> list[Finding]:
    if len(set(published.values())) < 2:
        return []
    counts = Counter(published.values())
    top = counts.most_common()
    tie = top[0][1] == top[1][1]
    bad = sorted(published) if tie else sorted(s for s, c in published.items() if c != top[0][0])
    ok = [s for s in published if s not in bad]
    lines = "; ".join(
        f"{s}: {len(c[0])} CDS, {len(c[1])} CDNSKEY" for s, c in sorted(published.items())
    )
    says = "sets_differ"
    params = {"zone": cut.zone, "sets": lines, "bad": server_list(bad)}
    if ok:
        says += "_one_server_right" if len(ok) == 1 else "_servers_right"
        params["good"] = server_list(ok)
    finding = catalog.finding(
        Code.CDS_INCONSISTENT_ACROSS_SERVERS,
        zone=cut.zone,
        says=says,
        params=params,
        servers=tuple(bad),
        servers_ok=tuple(ok),
    )
    if bad and set(bad) <= stale:
        finding = finding.with_cause(f"SOA_SERIAL_DIVERGENT@{cut.zone}")
    return [finding]


def _check_set(
    cut: ZoneCut,
    views: dict[str, ServerView],
    content: CdsSets,
    servers: list[str],
    everyone: list[str],
) -> list[Finding]:
    zone = dns.name.from_text(cut.zone)
    view = views[servers[0]]
    cds = [r for r in (view.cds_rdata.get(w) for w in content[0]) if isinstance(r, CDS)]
    cdnskey = [r for r in (view.cds_rdata.get(w) for w in content[1]) if isinstance(r, CDNSKEY)]
    shown = tuple(servers) if set(servers) != set(everyone) else ()
    ok = tuple(s for s in everyone if s not in servers) if shown else ()
    out: list[Finding] = []

    def add(code: Code, says: str, severity: Severity | None = None, **params: object) -> None:
        out.append(
            catalog.finding(
                code,
                zone=cut.zone,
                says=says,
                params={"zone": cut.zone, **params},
                servers=shown,
                servers_ok=ok,
                subject=code.value,
                severity=severity,
            )
        )

    request = delete_request(cds, cdnskey)
    if request is not None:
        if request.mixed:
            add(Code.CDS_DELETE_MALFORMED, "delete_mixed")
        elif request.malformed:
            wrong = [r.to_text() for r in request.bad_cds]
            wrong += [r.to_text() for r in request.bad_cdnskey]
            records = "; ".join(wrong)
            add(Code.CDS_DELETE_MALFORMED, "delete_wrong_values", records=records)
    lone = lone_request(cds, cdnskey)
    if lone is not None:
        says = f"{'delete_' if lone.delete else ''}no_{lone.missing.lower()}"
        add(Code.CDS_CDNSKEY_MISMATCH, says, ONE_FORM_SEVERITY)
    if request is not None:
        return out
    if cds and cdnskey:
        lone_cds, lone_keys = _cds_cdnskey_mismatch(zone, cds, cdnskey)
        if lone_cds and lone_keys:
            add(
                Code.CDS_CDNSKEY_MISMATCH,
                "cds_and_cdnskey_unmatched",
                cds_tags=_joined(lone_cds),
                cdnskey_tags=_joined(lone_keys),
            )
        elif lone_cds:
            add(Code.CDS_CDNSKEY_MISMATCH, "cds_unmatched", cds_tags=_joined(lone_cds))
        elif lone_keys:
            add(Code.CDS_CDNSKEY_MISMATCH, "cdnskey_unmatched", cdnskey_tags=_joined(lone_keys))
    missing, not_signing, working = _points_to(zone, view, cds, cdnskey)
    # Another entry naming a key that signs: the parent's new DS set still validates the
    # zone, as in a KSK's double-DS pre-publication (RFC 7583 §3.3.2): worth knowing only.
    tail, severity = ("_prepublish", Severity.NOTICE) if working else ("", None)
    if missing and not_signing:
        add(
            Code.CDS_POINTS_TO_MISSING_KEY,
            "keys_missing_and_not_signing" + tail,
            severity,
            missing=_joined(missing),
            not_signing=_joined(not_signing),
        )
    elif missing:
        add(Code.CDS_POINTS_TO_MISSING_KEY, "keys_missing" + tail, severity,
            missing=_joined(missing))  # fmt: skip
    elif not_signing:
        add(Code.CDS_POINTS_TO_MISSING_KEY, "keys_not_signing" + tail, severity,
            not_signing=_joined(not_signing))  # fmt: skip
    return out


def _joined(tags: list[int]) -> str:
    return ", ".join(map(str, tags))


def _cds_cdnskey_mismatch(
    zone: dns.name.Name, cds: list[CDS], cdnskey: list[CDNSKEY]
) -> tuple[list[int], list[int]]:
    """The key tags of the CDS that match no CDNSKEY, and of the CDNSKEY without a CDS
    (both empty when the two sets describe the same keys)."""
    described = {(r.key_tag, r.algorithm, r.digest_type, bytes(r.digest)) for r in cds}
    digest_types = {d for _, _, d, _ in described if supported_digest(d)}
    from_keys: set[tuple[int, int, int, bytes]] = set()
    for key in cdnskey:
        for d in digest_types:
            from_keys.add((key_tag(key), key.algorithm, d, ds_digest(zone, key, d)))
    checkable = {c for c in described if c[2] in digest_types}
    lone_cds = sorted(c[0] for c in checkable - from_keys)
    key_tags = {c[0] for c in checkable}
    lone_keys = sorted({key_tag(k) for k in cdnskey} - key_tags) if digest_types else []
    return lone_cds, lone_keys


def _points_to(
    zone: dns.name.Name, view: ServerView, cds: list[CDS], cdnskey: list[CDNSKEY]
) -> tuple[list[int], list[int], bool]:
    """Key tags the records name that are not published, those that do not sign, and
    whether some record names a key that signs the DNSKEY RRset."""
    if not view.dnskeys:
        return [], [], False
    keys = list(view.dnskeys.values())
    missing: set[int] = set()
    not_signing: set[int] = set()
    working = False
    for r in cds:
        if not supported_digest(r.digest_type):
            continue
        match = [
            k
            for k in keys
            if key_tag(k) == r.key_tag
            and k.algorithm == r.algorithm
            and ds_digest(zone, k, r.digest_type) == bytes(r.digest)
        ]
        if not match:
            missing.add(r.key_tag)
        elif (r.key_tag, r.algorithm) not in view.dnskey_signers:
            not_signing.add(r.key_tag)
        else:
            working = True
    for k in cdnskey:
        tag = key_tag(k)
        if k.to_digestable() not in view.dnskeys:
            missing.add(tag)
        elif (tag, k.algorithm) not in view.dnskey_signers:
            not_signing.add(tag)
        else:
            working = True
    return sorted(missing), sorted(not_signing - missing), working
