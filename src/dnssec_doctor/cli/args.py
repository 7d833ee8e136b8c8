"""The command line on the standard library's argparse, shaped by the CLI contract.

Importing click cost about 9 ms of every run's start-up, argparse about 1.5 ms.
argparse matches options and formats the help; this module adds what the contract
(docs/contract.md) asks and argparse does otherwise:

- every usage error is a :class:`UsageError`, which ``cli.main`` prints as one line
  with exit status 3 (argparse prints its usage and exits 2);
- an option's value is the next argument even when it starts with ``-``
  (``--at -12h``), abbreviated long options are refused, and positional arguments
  are assigned here, with ``--`` ending the options, the way click did;
- values are converted and checked after parsing (``cli.convert``), with click's
  messages;
- a group (the command group, ``lab``) loads a command only when that command runs.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import NoReturn

from dnssec_doctor.cli.convert import Converter


class UsageError(Exception):
    """A command line that cannot run: ``cli.main`` prints it as one line, exit status 3."""


class _Param:
    """What options and arguments share: a converter, and how an error names them."""

    convert: Converter
    hint: str

    def _convert(self, text: str) -> object:
        try:
            return self.convert(text)
        except ValueError as exc:
            raise UsageError(f"Invalid value for {self.hint}: {exc}") from None


class Option(_Param):
    """``--name VALUE`` (``multiple``: repeatable, a tuple) or a ``flag`` without value."""

    def __init__(
        self,
        *flags: str,
        dest: str | None = None,
        help: str = "",
        metavar: str | None = None,
        convert: Converter | None = None,
        default: object = None,
        multiple: bool = False,
        flag: bool = False,
        required: bool = False,
        show_default: bool = False,
        envvar: str | None = None,
    ) -> None:
        self.flags = flags
        self.long = next(f for f in flags if f.startswith("--"))
        self.dest = dest or self.long[2:].replace("-", "_")
        self.convert = convert or Converter()
        self.metavar = metavar or self.convert.metavar
        self.default, self.multiple, self.flag = default, multiple, flag
        self.required, self.envvar = required, envvar
        extra = [f"default: {default}"] if show_default else []
        extra += [self.convert.range_text] if self.convert.range_text else []
        extra += ["required"] if required else []
        self.help = help + (f"  [{'; '.join(extra)}]" if extra else "")
        self.hint = " / ".join(map(repr, flags))  # how click names it in an error

    def add_to(self, parser: argparse.ArgumentParser) -> None:
        """Declare the option to ``parser`` (values stay text until :meth:`resolve`)."""
        text = self.help.replace("%", "%%")  # argparse %-formats help strings
        if self.flag:
            parser.add_argument(*self.flags, dest=self.dest, action="store_true", help=text)
        else:
            action = "append" if self.multiple else "store"
            parser.add_argument(
                *self.flags, dest=self.dest, action=action, metavar=self.metavar, help=text
            )

    def resolve(self, parsed: argparse.Namespace, positionals: list[str]) -> object:
        """The option's value from what argparse stored; UsageError when it is bad or missing."""
        raw = getattr(parsed, self.dest)
        if self.flag:
            return bool(raw)
        if self.multiple:
            assert raw is None or isinstance(raw, list)
            return tuple(self._convert(text) for text in raw or ())
        if raw is None and self.envvar:
            raw = os.environ.get(self.envvar) or None
        if raw is None:
            if self.required:
                raise UsageError(f"Missing option {self.hint}.")
            return self.default
        assert isinstance(raw, str)
        return self._convert(raw)


