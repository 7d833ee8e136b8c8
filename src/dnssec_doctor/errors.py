"""Errors that end a command with one clear line and exit status 3."""

from __future__ import annotations


class DoctorError(Exception):
    """Bad user input or nothing reachable: the command cannot diagnose.

    The CLI prints ``str(error)`` as one line on stderr and exits 3.
    """
