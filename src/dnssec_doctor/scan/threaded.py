"""The analysis of a scanned name, beside the probing loop of the same process.

A scan's worker process (``scan.procworker``), a Dask task (``scan.dask_adapter``) and
``--workers 0`` all run the analysis of each name in a thread of the process that
probed it: the answers it reads are already parsed there (``parse_wire``'s cache), and
the loop keeps reading answers meanwhile. With ``--save-captures`` the same thread
writes the capture: gzip, JSON and the safe writer's fsync cost more CPU than the
probing of a name, and belong off the probing loop.
"""

from __future__ import annotations

import asyncio

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.model.capture import Capture
from dnssec_doctor.scan.analyse import analyse_capture
from dnssec_doctor.scan.captures import CaptureSaver
from dnssec_doctor.scan.config import ScanConfig
from dnssec_doctor.scan.records import Record, error_record
from dnssec_doctor.scan.runner import Analyse


def inline(config: ScanConfig, keep: CaptureSaver | None = None) -> Analyse:
    """The runner's ``analyse``: in a thread of this process (saving each capture first
    with ``keep``)."""

    async def analyse(capture: Capture, line: int) -> Record:
        args = (keep, capture, line, config.now, config.expiry_warning, config.history)
        try:
            # A thread, not this loop: the analysis replays the capture with asyncio.run.
            return await asyncio.to_thread(keep_and_analyse, *args)
        except DoctorError:
            raise  # a capture that cannot be written: the scan stops with that one line
        except Exception as exc:  # a bug of ours: a record for this name, not a dead scan
            return error_record(line, capture.name, f"internal error ({type(exc).__name__}: {exc})")

    return analyse


def keep_and_analyse(
    keep: CaptureSaver | None,
    capture: Capture,
    line: int,
    now: int,
    expiry_warning: int,
    history: bool = False,
) -> Record:
    """Save ``capture`` (when asked) and analyse it (in a worker process or thread)."""
    if keep is not None:
        keep(capture, line)
    return analyse_capture(capture, line, now, expiry_warning, history=history)