class Argument(_Param):
    """A positional argument: one value (None when optional and absent) or ``many``, a tuple."""

    def __init__(
        self,
        name: str,
        *,
        required: bool = True,
        many: bool = False,
        convert: Converter | None = None,
    ) -> None:
        self.dest, self.metavar = name, name.upper()
        self.hint = repr(self.metavar)
        self.required, self.many = required and not many, many
        self.convert = convert or Converter()
        shown = self.metavar if self.required else f"[{self.metavar}]"
        self.usage = f"{shown}..." if many else shown

    def resolve(self, parsed: argparse.Namespace, positionals: list[str]) -> object:
        """Consume this argument's value(s) from the front of ``positionals``."""
        if self.many:
            taken = [self._convert(t) for t in positionals]
            positionals.clear()
            return tuple(taken)
        if not positionals:
            if self.required:
                raise UsageError(f"Missing argument {self.metavar!r}.")
            return None
        return self._convert(positionals.pop(0))


class Command:
    """A command: its parameters and the function that runs with their values as keywords.

    The function's docstring is the help; a paragraph that starts with a line ``\\b``
    is shown as written (examples), the others are re-wrapped.
    """

    def __init__(
        self,
        name: str,
        func: Callable[..., None],
        params: Sequence[Option | Argument],
    ) -> None:
        self.name, self.func = name, func
        self.help = func.__doc__ or ""
        self.params = params
        self.options = [p for p in params if isinstance(p, Option)]
        self.arguments = [p for p in params if isinstance(p, Argument)]

    @property
    def summary(self) -> str:
        """The first paragraph of the help, on one line (the group's list of commands)."""
        return " ".join(self.help.strip().split("\n\n")[0].split())

    def run(self, prog: str, argv: Sequence[str]) -> None:
        """Parse ``argv`` and run; UsageError for a command line that cannot run."""
        parser = new_parser(prog, " ".join([prog, "[OPTIONS]", *(a.usage for a in self.arguments)]))
        parser.description = self.help
        for option in self.options:
            option.add_to(parser)
        add_help_option(parser)
        options, positionals = self._split(argv)
        known, unknown = parser.parse_known_args(options)
        if unknown:
            raise no_such_option(unknown[0], [f for o in self.options for f in o.flags])
        # In the order declared, so that the first error is the one click reported.
        values = {p.dest: p.resolve(known, positionals) for p in self.params}
        if positionals:
            many = "s" if len(positionals) > 1 else ""
            raise UsageError(f"Got unexpected extra argument{many} ({' '.join(positionals)})")
        self.func(**values)

    def _split(self, argv: Sequence[str]) -> tuple[list[str], list[str]]:
        """The options (each value joined to its option) and the positional arguments.

        Joined as ``--at=-12h``, a value that starts with ``-`` stays a value.
        """
        takes_value = {f: o for o in self.options if not o.flag for f in o.flags}
        is_flag = {f for o in self.options if o.flag for f in o.flags}
        options: list[str] = []
        positionals: list[str] = []
        rest = list(argv)
        while rest:
            arg = rest.pop(0)
            if arg == "--":
                positionals += rest
                break
            option = takes_value.get(arg)
            if option is not None:
                if not rest:
                    raise UsageError(f"Option {arg!r} requires an argument.")
                options.append(f"{option.long}={rest.pop(0)}")
            elif arg.startswith("-") and arg != "-":
                name = arg.partition("=")[0]
                if name != arg and name in is_flag:
                    raise UsageError(f"Option {name!r} does not take a value.")
                options.append(arg)
            else:
                positionals.append(arg)
        return options, positionals


def command(name: str, *params: Option | Argument) -> Callable[[Callable[..., None]], Command]:
    """Decorator: the function becomes the command ``name`` with ``params``."""

    def make(func: Callable[..., None]) -> Command:
        return Command(name, func, params)

    return make


