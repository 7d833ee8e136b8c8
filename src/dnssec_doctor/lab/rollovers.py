"""The lab over time: rollovers as sequences of lab states, the clock as a parameter.

Each rollover is a list of stages, each from an offset after the start: which keys
the zone ``good-nsec.test.`` publishes, which sign the DNSKEY RRset and which the
data, which keys the parent's DS names, and which the zone's CDS and CDNSKEY name.
Every TTL in the lab is an hour (the DNSKEY, data and DS TTLs of RFC 7583's
timelines) unless a stage gives another DNSKEY TTL. ``rollover_plan`` builds the lab
as it is at a given time, so that a test can serve each stage in turn and check it
with ``--at``: hours of a rollover in seconds. The correct rollovers wait at least
a TTL between steps (RFC 7583 §3.2.1 pre-publication, §3.3.2 double-KSK); the
faulty ones skip a wait, the way operators do by hand.

The anchored rollovers (``ANCHORED_ROLLOVERS``) roll the KSK of a zone that validators
keep as a trust anchor (checked with ``--trust-anchor`` lines from ``zone_anchor``), over
weeks: RFC 5011 §2.4.1 makes them wait 30 days before trusting a new key. Their stages
last longer than the lab's signatures (30 days), so a test builds each stage again as a
signer would re-sign it (``built_at``).
"""

from __future__ import annotations

from dataclasses import dataclass

from dns.dnssectypes import Algorithm

from dnssec_doctor.dnssec.dnspython_dnssec import dnssec as dnspython_dnssec
from dnssec_doctor.lab.keys import SEP_FLAG, ZONE_FLAG, KeyFactory, LabKey
from dnssec_doctor.lab.plan import LabPlan
from dnssec_doctor.lab.scenarios import build_lab
from dnssec_doctor.lab.scenarios_env import (
    DAY,
    HOUR,
    TTL,
    Builder,
    ScenarioBuild,
    ScenarioEnv,
)
from dnssec_doctor.lab.signer import SigningPlan
from dnssec_doctor.lab.zonebuild import ZoneBuilder

ZONE_SCENARIO = "good-nsec"
"""The scenario whose zone and addresses the rollovers use."""
ZONE = "good-nsec.test."
"""Its zone."""
MINUTE = 60
REVOKE_FLAG = 0x0080
"""RFC 5011 §3: the REVOKE bit of the DNSKEY flags."""
ROLES = ("ksk", "ksk-next", "zsk", "zsk-next", "ksk-ed25519", "zsk-ed25519")
"""The keys a stage can name; ``ksk-revoked`` is ``ksk`` revoked."""
ALGORITHMS = {"ksk-ed25519": Algorithm.ED25519, "zsk-ed25519": Algorithm.ED25519}
"""The keys of an algorithm rollover's new algorithm; the others are ECDSA P-256 (13)."""


@dataclass(frozen=True, slots=True)
class Stage:
    """The zone from ``offset`` seconds after the start on (key roles: ``ksk``,
    ``ksk-next``, ``zsk``, ``zsk-next``; ``ksk-ed25519`` and ``zsk-ed25519`` of algorithm
    15, RFC 8080; and ``ksk-revoked``: ``ksk`` with the REVOKE bit, RFC 5011 §2.1)."""

    offset: int
    published: tuple[str, ...]
    key_signers: tuple[str, ...]
    data_signers: tuple[str, ...]
    ds: tuple[str, ...]
    cds: tuple[str, ...] = ()
    """The KSKs the zone's CDS and CDNSKEY RRsets name (RFC 7344 §4): the DS set it asks
    the parent for; empty: none published."""
    dnskey_ttl: int = TTL


@dataclass(frozen=True, slots=True)
class Rollover:
    """A named rollover: its stages, and what history should say about it."""

    name: str
    description: str
    stages: tuple[Stage, ...]
    expected: tuple[tuple[str, int], ...] = ()
    """(code, offset of the stage that was too early, or for CDS_NOT_PICKED_UP of the check
    from which the parent has had long enough) history must report; empty: none."""


