"""Do the servers of one zone serve the same zone? Serials, signing, keys, denial.

A resolver picks any of a zone's servers, so any difference between them shows
up as "sometimes it works" (the guide's symptoms N3 and N9). This module tells
the usual stories apart and names the server to fix:

- a stale secondary: an older SOA serial (RFC 1982 arithmetic), so the data
  it differs in follows from the failed transfers;
- a serial that was not incremented: the same serial, different content, so
  secondaries never transfer the change (RFC 1996, RFC 5936);
- a secondary serving the unsigned zone, next to signed ones;
- DNSKEY RRsets that differ, above all a key that signs data but is missing
  from some server's DNSKEY RRset (RFC 4035 §5.3.1);
- a half-done NSEC → NSEC3 migration (some servers deny with NSEC, others
  with NSEC3); NSEC3 parameters per question are compared by ``denial``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass

import dns.rcode

from dnssec_doctor import catalog
from dnssec_doctor.analysis.servers.view import (
    ServerView,
    others_fine,
    others_fine_params,
    server_list,
)
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.dnssec.keys import key_tag
from dnssec_doctor.model.findings import Finding
from dnssec_doctor.model.survey import ZoneCut

SERIAL_BITS = 32


def serial_newer(a: int, b: int) -> bool:
    """True when serial ``a`` is newer than ``b`` (RFC 1982 §3.2, SERIAL_BITS = 32)."""
    half = 1 << (SERIAL_BITS - 1)
    return a != b and (a - b) % (1 << SERIAL_BITS) < half


@dataclass(frozen=True, slots=True)
class SerialGroups:
    """The servers' SOA serials: the newest one and who serves which."""

    newest: int | None
    current: tuple[str, ...]
    """Servers serving the newest serial."""
    stale: dict[str, int]
    """Server → its older serial."""


def serial_groups(views: dict[str, ServerView]) -> SerialGroups:
    """Group the servers that answered the SOA query by serial; find the newest."""
    serials = {s: v.serial for s, v in views.items() if v.serial is not None}
    if not serials:
        return SerialGroups(None, (), {})
    distinct = sorted(set(serials.values()))
    # The newest is newer than most others (RFC 1982 order is not total across 2^31).
    newest = max(distinct, key=lambda a: (sum(serial_newer(a, b) for b in distinct), a))
    current = tuple(s for s, n in serials.items() if n == newest)
    stale = {s: n for s, n in serials.items() if n != newest}
    return SerialGroups(newest, current, stale)


def consistency_findings(cut: ZoneCut, views: dict[str, ServerView]) -> list[Finding]:
    """Cross-server findings for the zone of ``cut``."""
    groups = serial_groups(views)
    out: list[Finding] = []
    out += _serials(cut, groups)
    out += _unsigned(cut, views)
    out += _not_incremented(cut, views, groups)
    out += _dnskeys(cut, views, groups)
    out += _denial(cut, views, groups)
    return out


def _serials(cut: ZoneCut, groups: SerialGroups) -> list[Finding]:
    if not groups.stale:
        return []
    lines = ", ".join(f"{s} serves serial {n}" for s, n in sorted(groups.stale.items()))
    return [
        catalog.finding(
            Code.SOA_SERIAL_DIVERGENT,
            zone=cut.zone,
            says="one_behind" if len(groups.stale) == 1 else "several_behind",
            params={
                "servers_ok": server_list(groups.current),
                "serve_ok": "serves" if len(groups.current) == 1 else "serve",
                "newest": groups.newest,
                "stale": lines,
                "servers": server_list(groups.stale),
            },
            servers=tuple(groups.stale),
            servers_ok=groups.current,
            evidence={"newest": groups.newest, "stale": dict(groups.stale)},
        )
    ]


def _unsigned(cut: ZoneCut, views: dict[str, ServerView]) -> list[Finding]:
    signed = [s for s, v in views.items() if v.signed is True]
    unsigned = [s for s, v in views.items() if v.signed is False]
    if not signed or not unsigned:
        return []
    return [
        catalog.finding(
            Code.SECONDARY_SERVES_UNSIGNED,
            zone=cut.zone,
            says="unsigned_copy",
            params={
                "answer": "answers" if len(unsigned) == 1 else "answer",
                "serve_ok": "serves" if len(signed) == 1 else "serve",
                **others_fine_params(unsigned, signed),
            },
            servers=tuple(unsigned),
            servers_ok=tuple(signed),
        )
    ]


