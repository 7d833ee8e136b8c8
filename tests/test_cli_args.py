"""The command line on argparse: usage errors, values, help, and lazy command loading."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from clirun import invoke
from dnssec_doctor import __version__
from dnssec_doctor.cli.args import Argument, Command, Option, command
from dnssec_doctor.cli.convert import IntRange
from dnssec_doctor.cli.main import COMMANDS, SUMMARIES

CAPTURE = Path(__file__).parent / "cases" / "check-expired-signatures" / "capture.json.gz"
AT = "@1800000000"  # the case's ``at``


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["frobnicate"], "No such command 'frobnicate'."),
        (["--nope"], "No such option '--nope'."),
        (["check", "x", "--no-such-option"], "No such option '--no-such-option'."),
        (["check", "--form", "json", "x"], "No such option '--form'. Did you mean '--format'?"),
        (
            ["check", "--resolv", "192.0.2.1", "x"],
            "No such option '--resolv'. (Did you mean one of: '--replay', '--resolver'?)",
        ),
        (["check", "-o", "x"], "No such option '-o'."),
        (["check", "--replay"], "Option '--replay' requires an argument."),
        (
            ["check", "--timeout", "abc", "x"],
            "Invalid value for '--timeout': 'abc' is not a valid float range.",
        ),
        (
            ["check", "--timeout", "100", "x"],
            "Invalid value for '--timeout': 100.0 is not in the range 0.05<=x<=60.0.",
        ),
        (
            ["check", "--max-queries", "0", "x"],
            "Invalid value for '--max-queries': 0 is not in the range 1<=x<=100000.",
        ),
        (
            ["check", "--expiry-warning", "-1", "x"],
            "Invalid value for '--expiry-warning': -1 is not in the range 0<=x<=3650.",
        ),
        (
            ["check", "--format=xml", "x"],
            "Invalid value for '--format': 'xml' is not one of "
            "'text', 'json', 'html', 'dot', 'svg', 'nagios', 'prometheus'.",
        ),
        (["explain"], "Missing argument 'CODE'."),
        (["explain", "--"], "Missing argument 'CODE'."),
        (["explain", "A", "B"], "Got unexpected extra argument (B)"),
        (["demo", "a", "b"], "Got unexpected extra arguments (a b)"),
        (["probe", "example.test"], "Missing option '-o' / '--output'."),
        (["zone", "/"], "Invalid value for 'FILE': File '/' is a directory."),
        (["lab"], "Missing command (see 'dnssec-doctor lab --help')."),
        (["lab", "frob"], "No such command 'frob'."),
        (["lab", "status", "--json=yes"], "Option '--json' does not take a value."),
        (
            ["lab", "up", "--timeout", "x"],
            "Invalid value for '--timeout': 'x' is not a valid float.",
        ),
        ([], "Missing command (see 'dnssec-doctor --help')."),
    ],
)
def test_usage_errors_are_one_line_and_exit_three(argv: list[str], message: str) -> None:
    result = invoke(*argv)
    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr == f"dnssec-doctor: {message}\n"


def test_an_option_value_may_start_with_a_dash() -> None:
    # ``--at -12h`` as click took it: the value is the next argument, whatever it is.
    joined = invoke("check", "--replay", str(CAPTURE), "--at", "-12h", "--format", "nagios")
    assert joined.exit_code == 2 and joined.stdout.startswith("DNSSEC CRITICAL")
    assert invoke("check", "--replay", str(CAPTURE), "--at=-12h", "--format=nagios") == joined


def test_options_and_arguments_interleave_and_double_dash_ends_options() -> None:
    argv = ["--replay", str(CAPTURE), "--at", AT, "--format", "nagios"]
    before = invoke("check", "expired-signatures.test", *argv)
    assert before.exit_code == 2, before.stderr
    assert invoke("check", *argv, "--", "expired-signatures.test") == before
    assert invoke("check", *argv[:2], "expired-signatures.test", *argv[2:]) == before


def test_version_and_help() -> None:
    assert invoke("--version") == invoke("--version", "check")
    assert invoke("--version").stdout == f"dnssec-doctor, version {__version__}\n"
    for argv in (["--help"], ["-h"], ["lab", "--help"], ["check", "-h"], ["lab", "up", "--help"]):
        result = invoke(*argv)
        assert result.exit_code == 0 and result.stderr == ""
        assert result.stdout.startswith(f"usage: dnssec-doctor {' '.join(argv[:-1])}".rstrip())
    listing = invoke("--help").stdout
    assert all(f"\n  {name} " in listing for name in COMMANDS)


def test_help_keeps_the_examples_as_written() -> None:
    page = invoke("check", "--help").stdout
    assert "\nExamples:\n  dnssec-doctor check example.com\n" in page
    assert "  dnssec-doctor check example.com --ns 192.0.2.1      (before delegating)\n" in page
    assert "\b" not in page
    assert "[default: 2.0; 0.05<=x<=60.0]" in " ".join(page.split())
    assert "  -o, --output PATH " in invoke("probe", "--help").stdout


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_summary_is_its_command_help_first_paragraph(name: str) -> None:
    module_name, attr = COMMANDS[name].split(":")
    target = getattr(importlib.import_module(module_name), attr)
    summary = target.summary if isinstance(target, Command) else " ".join(target.help.split())
    assert SUMMARIES[name] == summary


def test_group_help_and_version_import_no_command() -> None:
    script = (
        "import sys\n"
        "from dnssec_doctor.cli.main import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "finally:\n"
        "    loaded = [m for m in sys.modules if m.startswith('dnssec_doctor.cli.')]\n"
        "    print(sorted(loaded), 'click' in sys.modules, file=sys.stderr)\n"
    )
    for argv in (["--help"], ["--version"]):
        result = subprocess.run(
            [sys.executable, "-c", script, *argv], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr
        *loaded, click = result.stderr.split()
        assert click == "False"  # nor click, which the command line no longer uses
        assert not {name.strip("[',]") for name in loaded} & {
            module.split(":")[0] for module in COMMANDS.values()
        }


def test_a_command_gets_its_values_converted_and_defaulted() -> None:
    seen: dict[str, object] = {}

    @command(
        "t",
        Argument("name"),
        Option("--many", multiple=True),
        Option("--flag", flag=True),
        Option("--n", convert=IntRange(0, 9), default=5),
    )
    def t(**values: object) -> None:
        seen.update(values)

    t.run("prog t", ["x", "--many", "a", "--many", "-b", "--flag"])
    assert seen == {"name": "x", "many": ("a", "-b"), "flag": True, "n": 5}
    t.run("prog t", ["--n=7", "y"])
    assert seen == {"name": "y", "many": (), "flag": False, "n": 7}