START = Stage(0, ("ksk", "zsk"), ("ksk",), ("zsk",), ("ksk",))
ROLLING = ("ksk", "ksk-next", "zsk")
"""Both KSKs published, both signing the DNSKEY RRset (RFC 5011 §2.4.1: the new one is
seen, validly signed by the trusted one, from then on)."""
NEW_ALGORITHM = ("ksk", "zsk", "ksk-ed25519", "zsk-ed25519")
"""Both algorithms' keys published (RFC 6781 §4.1.4, "new DNSKEY")."""
ALGORITHM_ROLL_FIRST_STAGES = (
    START,
    Stage(HOUR, ("ksk", "zsk"), ("ksk", "ksk-ed25519"), ("zsk", "zsk-ed25519"), ("ksk",)),
    Stage(
        2 * HOUR + 20 * MINUTE,
        NEW_ALGORITHM,
        ("ksk", "ksk-ed25519"),
        ("zsk", "zsk-ed25519"),
        ("ksk",),
    ),
    Stage(
        3 * HOUR + 40 * MINUTE,
        NEW_ALGORITHM,
        ("ksk", "ksk-ed25519"),
        ("zsk", "zsk-ed25519"),
        ("ksk-ed25519",),
    ),
)
"""An algorithm rollover up to the DS swap (RFC 6781 §4.1.4): every RRset signed with
both algorithms, then the new keys published, then the new DS, each a TTL apart."""

