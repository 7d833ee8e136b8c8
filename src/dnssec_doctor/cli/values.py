"""Command-line values: ``type=`` callables for argparse.

Each turns an argument's text into its value, or raises ``ArgumentTypeError`` with a
message that names the bad value; argparse puts the option in front of it
(``argument --timeout: 'abc' is not a number``).
"""

from __future__ import annotations

from argparse import ArgumentTypeError
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.timeparse import parse_duration

N = TypeVar("N", int, float)

SHOWN = 40
"""Characters of a bad value quoted in an error (a 5,000-digit number stays one short line)."""


def shown(text: str) -> str:
    """``text`` quoted for an error message, cut to :data:`SHOWN` characters."""
    return repr(text if len(text) <= SHOWN else text[: SHOWN - 1] + "…")


class Range(Generic[N]):
    """A number read by ``number`` (``int`` or ``float``) within ``[low, high]``.

    ``str()`` is the range as ``--help`` shows it (``0.05 to 60.0``); NaN and the
    infinities are outside every range.
    """

    def __init__(self, number: Callable[[str], N], low: N, high: N) -> None:
        self.number: Callable[[str], N] = number
        self.low: N = low
        self.high: N = high

    def __str__(self) -> str:
        return f"{self.low} to {self.high}"

    def __call__(self, text: str) -> N:
        try:
            value = self.number(text)
        except ValueError:
            kind = "a whole number" if self.number is int else "a number"
            raise ArgumentTypeError(f"{shown(text)} is not {kind}") from None
        if not self.low <= value <= self.high:
            raise ArgumentTypeError(f"{shown(text)} is not in the range {self}")
        return value


class Duration:
    """A duration (``7d``, ``12h``, ``90m``, ``3600``) in seconds, at most ``high``."""

    def __init__(self, high: int) -> None:
        self.high = high

    def __call__(self, text: str) -> int:
        try:
            seconds = parse_duration(text)
        except DoctorError as exc:
            raise ArgumentTypeError(str(exc)) from None
        if seconds > self.high:
            raise ArgumentTypeError(f"{shown(text)} is longer than {self.high // 86400} days")
        return seconds


def file_path(text: str) -> Path:
    """A path that is not a directory (``-``, standard input, where a command allows it)."""
    path = Path(text)
    if text != "-" and path.is_dir():
        raise ArgumentTypeError(f"{shown(text)} is a directory, not a file")
    return path


def directory_path(text: str) -> Path:
    """A path that is a directory, or nothing yet."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise ArgumentTypeError(f"{shown(text)} is a file, not a directory")
    return path