def _content(view: ServerView) -> tuple[Hashable, ...]:
    """What should be identical on servers with the same serial (None: unknown)."""
    soa = view.soa
    return (
        view.signed,
        frozenset(view.dnskeys) if view.dnskey_answered else None,
        # No NSEC/NSEC3 at all is a stripping server (NEGATIVE_PROOF_MISSING), not new data.
        frozenset(view.denial) or None,
        frozenset(view.denial_records) or None,
        # An NSEC3PARAM RRset is zone data, which servers that strip DNSSEC records keep:
        # its absence where the signed copy has one is another copy of the zone.
        frozenset(view.nsec3param) if view.nsec3param_answered else None,
        view.ns,
        None if soa is None else (soa.mname, soa.rname, soa.refresh, soa.retry, soa.expire),
    )


_CONTENT_FIELDS = (
    "signing",
    "DNSKEY RRset",
    "denial type",
    "NSEC/NSEC3 chain",
    "NSEC3PARAM",
    "NS RRset",
    "SOA",
)


def _differs(a: tuple[Hashable, ...], b: tuple[Hashable, ...]) -> list[str]:
    return [
        name
        for name, x, y in zip(_CONTENT_FIELDS, a, b, strict=True)
        if x is not None and y is not None and x != y
    ]


def _difference(what: str, view: ServerView, ref: ServerView) -> str:
    """One difference between a server's copy and the reference copy, in words."""
    if what == "signing":
        return (
            "no RRSIG and no DNSKEY records (an unsigned copy)"
            if view.signed is False
            else "signed, where the others serve the zone unsigned"
        )
    if what == "DNSKEY RRset":
        return (
            f"DNSKEY key tags {_tags({key_tag(k) for k in view.dnskeys.values()}) or 'none'} "
            f"instead of {_tags({key_tag(k) for k in ref.dnskeys.values()}) or 'none'}"
        )
    if what == "denial type":
        kinds, ref_kinds = "/".join(sorted(view.denial)), "/".join(sorted(ref.denial))
        return f"denies with {kinds} instead of {ref_kinds}"
    if what == "NSEC/NSEC3 chain":
        mine = sorted(view.denial_records - ref.denial_records)
        theirs = sorted(ref.denial_records - view.denial_records)
        return f"another NSEC/NSEC3 chain ({mine[0] if mine else '-'} instead of " + (
            f"{theirs[0] if theirs else '-'})"
        )
    if what == "NSEC3PARAM":
        return "no NSEC3PARAM" if not view.nsec3param else "another NSEC3PARAM"
    if what == "NS RRset":
        return f"NS {', '.join(sorted(view.ns or ()))} instead of {', '.join(sorted(ref.ns or ()))}"
    return "other SOA fields (MNAME, RNAME or timers)"


def _unsigned_words(view: ServerView, ref: ServerView, differing: list[str]) -> list[str]:
    """ "No RRSIG records" for a copy with keys but no signatures: alone that could be a
    server that strips them, but beside other differences it is an unsigned copy."""
    if "signing" in differing or view.rrsig_seen or not ref.rrsig_seen:
        return []
    return ["no RRSIG records (an unsigned copy that includes the DNSKEY records)"]


def _implied(what: str, view: ServerView) -> bool:
    """An unsigned copy has no DNSKEY RRset: saying so twice says nothing more."""
    return what == "DNSKEY RRset" and view.signed is False