ROLLOVERS: dict[str, Rollover] = {
    r.name: r
    for r in (
        Rollover(
            "zsk-prepublish-done-right",
            "ZSK pre-publication (RFC 7583 §3.2.1): the new ZSK published, used a DNSKEY "
            "TTL after it was everywhere, the old one removed a data TTL after its last use.",
            (
                START,
                Stage(HOUR, ("ksk", "zsk", "zsk-next"), ("ksk",), ("zsk",), ("ksk",)),
                Stage(
                    2 * HOUR + 20 * MINUTE,
                    ("ksk", "zsk", "zsk-next"),
                    ("ksk",),
                    ("zsk-next",),
                    ("ksk",),
                ),
                Stage(4 * HOUR, ("ksk", "zsk-next"), ("ksk",), ("zsk-next",), ("ksk",)),
            ),
        ),
        Rollover(
            "zsk-removed-too-early",
            "ZSK pre-publication with the last two steps taken at once: the data signed "
            "with the new ZSK and the old one removed in the same step.",
            (
                START,
                Stage(HOUR, ("ksk", "zsk", "zsk-next"), ("ksk",), ("zsk",), ("ksk",)),
                Stage(
                    2 * HOUR + 20 * MINUTE, ("ksk", "zsk-next"), ("ksk",), ("zsk-next",), ("ksk",)
                ),
            ),
            (("ZSK_REMOVED_TOO_EARLY", 2 * HOUR + 20 * MINUTE),),
        ),
        Rollover(
            "ksk-ds-swapped-too-early",
            "Double-KSK (RFC 7583 §3.3.2) with the DS swapped twenty minutes after the new "
            "KSK was published, not a DNSKEY TTL after.",
            (
                START,
                Stage(HOUR, ("ksk", "ksk-next", "zsk"), ("ksk", "ksk-next"), ("zsk",), ("ksk",)),
                Stage(
                    HOUR + 20 * MINUTE,
                    ("ksk", "ksk-next", "zsk"),
                    ("ksk", "ksk-next"),
                    ("zsk",),
                    ("ksk-next",),
                ),
                Stage(
                    3 * HOUR + 40 * MINUTE,
                    ("ksk-next", "zsk"),
                    ("ksk-next",),
                    ("zsk",),
                    ("ksk-next",),
                ),
            ),
            (("DS_SWAPPED_TOO_EARLY", HOUR + 20 * MINUTE),),
        ),
        Rollover(
            "zsk-used-before-propagated",
            "ZSK pre-publication with the wait skipped: the new ZSK published and signing "
            "the data in the same step, while resolvers may hold a DNSKEY RRset without it.",
            (
                START,
                Stage(HOUR, ("ksk", "zsk", "zsk-next"), ("ksk",), ("zsk-next",), ("ksk",)),
                Stage(
                    3 * HOUR + 20 * MINUTE, ("ksk", "zsk-next"), ("ksk",), ("zsk-next",), ("ksk",)
                ),
            ),
            (("ZSK_USED_BEFORE_PROPAGATED", HOUR),),
        ),
        Rollover(
            "ksk-removed-before-ds-updated",
            "Double-KSK (RFC 7583 §3.3.2) with the last two steps taken at once: the DS "
            "swapped and the old KSK removed in the same step, while resolvers may hold the "
            "DS set naming only the old KSK.",
            (
                START,
                Stage(HOUR, ROLLING, ("ksk", "ksk-next"), ("zsk",), ("ksk",)),
                Stage(
                    2 * HOUR + 20 * MINUTE,
                    ("ksk-next", "zsk"),
                    ("ksk-next",),
                    ("zsk",),
                    ("ksk-next",),
                ),
            ),
            (("KSK_REMOVED_BEFORE_DS_UPDATED", 2 * HOUR + 20 * MINUTE),),
        ),
        Rollover(
            "ksk-double-ds-done-right",
            "Double-DS KSK rollover (RFC 7583 §3.3.3): the new KSK's DS added at the parent, "
            "the KSK swapped a DS TTL after it was everywhere, the old DS removed a DNSKEY TTL "
            "after the old KSK's last signature.",
            (
                START,
                Stage(HOUR, ("ksk", "zsk"), ("ksk",), ("zsk",), ("ksk", "ksk-next")),
                Stage(
                    2 * HOUR + 20 * MINUTE,
                    ("ksk-next", "zsk"),
                    ("ksk-next",),
                    ("zsk",),
                    ("ksk", "ksk-next"),
                ),
                Stage(4 * HOUR, ("ksk-next", "zsk"), ("ksk-next",), ("zsk",), ("ksk-next",)),
            ),
        ),
        Rollover(
            "cds-not-picked-up",
            "Double-KSK with CDS and CDNSKEY (RFC 7344 §4): the new KSK published, signing, "
            "and announced to the parent with CDS and CDNSKEY, but the parent never replaces "
            "the DS; after three days of asking history says so.",
            (
                START,
                Stage(HOUR, ROLLING, ("ksk", "ksk-next"), ("zsk",), ("ksk",), cds=("ksk-next",)),
            ),
            (("CDS_NOT_PICKED_UP", HOUR + 3 * DAY),),
        ),
        Rollover(
            "ttl-lowered-during-roll",
            "ZSK pre-publication from a DNSKEY TTL of two hours: the new ZSK published with "
            "the TTL lowered to twenty minutes, and used forty minutes later, timed with the "
            "new TTL while caches may keep the DNSKEY RRset without it for the old one.",
            (
                Stage(0, ("ksk", "zsk"), ("ksk",), ("zsk",), ("ksk",), dnskey_ttl=2 * HOUR),
                Stage(
                    HOUR,
                    ("ksk", "zsk", "zsk-next"),
                    ("ksk",),
                    ("zsk",),
                    ("ksk",),
                    dnskey_ttl=20 * MINUTE,
                ),
                Stage(
                    HOUR + 40 * MINUTE,
                    ("ksk", "zsk", "zsk-next"),
                    ("ksk",),
                    ("zsk-next",),
                    ("ksk",),
                    dnskey_ttl=20 * MINUTE,
                ),
            ),
            (
                ("TTL_CHANGE_DURING_ROLL", HOUR),
                ("ZSK_USED_BEFORE_PROPAGATED", HOUR + 40 * MINUTE),
            ),
        ),
        Rollover(
            "algorithm-roll-done-right",
            "Algorithm rollover from ECDSA P-256 (13) to Ed25519 (15), RFC 6781 §4.1.4: "
            "every RRset signed with both algorithms first, the new keys published a TTL "
            "later, then the DS, the old keys and the old signatures replaced, each a TTL "
            "after the step before.",
            (
                *ALGORITHM_ROLL_FIRST_STAGES,
                Stage(
                    5 * HOUR,
                    ("ksk-ed25519", "zsk-ed25519"),
                    ("ksk", "ksk-ed25519"),
                    ("zsk", "zsk-ed25519"),
                    ("ksk-ed25519",),
                ),
                Stage(
                    6 * HOUR + 20 * MINUTE,
                    ("ksk-ed25519", "zsk-ed25519"),
                    ("ksk-ed25519",),
                    ("zsk-ed25519",),
                    ("ksk-ed25519",),
                ),
            ),
        ),
        Rollover(
            "algorithm-old-signatures-removed-too-early",
            "Algorithm rollover from ECDSA P-256 (13) to Ed25519 (15) with the last two steps "
            "taken at once: the old keys and the old algorithm's signatures removed together, "
            "while resolvers may hold the DNSKEY RRset with the old algorithm (RFC 6781 "
            "§4.1.4 removes the signatures a DNSKEY TTL later).",
            (
                *ALGORITHM_ROLL_FIRST_STAGES,
                Stage(
                    5 * HOUR,
                    ("ksk-ed25519", "zsk-ed25519"),
                    ("ksk-ed25519",),
                    ("zsk-ed25519",),
                    ("ksk-ed25519",),
                ),
            ),
            (("ALGORITHM_ROLL_ORDER_VIOLATION", 5 * HOUR),),
        ),
        Rollover(
            "algorithm-keys-published-first",
            "Algorithm rollover from ECDSA P-256 (13) to Ed25519 (15) begun in one step: the "
            "new keys published with the first signatures of the new algorithm, while "
            "resolvers may hold RRsets signed with the old algorithm only (RFC 6781 §4.1.4).",
            (
                START,
                Stage(
                    HOUR, NEW_ALGORITHM, ("ksk", "ksk-ed25519"), ("zsk", "zsk-ed25519"), ("ksk",)
                ),
            ),
            (("ALGORITHM_ROLL_ORDER_VIOLATION", HOUR),),
        ),
        Rollover(
            "algorithm-keys-before-signatures",
            "Algorithm rollover from ECDSA P-256 (13) to Ed25519 (15) in the wrong order: "
            "the new keys published first, the new algorithm's signatures added 80 minutes "
            "later (RFC 6781 §4.1.4 wants them the other way round).",
            (
                START,
                Stage(HOUR, NEW_ALGORITHM, ("ksk",), ("zsk",), ("ksk",)),
                Stage(
                    2 * HOUR + 20 * MINUTE,
                    NEW_ALGORITHM,
                    ("ksk", "ksk-ed25519"),
                    ("zsk", "zsk-ed25519"),
                    ("ksk",),
                ),
            ),
            (("ALGORITHM_ROLL_ORDER_VIOLATION", HOUR),),
        ),
    )
}


