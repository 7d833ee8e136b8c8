"""A small SVG plot of signature validity windows over time (the history page's).

Pure: observations and their facts in, SVG text out. One row per observation (the
newest MAX_ROWS), oldest at the top; in each row the validity windows
(inception..expiration, RFC 4034 §3.1.5) of the earliest-expiring signatures the
servers served then, and a mark at the moment of the observation. A signer that
stops re-signing shows as bars that stop moving right while the marks walk towards
their ends. Every piece of DNS data is escaped for XML (``html_text``); labels go
in ``<title>`` and ``<text>`` elements, never in attributes built from DNS data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dnssec_doctor.escape import html_text
from dnssec_doctor.history.facts import ObservationFacts, SignatureFact
from dnssec_doctor.history.store import StoredObservation
from dnssec_doctor.timefmt import iso

MAX_ROWS = 40
"""Observations plotted (the newest): the plot stays small on long histories."""
BARS_PER_ROW = 3
"""Distinct signatures drawn per observation, earliest expiration first."""
WIDTH = 720
LABEL_WIDTH = 170
ROW_HEIGHT = 18
TOP = 24
BOTTOM = 22


@dataclass(frozen=True, slots=True)
class Window:
    """One signature's validity window, as the servers served it."""

    zone: str
    owner: str
    covered_type: str
    key_tag: int
    inception: int
    expiration: int

    @property
    def label(self) -> str:
        """What the window is, in words (DNS data: escape before output)."""
        return (
            f"{self.owner} {self.covered_type} signed by {self.zone} key {self.key_tag}: "
            f"{iso(self.inception)} .. {iso(self.expiration)}"
        )


@dataclass(frozen=True, slots=True)
class PlotRow:
    """One observation: when, its status, and its earliest-expiring windows."""

    observation_id: int
    observed_at: int
    status: str
    windows: tuple[Window, ...]


def earliest_windows(facts: ObservationFacts, count: int = BARS_PER_ROW) -> tuple[Window, ...]:
    """The ``count`` earliest-expiring distinct windows (the same RRSIG on many servers is one)."""
    distinct = {_window(s) for s in facts.signatures}
    ordered = sorted(distinct, key=lambda w: (w.expiration, w.inception, w.zone, w.owner))
    return tuple(ordered[:count])


def _window(s: SignatureFact) -> Window:
    return Window(s.zone, s.owner, s.covered_type, s.key_tag, s.inception, s.expiration)


def plot_rows(
    history: Sequence[StoredObservation], facts: dict[int, ObservationFacts]
) -> list[PlotRow]:
    """The rows of the plot: the newest MAX_ROWS observations, oldest first."""
    shown = list(history)[-MAX_ROWS:]
    return [
        PlotRow(o.id, o.observed_at, o.status, earliest_windows(facts[o.state_id]))
        for o in shown
        if o.state_id in facts
    ]


def render_validity_svg(rows: Sequence[PlotRow], title: str) -> str:
    """The plot as an ``<svg>`` element (inline in HTML, or a file on its own)."""
    times = [t for r in rows for w in r.windows for t in (w.inception, w.expiration)]
    times += [r.observed_at for r in rows]
    height = TOP + ROW_HEIGHT * max(1, len(rows)) + BOTTOM
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="validity" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'font-family="sans-serif" font-size="11">',
        f"<title>{html_text(title)}</title>",
    ]
    if not times:
        out.append(f'<text x="4" y="{TOP}">no signatures observed</text></svg>')
        return "\n".join(out)
    start, end = min(times), max(times)
    span = max(1, end - start)
    plot_width = WIDTH - LABEL_WIDTH - 10

    def x(t: int) -> float:
        return round(LABEL_WIDTH + plot_width * (t - start) / span, 1)

    out.append(f'<text x="{LABEL_WIDTH}" y="14">{html_text(iso(start))}</text>')
    out.append(f'<text x="{WIDTH - 10}" y="14" text-anchor="end">{html_text(iso(end))}</text>')
    for i, row in enumerate(rows):
        y = TOP + i * ROW_HEIGHT
        out.append(f'<g class="observation" data-id="{row.observation_id}">')
        out.append(
            f'<text x="4" y="{y + 12}">{html_text(iso(row.observed_at))}'
            f"<title>observation #{row.observation_id}: {html_text(row.status)}</title></text>"
        )
        bar = (ROW_HEIGHT - 6) / max(1, len(row.windows))
        for j, w in enumerate(row.windows):
            expired = w.expiration < row.observed_at or w.inception > row.observed_at
            colour = "#c62828" if expired else "#2e7d32"
            left, right = x(w.inception), x(w.expiration)
            out.append(
                f'<rect class="window" x="{left}" y="{round(y + 3 + j * bar, 1)}" '
                f'width="{max(1.0, round(right - left, 1))}" height="{round(bar - 1, 1)}" '
                f'fill="{colour}" fill-opacity="0.55"><title>{html_text(w.label)}</title></rect>'
            )
        at = x(row.observed_at)
        out.append(
            f'<line class="observed" x1="{at}" x2="{at}" y1="{y + 1}" y2="{y + ROW_HEIGHT - 1}" '
            f'stroke="#1d1d1f" stroke-width="2"><title>observed {html_text(iso(row.observed_at))}'
            "</title></line>"
        )
        out.append("</g>")
    legend_y = TOP + ROW_HEIGHT * len(rows) + 15
    out.append(
        f'<text x="{LABEL_WIDTH}" y="{legend_y}">bars: validity of the earliest-expiring '
        "signatures (red: not valid at that time); black line: when observed</text>"
    )
    out.append("</svg>")
    return "\n".join(out)