def _not_incremented(
    cut: ZoneCut, views: dict[str, ServerView], groups: SerialGroups
) -> list[Finding]:
    """The same serial, different content: the guide's "serial not incremented when the
    zone was signed" (RFC 1996 §4.7: a secondary transfers only a newer serial)."""
    out: list[Finding] = []
    by_serial: dict[int, list[str]] = {}
    for s, v in views.items():
        if v.serial is not None:
            by_serial.setdefault(v.serial, []).append(s)
    for serial, servers in sorted(by_serial.items()):
        if len(servers) < 2:
            continue
        contents = {s: _content(views[s]) for s in servers}
        # The reference copy: a signed one if any, else the most common.
        counts = Counter(contents.values())
        reference = max(contents.values(), key=lambda c: (c[0] is True, counts[c]))
        differing = {s: _differs(c, reference) for s, c in contents.items()}
        bad = sorted(s for s, d in differing.items() if d)
        if not bad:
            continue
        ok = [s for s in servers if s not in bad]
        ref = views[next(s for s in servers if contents[s] == reference)]
        what = sorted({name for s in bad for name in differing[s]})
        per_server = {
            s: _unsigned_words(views[s], ref, differing[s])
            + [_difference(w, views[s], ref) for w in differing[s] if not _implied(w, views[s])]
            for s in bad
        }
        lines = "; ".join(f"{s} serves {', '.join(d)}" for s, d in per_server.items())
        out.append(
            catalog.finding(
                Code.SOA_SERIAL_NOT_INCREMENTED,
                zone=cut.zone,
                subject=str(serial),
                says="same_serial_other_zone",
                params={
                    "servers": server_list(servers),
                    "serial": serial,
                    "differences": lines,
                    "servers_ok": server_list(ok) or "the others",
                    "servers_bad": server_list(bad),
                },
                servers=tuple(bad),
                servers_ok=tuple(ok),
                evidence={"serial": serial, "differs_in": what, "servers": per_server},
            )
        )
    return out


def _dnskeys(cut: ZoneCut, views: dict[str, ServerView], groups: SerialGroups) -> list[Finding]:
    signed = {s: v for s, v in views.items() if v.dnskeys}
    if len(signed) < 2 or len({frozenset(v.dnskeys) for v in signed.values()}) < 2:
        return []
    missing: dict[str, set[int]] = {}
    stale_signers: dict[str, set[int]] = {}
    for t, tview in signed.items():
        used = _used_keys(tview)
        for s, sview in signed.items():
            lacking = {key_tag(tview.dnskeys[k]) for k in used if k not in sview.dnskeys}
            if not lacking or s == t:
                continue
            if t in groups.stale and s not in groups.stale:
                stale_signers.setdefault(t, set()).update(lacking)
            else:
                missing.setdefault(s, set()).update(lacking)
    out: list[Finding] = []
    if missing:
        ok = [s for s in signed if s not in missing]
        lines = "; ".join(f"{s} lacks key {_tags(t)}" for s, t in sorted(missing.items()))
        says, fine = others_fine("keys_missing", missing, ok)
        out.append(
            catalog.finding(
                Code.DNSKEY_MISSING_ON_SOME_SERVERS,
                zone=cut.zone,
                says=says,
                params={"zone": cut.zone, "lacking": lines, **fine},
                servers=tuple(missing),
                servers_ok=tuple(ok),
                evidence={s: sorted(t) for s, t in missing.items()},
            )
        )
    if stale_signers:
        lines = "; ".join(
            f"{s} signs with key {_tags(t)}" for s, t in sorted(stale_signers.items())
        )
        out.append(
            catalog.finding(
                Code.DNSSEC_DATA_INCONSISTENT,
                zone=cut.zone,
                subject="DNSKEY",
                says="stale_signers",
                params={"signers": lines},
                servers=tuple(stale_signers),
                servers_ok=tuple(s for s in signed if s not in stale_signers),
            )
        )
    elif not missing:
        out += _minority(
            cut,
            "DNSKEY",
            "dnskey_sets_differ",
            {s: frozenset(v.dnskeys) for s, v in signed.items()},
            lambda s: (
                f"{s} serves key tags {_tags({key_tag(k) for k in signed[s].dnskeys.values()})}"
            ),
        )
    return out


def _used_keys(view: ServerView) -> set[bytes]:
    """The keys of the server's DNSKEY RRset that its signatures name."""
    used: set[bytes] = set()
    for wire, key in view.dnskeys.items():
        if (key_tag(key), key.algorithm) in view.signers:
            used.add(wire)
    return used