ANCHORED_ROLLOVERS: dict[str, Rollover] = {
    r.name: r
    for r in (
        Rollover(
            "ksk-rfc5011-done-right",
            "KSK rollover of a trust-anchor zone (RFC 5011 §6.1): the new KSK published "
            "and kept next to the old one for 31 days (the add hold-down is 30), then the "
            "DS swapped and the old key revoked, then removed.",
            (
                START,
                Stage(DAY, ROLLING, ("ksk", "ksk-next"), ("zsk",), ("ksk",)),
                Stage(
                    32 * DAY,
                    ("ksk-revoked", "ksk-next", "zsk"),
                    ("ksk-revoked", "ksk-next"),
                    ("zsk",),
                    ("ksk-next",),
                ),
                Stage(34 * DAY, ("ksk-next", "zsk"), ("ksk-next",), ("zsk",), ("ksk-next",)),
            ),
        ),
        Rollover(
            "ksk-rfc5011-removed-too-early",
            "KSK rollover of a trust-anchor zone done as a double-KSK rollover of any zone: "
            "the DS swapped two days after the new KSK was published and the old key "
            "removed two days later, 26 days before RFC 5011 resolvers trust the new one.",
            (
                START,
                Stage(DAY, ROLLING, ("ksk", "ksk-next"), ("zsk",), ("ksk",)),
                Stage(3 * DAY, ROLLING, ("ksk", "ksk-next"), ("zsk",), ("ksk-next",)),
                Stage(5 * DAY, ("ksk-next", "zsk"), ("ksk-next",), ("zsk",), ("ksk-next",)),
            ),
            (("RFC5011_HOLDDOWN_RISK", 5 * DAY),),
        ),
    )
}
"""Rollovers of a zone checked with its own trust anchor, over weeks (days, not hours)."""


