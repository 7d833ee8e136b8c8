"""Offline verification of a signed zone file: the ``zone`` command's analysis.

One streaming pass reads the file node by node: per-node checks run at once,
signatures go to worker processes in chunks, and only a few facts per name stay
in memory (about 100 bytes, :mod:`.table`) for the checks that need the whole
zone (chains, authority, glue). Those run while the workers finish the last
signatures. A file that is not grouped by owner (a name comes back later) is
found when the table sorts and is read again, merged in memory: correct, but
neither fast nor lean. Time is a parameter (``now``); nothing here reads the clock.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import dns.name
import dns.rdatatype

from dnssec_doctor import catalog
from dnssec_doctor.catalog.codes import Code
from dnssec_doctor.dnssec.keys import DsRecord
from dnssec_doctor.limits import Limits
from dnssec_doctor.model.findings import Diagnosis, Finding, Status
from dnssec_doctor.model.severity import Severity
from dnssec_doctor.zonefile import nsec3chain
from dnssec_doctor.zonefile.apex import Apex, check_apex, read_apex
from dnssec_doctor.zonefile.authority import Authority
from dnssec_doctor.zonefile.cds import check_cds
from dnssec_doctor.zonefile.dsfile import check_ds_file
from dnssec_doctor.zonefile.emit import Emitter
from dnssec_doctor.zonefile.facts import NodeFacts
from dnssec_doctor.zonefile.glue import check_glue
from dnssec_doctor.zonefile.nodecheck import check_node
from dnssec_doctor.zonefile.nodes import Node, grouped_nodes, sorted_nodes
from dnssec_doctor.zonefile.nsecchain import check_nsec_chain
from dnssec_doctor.zonefile.owners import OwnerScreen, check_owner
from dnssec_doctor.zonefile.reader import ReaderOptions, ZoneReader
from dnssec_doctor.zonefile.sigexpect import check_signing_coverage
from dnssec_doctor.zonefile.sigfindings import report_problems, report_timing
from dnssec_doctor.zonefile.sigverify import SigTotals, Verifier
from dnssec_doctor.zonefile.table import NameTable
from dnssec_doctor.zonefile.zonemd import check_zonemd

T = dns.rdatatype
_DNSSEC_SECTIONS = frozenset("CDEFHK")
"""Catalog sections whose errors make the zone bogus (not mere data hygiene)."""


@dataclass(frozen=True, slots=True)
class ZoneOptions:
    """How to verify: parallelism, thresholds, bounds."""

    jobs: int = 1
    """Worker processes for signature checks (1: in-process)."""
    expiry_warning: int = 7 * 86400
    """Warn when the earliest signature expires sooner than this (seconds)."""
    reader: ReaderOptions = field(default_factory=ReaderOptions)
    limits: Limits = field(default_factory=Limits)
    finding_cap: int = 10_000
    """Findings kept per code; the rest are counted."""


ProgressFn = Callable[[int], None]


def default_jobs(path: Path) -> int:
    """All cores for big files; in-process below 2 MB, where workers cost more than they save."""
    try:
        size = path.stat().st_size
    except OSError:
        return 1
    return 1 if size < 2 * 1024 * 1024 else max(1, os.cpu_count() or 1)


def verify_zone(
    path: str | os.PathLike[str],
    *,
    origin: dns.name.Name | None,
    now: int,
    options: ZoneOptions,
    ds_records: list[DsRecord] | None = None,
    progress: ProgressFn | None = None,
) -> Diagnosis:
    """Verify the zone file at ``path`` as of ``now`` (POSIX seconds).

    DoctorError when the file cannot be read or parsed; otherwise a Diagnosis
    whose findings carry the file's line numbers.
    """
    reader = ZoneReader(path, origin, options.reader)
    run = _Run(reader, now, options, progress)
    run.consume(grouped_nodes(reader.stream()))
    if not run.table.sort():
        # an owner came back later in the file: read it again, whole and sorted
        run.close()
        reader = ZoneReader(path, reader.origin, options.reader)
        run = _Run(reader, now, options, progress)
        run.consume(sorted_nodes(reader.stream()))
        run.table.sort()  # already in order: sorted_nodes merged every name
    try:
        return run.conclude(ds_records)
    finally:
        run.close()


class _Run:
    """State of one pass over the file."""

    def __init__(
        self, reader: ZoneReader, now: int, options: ZoneOptions, progress: ProgressFn | None
    ) -> None:
        self.reader = reader
        self.origin = reader.origin
        self.now = now
        self.options = options
        self.progress = progress
        self.out = Emitter(self.origin.to_text(), cap=options.finding_cap)
        self.table = NameTable(reader.zone)
        self.facts = NodeFacts(self.table)
        self.screen = OwnerScreen(self.origin)
        self.apex: Apex | None = None
        self.any_rrsig = False
        self.totals = SigTotals()
        self.verifier = Verifier(
            jobs=options.jobs,
            zone=self.origin,
            now=now,
            limits=options.limits,
            keep_problems=options.finding_cap * 4,
        )

    def consume(self, nodes: Iterator[Node]) -> None:
        """Read every node, handing signatures to the verifier as they stream past.

        The verifier is still working when this returns: :meth:`conclude` runs the
        whole-zone checks meanwhile and collects its results last.
        """
        verifier = self.verifier
        thresholds = gc.get_threshold()
        # Millions of short-lived tuples pass through; with the default threshold the
        # collector runs every 700 allocations and costs a tenth of the reading time.
        gc.set_threshold(max(thresholds[0], 50_000), *thresholds[1:])
        try:
            for count, node in enumerate(nodes):
                self._node(node, verifier)
                if self.progress is not None and count % 4096 == 0:
                    self.progress(self.reader.bytes_read)
            verifier.flush()
        except BaseException:
            verifier.close()
            raise
        finally:
            gc.set_threshold(*thresholds)

    def close(self) -> None:
        """Stop the verifier's worker processes (idempotent)."""
        self.verifier.close()

    def _node(self, node: Node, verifier: Verifier) -> None:
        key = node.owner.key
        notable = key is None or self.screen.notable(key)
        if notable and not check_owner(node.name, self.origin, node.line, self.out):
            return  # outside the zone
        check_node(node, self.origin, self.out)
        jobs, problems = self.facts.record(node)
        for rdtype_text, error in problems:
            self.out.add(
                Code.ZONE_DATA_INVALID,
                "undecodable",
                {"type": rdtype_text, "name": node.name, "error": error},
                subject=f"{node.name}/decode",
                line=node.line,
            )
        if node.is_apex:
            self.apex = read_apex(node, self.origin, self.now, self.options.limits)
            verifier.start(self.apex.dnskeys)
        if node.sigs:
            self.any_rrsig = True
        for job in jobs:
            verifier.submit(job)

    def conclude(self, ds_records: list[DsRecord] | None) -> Diagnosis:
        """Run the whole-zone checks and build the diagnosis."""
        apex = self.apex or Apex()
        auth = Authority(self.table)
        uses_nsec3 = bool(self.table.nsec3 or apex.nsec3param)
        check_apex(apex, self.origin, uses_nsec3, self.out)
        check_cds(apex, self.origin, self.out)
        check_glue(auth, self.out)
        signed = apex.signed or self.any_rrsig
        if signed:
            self._dnssec_checks(apex, auth, uses_nsec3)
        if ds_records:
            check_ds_file(ds_records, apex, self.origin, self.out)
        if apex.zonemd:
            again = ZoneReader(self.reader.path, self.origin, self.options.reader)
            check_zonemd(
                apex.zonemd,
                apex.soa_serial,
                again.records(),
                self.origin,
                apex.lines.get(T.ZONEMD),
                self.out,
            )
        # last: the signature results (the workers verified while the above ran)
        self.totals = self.verifier.finish()
        if signed:
            report_problems(auth, self.totals, self.out)
            report_timing(
                self.totals, self.now, self.options.expiry_warning, apex.soa_expire, self.out
            )
        findings = _ordered(self.out.findings())
        return Diagnosis(
            name=self.origin.to_text(),
            at=self.now,
            status=_status(findings, signed),
            findings=findings,
            stats={
                "records": self.reader.count,
                "names": len(self.table),
                "signatures_checked": self.totals.checked,
                "signatures_valid": self.totals.valid,
                "signed": signed,
                "denial": "nsec3" if uses_nsec3 else ("nsec" if signed else "none"),
                "jobs": self.options.jobs,
            },
        )

    def _dnssec_checks(self, apex: Apex, auth: Authority, uses_nsec3: bool) -> None:
        out = self.out
        check_signing_coverage(auth, _algorithms_in_use(apex, out), out)
        negative_ttl = None
        if apex.soa and apex.soa_minimum is not None:
            negative_ttl = min(apex.soa_ttl, apex.soa_minimum)
        has_nsec = any(shape.nsec_bitmap is not None for shape in self.table.shapes)
        if not uses_nsec3:
            check_nsec_chain(auth, negative_ttl, out)
            return
        line = apex.lines.get(T.NSEC3PARAM)
        zone = self.origin.to_text()
        if has_nsec:
            out.add(
                Code.NSEC_NSEC3_MIXED,
                "zone",
                {"zone": zone},
                subject="mixed",
                line=line,
            )
        records = self.table.nsec3
        params = nsec3chain.choose_params(apex.nsec3param, records, zone, line, out)
        if params is None:
            return
        nsec3chain.check_rfc9276(params, zone, line, out)
        nsec3chain.check_nsec3_chain(auth, records, params, negative_ttl, self.options.limits, out)