def _tags(tags: set[int]) -> str:
    return ", ".join(str(t) for t in sorted(tags))


def _denial(cut: ZoneCut, views: dict[str, ServerView], groups: SerialGroups) -> list[Finding]:
    nsec = sorted(s for s, v in views.items() if v.denial == {"NSEC"})
    nsec3 = sorted(s for s, v in views.items() if v.denial == {"NSEC3"})
    both = sorted(s for s, v in views.items() if v.denial == {"NSEC", "NSEC3"})
    out: list[Finding] = []
    if (nsec and nsec3) or both:
        involved = [*nsec, *nsec3, *both]
        parts = []
        if nsec:
            parts.append(f"{server_list(nsec)} den{'ies' if len(nsec) == 1 else 'y'} with NSEC")
        if nsec3:
            parts.append(f"{server_list(nsec3)} with NSEC3")
        if both:
            parts.append(f"{server_list(both)} with both")
        out.append(
            catalog.finding(
                Code.NSEC_NSEC3_MIXED,
                zone=cut.zone,
                # The key of the denial check's per-question finding: the two merge into
                # one finding that names both groups of servers.
                subject="",
                says="servers_differ",
                params={"groups": "; ".join(parts), "behind": server_list(nsec or both)},
                servers=tuple(involved),
                evidence={"nsec": nsec, "nsec3": nsec3, "both": both},
            )
        )
    out += _stripped_proofs(cut, views)
    current = set(groups.current) if groups.stale else set(views)
    rcodes = {s: v.nx_rcode for s, v in views.items() if v.nx_rcode is not None and s in current}
    out += _minority(
        cut,
        "denial",
        "nxdomain_answers_differ",
        rcodes,
        lambda s: f"{s} answers {dns.rcode.to_text(dns.rcode.Rcode.make(rcodes[s]))}",
    )
    return out


def _stripped_proofs(cut: ZoneCut, views: dict[str, ServerView]) -> list[Finding]:
    """Signed servers whose negative answers carry no NSEC/NSEC3 while others' do.

    The guide's pre-NSEC3 server: it signs answers but forms negative answers the
    old way, SOA only. The denial check reports each such answer; this adds which
    servers did it right (same finding key, so the two merge).
    """
    proving = [s for s, v in views.items() if v.denial]
    stripping = [
        s for s, v in views.items() if v.signed is True and v.negative_answers and not v.denial
    ]
    if not proving or not stripping:
        return []
    kinds = sorted({m for s in proving for m in views[s].denial})
    return [
        catalog.finding(
            Code.NEGATIVE_PROOF_MISSING,
            zone=cut.zone,
            says="some_servers_strip_proofs",
            params={
                "answer": "answers" if len(stripping) == 1 else "answer",
                "include_ok": "includes" if len(proving) == 1 else "include",
                "kinds": "/".join(kinds),
                **others_fine_params(stripping, proving),
            },
            servers=tuple(stripping),
            servers_ok=tuple(proving),
        )
    ]


def _minority(
    cut: ZoneCut,
    subject: str,
    says: str,
    values: Mapping[str, Hashable],
    describe: Callable[[str], str],
) -> list[Finding]:
    """One finding naming the servers whose value differs from the most common one."""
    if len(set(values.values())) < 2:
        return []
    counts = Counter(values.values())
    top = counts.most_common()
    tie = len(top) > 1 and top[0][1] == top[1][1]
    bad: Sequence[str] = (
        sorted(values) if tie else sorted(s for s, v in values.items() if v != top[0][0])
    )
    ok = [s for s in values if s not in bad]
    lines = "; ".join(describe(s) for s in sorted(values))
    case, fine = others_fine(says, bad, ok)
    return [
        catalog.finding(
            Code.DNSSEC_DATA_INCONSISTENT,
            zone=cut.zone,
            subject=subject,
            says=case,
            params={"zone": cut.zone, "values": lines, **fine},
            servers=tuple(bad),
            servers_ok=tuple(ok),
        )
    ]