class Group:
    """Commands under one name, each loaded (``load``) only when it runs.

    ``summaries`` (name → one line) is the list the help shows, so that ``--help``
    imports no command.
    """

    def __init__(
        self,
        help: str,
        summaries: Mapping[str, str],
        load: Callable[[str], Command | Group],
        version: str | None = None,
    ) -> None:
        self.help, self.summaries, self.load, self.version = help, summaries, load, version

    def run(self, prog: str, argv: Sequence[str]) -> None:
        """Run the command that ``argv`` names with the rest of ``argv``."""
        for i, arg in enumerate(argv):
            if arg in ("-h", "--help"):
                sys.stdout.write(self.format_help(prog))
                return
            if arg == "--version" and self.version is not None:
                sys.stdout.write(f"{prog}, version {self.version}\n")
                return
            if arg.startswith("-") and arg != "-":
                flags = ["--help", "--version"] if self.version is not None else ["--help"]
                raise no_such_option(arg, flags)
            if arg not in self.summaries:
                raise UsageError(f"No such command {arg!r}.")
            self.load(arg).run(f"{prog} {arg}", argv[i + 1 :])
            return
        raise UsageError(f"Missing command (see '{prog} --help').")

    def format_help(self, prog: str) -> str:
        """The help: options, then each command with its summary."""
        import textwrap

        parser = new_parser(prog, f"{prog} [OPTIONS] COMMAND [ARGS]...")
        parser.description = self.help
        if self.version is not None:
            parser.add_argument("--version", action="store_true", help="Show the version and exit.")
        add_help_option(parser)
        column = max(map(len, self.summaries)) + 4
        lines = [
            textwrap.fill(
                f"  {name:{column - 4}}  {self.summaries[name]}",
                help_width(),
                subsequent_indent=" " * column,
            )
            for name in sorted(self.summaries)
        ]
        parser.epilog = "\b\ncommands:\n" + "\n".join(lines)
        return parser.format_help()


def group(help: str, *commands: Command) -> Group:
    """A group of commands that are already loaded (``lab``)."""
    by_name = {c.name: c for c in commands}
    return Group(help, {c.name: c.summary for c in commands}, by_name.__getitem__)


def no_such_option(arg: str, flags: Sequence[str]) -> UsageError:
    """Click's message for an unknown option, with the close long options it suggests."""
    name = arg.partition("=")[0] if arg.startswith("--") else arg[:2]
    message = f"No such option {name!r}."
    if not name.startswith("--"):
        return UsageError(message)
    from difflib import get_close_matches

    close = sorted(get_close_matches(name, [f for f in flags if f.startswith("--")]))
    if len(close) == 1:
        message += f" Did you mean {close[0]!r}?"
    elif close:
        message += f" (Did you mean one of: {', '.join(map(repr, close))}?)"
    return UsageError(message)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse would print its usage and exit 2; the contract is one line, exit 3.
        raise UsageError(message)


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """At most 80 columns as click had; ``\\b`` paragraphs as written, others re-wrapped."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=34, width=help_width())

    def _format_action_invocation(self, action: argparse.Action) -> str:
        # ``-o, --output PATH`` (click's form) rather than ``-o PATH, --output PATH``
        if not action.option_strings or action.nargs == 0:
            return super()._format_action_invocation(action)
        return f"{', '.join(action.option_strings)} {action.metavar}"

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        import textwrap

        lines = text.strip("\n").split("\n")
        text = "\n".join([lines[0].strip(), textwrap.dedent("\n".join(lines[1:]))])
        out = []
        for paragraph in text.strip().split("\n\n"):
            if paragraph.startswith("\b\n"):
                out.append(textwrap.indent(paragraph[2:], indent))
            else:
                out.append(textwrap.fill(" ".join(paragraph.split()), width, initial_indent=indent,
                                         subsequent_indent=indent))  # fmt: skip
        return "\n\n".join(out)


def help_width() -> int:
    """The help's width: the terminal's, at most 80 columns as click had."""
    import shutil

    return min(shutil.get_terminal_size().columns, 80) - 2


def new_parser(prog: str, usage: str) -> argparse.ArgumentParser:
    """An argparse parser whose errors are UsageError and whose help is ours (``-h`` too)."""
    return _Parser(
        prog=prog,
        usage=usage,
        formatter_class=_HelpFormatter,
        add_help=False,
        allow_abbrev=False,
    )


def add_help_option(parser: argparse.ArgumentParser) -> None:
    """``-h``/``--help``, listed last as click did."""
    parser.add_argument("-h", "--help", action="help", help="Show this message and exit.")
