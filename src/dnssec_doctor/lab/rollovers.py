"""The lab over time: rollovers as sequences of lab states, the clock as a parameter.

Each rollover is a list of stages, each from an offset after the start: which keys
the zone ``good-nsec.test.`` publishes, which sign the DNSKEY RRset and which the
data, and which keys the parent's DS names. Every TTL in the lab is an hour (the
DNSKEY, data and DS TTLs of RFC 7583's timelines). ``rollover_plan`` builds the lab
as it is at a given time, so that a test can serve each stage in turn and check it
with ``--at``: hours of a rollover in seconds. The correct rollovers wait at least
a TTL between steps (RFC 7583 §3.2.1 pre-publication, §3.3.2 double-KSK); the
faulty ones skip a wait, the way operators do by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

from dnssec_doctor.lab.plan import LabPlan
from dnssec_doctor.lab.scenarios import build_lab
from dnssec_doctor.lab.scenarios_env import HOUR, TTL, Builder, ScenarioBuild, ScenarioEnv
from dnssec_doctor.lab.signer import SigningPlan

ZONE_SCENARIO = "good-nsec"
"""The scenario whose zone and addresses the rollovers use."""
ZONE = "good-nsec.test."
"""Its zone."""
MINUTE = 60


@dataclass(frozen=True, slots=True)
class Stage:
    """The zone from ``offset`` seconds after the start on (key roles: ``ksk``,
    ``ksk-next``, ``zsk``, ``zsk-next``)."""

    offset: int
    published: tuple[str, ...]
    key_signers: tuple[str, ...]
    data_signers: tuple[str, ...]
    ds: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Rollover:
    """A named rollover: its stages, and what history should say about it."""

    name: str
    description: str
    stages: tuple[Stage, ...]
    expected: tuple[tuple[str, int], ...] = ()
    """(code, offset of the stage that was too early) history must report; empty: none."""


START = Stage(0, ("ksk", "zsk"), ("ksk",), ("zsk",), ("ksk",))

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
    )
}


def stage_at(rollover: Rollover, elapsed: int) -> Stage:
    """The stage in effect ``elapsed`` seconds after the start."""
    return [s for s in rollover.stages if s.offset <= elapsed][-1]


def _builder(stage: Stage) -> Builder:
    def build(env: ScenarioEnv) -> ScenarioBuild:
        keys = {
            role: env.key(role, ksk=role.startswith("ksk"))
            for role in ("ksk", "ksk-next", "zsk", "zsk-next")
        }
        plan = SigningPlan(
            tuple(keys[r] for r in stage.published),
            tuple(keys[r] for r in stage.key_signers),
            tuple(keys[r] for r in stage.data_signers),
            *env.window(),
        )
        content = env.builder().add("host.sub", TTL, "A", "192.0.2.10").build()
        text = env.signed(content, plan)
        info = env.info(f"A rollover stage from {stage.offset} s.", "secure")
        return env.build(info, {1: text, 2: text}, tuple(env.ds(keys[r]) for r in stage.ds))

    return build


def rollover_plan(
    name: str, elapsed: int, *, built_at: int, base: str, seed: int | None = None
) -> LabPlan:
    """The lab serving rollover ``name`` as it is ``elapsed`` seconds after its start
    (signatures made at ``built_at``, as in ``build_lab``)."""
    stage = stage_at(ROLLOVERS[name], elapsed)
    return build_lab(
        built_at,
        base=base,
        seed=seed,
        names=[ZONE_SCENARIO],
        builders={ZONE_SCENARIO: _builder(stage)},
    )