def find_rollover(name: str) -> Rollover:
    """The rollover called ``name``, of either kind; KeyError when there is none."""
    return ROLLOVERS[name] if name in ROLLOVERS else ANCHORED_ROLLOVERS[name]


def zone_anchor(seed: int, roles: tuple[str, ...] = ("ksk", "ksk-next")) -> list[str]:
    """Trust anchor lines (DNSKEY, presentation format) for the zone's KSKs ``roles`` as a
    lab seeded with ``seed`` makes them: what a validator anchored at the zone is given."""
    factory = KeyFactory(seed)
    keys = [factory.make(f"{ZONE_SCENARIO}/{role}", ksk=True) for role in roles]
    return [f"{ZONE} IN DNSKEY {key.dnskey.to_text()}" for key in keys]


def stage_at(rollover: Rollover, elapsed: int) -> Stage:
    """The stage in effect ``elapsed`` seconds after the start."""
    return [s for s in rollover.stages if s.offset <= elapsed][-1]


def _builder(stage: Stage) -> Builder:
    def build(env: ScenarioEnv) -> ScenarioBuild:
        keys = {
            role: env.key(
                role,
                ksk=role.startswith("ksk"),
                algorithm=ALGORITHMS.get(role, Algorithm.ECDSAP256SHA256),
            )
            for role in ROLES
        }
        keys["ksk-revoked"] = _revoked(keys["ksk"])
        plan = SigningPlan(
            tuple(keys[r] for r in stage.published),
            tuple(keys[r] for r in stage.key_signers),
            tuple(keys[r] for r in stage.data_signers),
            *env.window(),
            dnskey_ttl=stage.dnskey_ttl,
        )
        content = env.builder().add("host.sub", TTL, "A", "192.0.2.10")
        for role in stage.cds:
            _add_cds(env, content, keys[role])
        text = env.signed(content.build(), plan)
        info = env.info(f"A rollover stage from {stage.offset} s.", "secure")
        return env.build(info, {1: text, 2: text}, tuple(env.ds(keys[r]) for r in stage.ds))

    return build


def _add_cds(env: ScenarioEnv, content: ZoneBuilder, key: LabKey) -> None:
    """The CDS (SHA-256) and CDNSKEY of ``key`` at the apex (RFC 7344 §3.1, §4.1)."""
    cds = dnspython_dnssec.make_cds(env.origin, key.dnskey, "SHA256")
    cdnskey = dnspython_dnssec.make_cdnskey(
        key.private.public_key(), key.dnskey.algorithm, flags=key.dnskey.flags
    )
    content.add_rdata(env.origin, TTL, cds)
    content.add_rdata(env.origin, TTL, cdnskey)


def _revoked(key: LabKey) -> LabKey:
    """``key`` with the REVOKE bit set (RFC 5011 §2.1): the same private key, so it signs
    the DNSKEY RRset as the revoked key itself (its key tag changes with the flags)."""
    flags = ZONE_FLAG | SEP_FLAG | REVOKE_FLAG
    dnskey = dnspython_dnssec.make_dnskey(
        key.private.public_key(), key.dnskey.algorithm, flags=flags
    )
    return LabKey(label=f"{key.label}/revoked", private=key.private, dnskey=dnskey)


def rollover_plan(
    name: str, elapsed: int, *, built_at: int, base: str, seed: int | None = None
) -> LabPlan:
    """The lab serving rollover ``name`` as it is ``elapsed`` seconds after its start
    (signatures made at ``built_at``, as in ``build_lab``)."""
    stage = stage_at(find_rollover(name), elapsed)
    return build_lab(
        built_at,
        base=base,
        seed=seed,
        names=[ZONE_SCENARIO],
        builders={ZONE_SCENARIO: _builder(stage)},
    )
