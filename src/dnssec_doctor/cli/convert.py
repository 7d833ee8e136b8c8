"""Command-line values: text to number, choice or path, with click's messages for bad ones.

A converter raises ValueError with the message; ``cli.args`` names the option in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


class Converter:
    """Turns an argument's text into its value; ValueError(message) when it is not one."""

    metavar = "TEXT"
    range_text = ""  # the help's ``[1<=x<=256]``

    def __call__(self, text: str) -> object:
        return text


class Float(Converter):
    """A floating-point number."""

    metavar = "FLOAT"

    def __call__(self, text: str) -> float:
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a valid float.") from None


class _Range(Converter):
    """A number within ``[low, high]``, read by ``number`` (int or float)."""

    kind = ""  # the word of click's messages

    def __init__(self, number: type[float], low: float, high: float) -> None:
        self.number, self.low, self.high = number, low, high
        self.range_text = f"{low}<=x<={high}"

    def __call__(self, text: str) -> float:
        try:
            value = self.number(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a valid {self.kind} range.") from None
        if not self.low <= value <= self.high:
            raise ValueError(f"{value} is not in the range {self.range_text}.")
        return value


class FloatRange(_Range):
    """A floating-point number within ``[low, high]``."""

    metavar, kind = "FLOAT RANGE", "float"

    def __init__(self, low: float, high: float) -> None:
        super().__init__(float, low, high)


class IntRange(_Range):
    """An integer within ``[low, high]``."""

    metavar, kind = "INTEGER RANGE", "integer"

    def __init__(self, low: int, high: int) -> None:
        super().__init__(int, low, high)


class Choice(Converter):
    """One of a fixed list of words."""

    def __init__(self, choices: Sequence[str]) -> None:
        self.choices = tuple(choices)
        self.metavar = f"[{'|'.join(self.choices)}]"

    def __call__(self, text: str) -> str:
        if text not in self.choices:
            raise ValueError(f"{text!r} is not one of {', '.join(map(repr, self.choices))}.")
        return text


class PathArg(Converter):
    """A file-system path; one that exists must be of an accepted kind."""

    def __init__(
        self, *, file_okay: bool = True, dir_okay: bool = True, allow_dash: bool = False
    ) -> None:
        self.file_okay, self.dir_okay, self.allow_dash = file_okay, dir_okay, allow_dash
        self.metavar = "FILE" if not dir_okay else "DIRECTORY" if not file_okay else "PATH"

    def __call__(self, text: str) -> Path:
        # pathlib is imported here, by the commands that take a path: ``explain`` and
        # ``--version`` do without it (about 1.5 ms).
        from pathlib import Path

        path = Path(text)
        if self.allow_dash and text == "-":
            return path
        if not self.dir_okay and path.is_dir():
            raise ValueError(f"File '{text}' is a directory.")
        if not self.file_okay and path.exists() and not path.is_dir():
            raise ValueError(f"Directory '{text}' is a file.")
        return path


class Duration(Converter):
    """A duration (``7d``, ``12h``, ``90m``, ``3600``) in seconds, at most ``high``."""

    metavar = "DURATION"

    def __init__(self, high: int) -> None:
        self.high = high

    def __call__(self, text: str) -> int:
        from dnssec_doctor.errors import DoctorError
        from dnssec_doctor.timeparse import parse_duration

        try:
            seconds = parse_duration(text)
        except DoctorError as exc:
            raise ValueError(str(exc)) from None
        if seconds > self.high:
            raise ValueError(f"{text!r} is longer than {self.high // 86400} days.")
        return seconds