def _algorithms_in_use(apex: Apex, out: Emitter) -> frozenset[int]:
    """Algorithms every RRset must be signed with: those signing the DNSKEY RRset.

    RFC 4035 §2.2 asks for every algorithm of the DNSKEY RRset, but RFC 6840 §5.11
    lets validators ignore algorithms that sign nothing, and BIND and Knot accept a
    published-but-unused algorithm (the first step of a liberal algorithm roll);
    it is reported once, as a warning, instead of once per RRset.
    """
    published = apex.zone_key_algorithms
    signing = frozenset(check.algorithm for check, _ in apex.dnskey_checks if check.valid)
    if not signing:
        return published
    for alg in sorted(published - signing):
        out.add(
            Code.RRSIG_MISSING_FOR_ALGORITHM,
            "zone_unused",
            {"algorithm": alg},
            subject=f"unused-alg{alg}",
            line=apex.lines.get(T.DNSKEY),
            severity=Severity.WARNING,
        )
    return signing


def _ordered(findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
    return tuple(
        sorted(findings, key=lambda f: (-f.severity, f.line if f.line is not None else 1 << 62))
    )


def _status(findings: tuple[Finding, ...], signed: bool) -> Status:
    if not signed:
        return "insecure"
    for f in findings:
        if f.severity >= Severity.ERROR and catalog.entry(f.code).section in _DNSSEC_SECTIONS:
            return "bogus"
    return "secure"
