"""The end-of-scan summary on stderr: counts by status, common root causes, slowest servers."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from dnssec_doctor.escape import terminal
from dnssec_doctor.scan.records import Record, exit_of
from dnssec_doctor.scan.runner import ScanStats

TOP = 10
_SERVERS_KEPT = 10_000
"""Servers remembered for "slowest" (bounded memory over millions of names)."""


@dataclass(slots=True)
class Summary:
    """Accumulates what every record says (records read back by ``--resume`` too)."""

    statuses: Counter[str] = field(default_factory=Counter)
    root_causes: Counter[str] = field(default_factory=Counter)
    servers: dict[str, tuple[float, int]] = field(default_factory=dict)
    """Server → (worst mean answer time in ms seen, timeouts)."""
    worst_exit: int | None = None
    """The worst exit status of a diagnosed name (None: nothing diagnosed yet)."""

    def add(self, record: Record) -> None:
        """Count one record."""
        self.statuses[str(record.get("status", "?"))] += 1
        codes = record.get("root_causes")
        if isinstance(codes, list):
            self.root_causes.update(str(c) for c in codes)
        code = exit_of(record)
        if code is not None and code < 3:
            self.worst_exit = code if self.worst_exit is None else max(self.worst_exit, code)
        timing = record.get("timing")
        slow = timing.get("slowest_servers") if isinstance(timing, dict) else None
        for row in slow if isinstance(slow, list) else []:
            self._add_server(row)

    def _add_server(self, row: object) -> None:
        if not (isinstance(row, list) and len(row) == 3):
            return
        server, mean, timeouts = row
        known = self.servers.get(str(server))
        if known is None and len(self.servers) >= _SERVERS_KEPT:
            return
        old_mean, old_timeouts = known or (0.0, 0)
        mean_ms = float(mean) if isinstance(mean, int | float) else 0.0
        count = int(timeouts) if isinstance(timeouts, int) else 0
        self.servers[str(server)] = (max(old_mean, mean_ms), old_timeouts + count)

    def text(self, stats: ScanStats | None) -> str:
        """The summary, escaped for a terminal."""
        total = sum(self.statuses.values())
        lines = [f"scanned {total} line{'s' if total != 1 else ''}: " + ", ".join(
            f"{count} {terminal(status)}" for status, count in self.statuses.most_common()
        ) if total else "scanned 0 lines: the input held no names"]  # fmt: skip
        if stats is not None and stats.seconds > 0:
            rate = stats.names / stats.seconds
            lines.append(
                f"this run: {stats.names} names in {stats.seconds:.1f}s ({rate:.1f}/s), "
                f"{stats.sent} queries sent, {stats.reused} answers shared between names"
                + (
                    f", {stats.rate_wait:.1f}s waited for the per-server rate"
                    if stats.rate_wait
                    else ""
                )
                + (
                    f", {stats.gate_wait:.1f}s held while the CPU caught up"
                    if stats.gate_wait >= 0.1
                    else ""
                )
            )
        if self.root_causes:
            lines.append("most common root causes:")
            lines += [
                f"  {count:6d}  {terminal(code)}"
                for code, count in self.root_causes.most_common(TOP)
            ]
        slow = sorted(self.servers.items(), key=lambda kv: (-kv[1][1], -kv[1][0]))[:5]
        if slow:
            lines.append("slowest servers (timeouts, worst mean answer time):")
            lines += [f"  {terminal(server)}: {timeouts} timeouts, {mean:.0f} ms"
                      for server, (mean, timeouts) in slow]  # fmt: skip
        return "\n".join(lines) + "\n"
