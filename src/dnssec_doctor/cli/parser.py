"""The command line's parser: argparse, used plainly, and the contract's usage errors.

What docs/contract.md asks and argparse does otherwise:

- a usage error is one line on stderr and exit status 3, where argparse prints its
  usage and exits 2: :meth:`Parser.error`, the hook argparse calls for every usage
  error, raises :class:`UsageError`, and ``cli.main`` prints it;
- ``--at -12h``: argparse reads an argument that starts with ``-`` (and is not a
  negative number) as an option, not as the value before it. ``--at=-12h`` is the
  form argparse documents; :func:`join_relative_times` turns the spaced form, which
  the documentation and users' scripts use, into it before parsing;
- ``--format nagios|prometheus``: a monitoring system reads stdout only, so even a
  command line argparse refuses answers there; :func:`alert_format` finds the format
  without parsing.

Help pages are shown as written in the source (descriptions and examples are wrapped
there to fit 80 columns).
"""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Callable, Sequence
from typing import Any, NoReturn


class UsageError(Exception):
    """A command line that cannot run; ``cli.main`` prints ``PROG: MESSAGE``, exit status 3."""

    def __init__(self, prog: str, message: str) -> None:
        super().__init__(message)
        self.prog = prog


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are :class:`UsageError`, help shown as written,
    and long options never abbreviated (``--form`` is not ``--format``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(**kwargs)

    def error(self, message: str) -> NoReturn:
        """One line instead of argparse's usage and exit status 2."""
        raise UsageError(self.prog, f"{message} (see '{self.prog} --help')")

    def _get_values(self, action: argparse.Action, arg_strings: list[str]) -> Any:
        # argparse (Python 3.11, at least) drops a "--" that is an option's own value
        # (``--since=--``) and hands the command an empty list, not a string; the value
        # is "--", which the option's type refuses as it refuses any other bad value.
        if action.option_strings and action.nargs is None and arg_strings == ["--"]:
            value = self._get_value(action, "--")
            self._check_value(action, value)
            return value
        return super()._get_values(action, arg_strings)


ALERT_FORMATS = ("nagios", "prometheus")
"""Formats a monitoring system reads: they report a failure to diagnose on stdout too."""


def alert_format(argv: Sequence[str]) -> str | None:
    """The monitoring format ``argv`` asks for (``--format nagios|prometheus``, the last
    one given, as argparse reads it), found without parsing: a command line argparse
    refuses must still answer the monitoring system on stdout."""
    found = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--format" and i + 1 < len(argv):
            found = argv[i + 1]
        elif arg.startswith("--format="):
            found = arg.partition("=")[2]
    return found if found in ALERT_FORMATS else None


RELATIVE_TIME_OPTIONS = frozenset({"--at", "--since"})
"""Options whose value may be a time in the past (``-12h``, ``-7d``)."""


def join_relative_times(argv: Sequence[str]) -> list[str]:
    """``argv`` with ``--at -12h`` written ``--at=-12h`` (options before ``--`` only)."""
    joined: list[str] = []
    for i, arg in enumerate(argv):
        if arg == "--":
            return joined + list(argv[i:])
        if joined and joined[-1] in RELATIVE_TIME_OPTIONS and arg[:1] == "-" and arg[1:2].isdigit():
            joined[-1] = f"{joined[-1]}={arg}"
        else:
            joined.append(arg)
    return joined


def describe(parser: argparse.ArgumentParser, command: Callable[..., None], usage: str) -> None:
    """Make ``command`` what ``parser`` runs, its docstring the help, ``usage`` the synopsis
    (``%(prog)s NAME [options]``: argparse's own lists every option, a dozen lines)."""
    parser.set_defaults(run=command)
    parser.usage = usage
    first, _, rest = (command.__doc__ or "").partition("\n")
    parser.description = f"{first}\n{textwrap.dedent(rest)}".strip()
