"""``history NAME``: the timeline of recorded observations and what changed between them."""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from typing import TYPE_CHECKING

from dnssec_doctor.cli.common import add_db_option, add_format_option, db_url, resolve_at
from dnssec_doctor.cli.parser import describe
from dnssec_doctor.cli.values import Range
from dnssec_doctor.errors import DoctorError

if TYPE_CHECKING:
    from dnssec_doctor.history.records import Store, StoredObservation

HISTORY_FORMATS = ("text", "json", "html")


OBSERVATION = Range(int, 1, 2**62)


def history_arguments(parser: ArgumentParser) -> None:
    """``history``'s arguments."""
    describe(parser, history, "%(prog)s NAME [options]")
    parser.add_argument("name", metavar="NAME", help="The name whose checks were recorded.")
    add_db_option(parser, record=False)
    parser.add_argument(
        "--since",
        metavar="WHEN",
        help="Only observations from WHEN on (ISO 8601, or relative like -7d).",
    )
    add_format_option(parser, HISTORY_FORMATS)
    parser.add_argument(
        "--capture",
        type=OBSERVATION,
        metavar="ID",
        help="Print the capture stored with observation ID instead (for check --replay).",
    )


def history(name: str, db: str, since: str | None, fmt: str, capture: int | None) -> None:
    """Show the recorded observations of NAME and what changed between them.

    The exit status is the newest observation's (0, 1 or 2), or 3 when NAME has
    none.

    Examples:
      dnssec-doctor history example.com
      dnssec-doctor history example.com --since -7d --format html > history.html
      dnssec-doctor history example.com --db postgresql://monitor@db.example/dns
      dnssec-doctor history example.com --capture 42 > c.json
      dnssec-doctor check --replay c.json
    """
    from dnssec_doctor.history.opener import open_store
    from dnssec_doctor.history.recorder import history_name
    from dnssec_doctor.history.report import build_report, states_needed

    key = history_name(name)
    start = None if since is None else resolve_at(since)
    if capture is not None:
        with open_store(db_url(db)) as store:
            document = store.capture(key, capture)
        sys.stdout.write(json.dumps(document, indent=1) + "\n")
        return
    with open_store(db_url(db)) as store:
        observations = store.observations(key)
        if not any(start is None or o.observed_at >= start for o in observations):
            where = "" if start is None else " in that period"
            raise DoctorError(f"no observations of {key} in {store.url}{where}")
        holddowns = None if start is None else _holddowns_before(store, observations, start)
        facts = store.facts(states_needed(observations, start, holddowns))
    report = build_report(key, observations, facts, start)
    if fmt == "json":
        from dnssec_doctor.render.history import render_history_json

        sys.stdout.write(render_history_json(report))
    elif fmt == "html":
        from dnssec_doctor.render.history import render_history_html

        sys.stdout.write(render_history_html(report))
    else:
        from dnssec_doctor.render.history import render_history_text

        sys.stdout.write(render_history_text(report))
    sys.exit(observations[-1].exit_code)


def _holddowns_before(
    store: Store, observations: list[StoredObservation], since: int
) -> dict[int, int]:
    """State id → RFC 5011 add hold-down of the states begun within ``MAX_HOLDDOWN`` before
    ``since`` (their DNSKEY original TTLs, not their facts): a hold-down still running at
    ``since`` makes ``states_needed`` read back that far, for the risks shown from then."""
    from dnssec_doctor.history.holddown import ADD_HOLDDOWN, MAX_HOLDDOWN, holddown_of
    from dnssec_doctor.history.records import runs_of

    zones = {zone for o in observations for zone in o.anchor_zones}
    older = [
        r.state_id
        for r in runs_of(observations)
        if since - MAX_HOLDDOWN < r.first_at <= since - ADD_HOLDDOWN
    ]
    ttls = store.dnskey_original_ttls(older) if older else {}
    return {state_id: holddown_of(by_zone, zones) for state_id, by_zone in ttls.items()}
