"""The command line on argparse: usage errors, values, help, and lazy command loading."""

from __future__ import annotations

import importlib
import subprocess
import sys
from argparse import ArgumentTypeError
from pathlib import Path

import pytest

from clirun import invoke
from dnssec_doctor import __version__
from dnssec_doctor.cli.main import COMMANDS, SUMMARIES, parse
from dnssec_doctor.cli.parser import join_relative_times
from dnssec_doctor.cli.values import Duration, Range, directory_path, file_path

CAPTURE = Path(__file__).parent / "cases" / "check-expired-signatures" / "capture.json.gz"
AT = "@1800000000"  # the case's ``at``
FORMATS = "'text', 'json', 'html', 'dot', 'svg', 'nagios', 'prometheus'"


@pytest.mark.parametrize(
    ("argv", "prog", "message"),
    [
        ([], "", "the following arguments are required: COMMAND"),
        (["frobnicate"], "", "argument COMMAND: invalid choice: 'frobnicate' (choose from "
         + ", ".join(repr(name) for name in COMMANDS) + ")"),
        (["--nope"], "", "the following arguments are required: COMMAND"),
        (["--nope", "check", "x"], " check", "unrecognized arguments: --nope"),
        (["check", "x", "--no-such-option"], " check", "unrecognized arguments: --no-such-option"),
        (["check", "--form", "json", "x"], " check", "unrecognized arguments: --form x"),
        (["check", "-o", "x"], " check", "unrecognized arguments: -o"),
        (["check", "--replay"], " check", "argument --replay: expected one argument"),
        (["check", "--timeout", "abc", "x"], " check", "argument --timeout: 'abc' is not a number"),
        (["check", "--timeout", "100", "x"], " check",
         "argument --timeout: '100' is not in the range 0.05 to 60.0"),
        (["check", "--max-queries", "0", "x"], " check",
         "argument --max-queries: '0' is not in the range 1 to 100000"),
        (["check", "--max-queries", "1.5", "x"], " check",
         "argument --max-queries: '1.5' is not a whole number"),
        (["check", "--expiry-warning", "-1", "x"], " check",
         "argument --expiry-warning: '-1' is not in the range 0 to 3650"),
        (["check", "--format=xml", "x"], " check",
         f"argument --format: invalid choice: 'xml' (choose from {FORMATS})"),
        (["check", "x", "y"], " check", "unrecognized arguments: y"),
        (["check", "--timeout=--", "x"], " check", "argument --timeout: '--' is not a number"),
        (["check", "--format=--", "x"], " check",
         f"argument --format: invalid choice: '--' (choose from {FORMATS})"),
        (["explain"], " explain", "the following arguments are required: CODE"),
        (["explain", "--"], " explain", "the following arguments are required: CODE"),
        (["explain", "A", "B"], " explain", "unrecognized arguments: B"),
        (["demo", "a", "b"], " demo", "unrecognized arguments: a b"),
        (["probe", "example.test"], " probe", "the following arguments are required: -o/--output"),
        (["zone", "/"], " zone", "argument FILE: '/' is a directory, not a file"),
        (["watch", "--once"], " watch", "the following arguments are required: NAME"),
        (["watch", "x", "--interval", "0"], " watch",
         "argument --interval: '0' is shorter than one second"),
        (["lab"], " lab", "the following arguments are required: COMMAND"),
        (["lab", "frob"], " lab", "argument COMMAND: invalid choice: 'frob' (choose from "
         "'list', 'up', 'status', 'down', 'rollover')"),
        (["lab", "status", "--json=yes"], " lab status",
         "argument --json: ignored explicit argument 'yes'"),
        (["lab", "up", "--timeout", "x"], " lab up",
         "argument --timeout: invalid float value: 'x'"),
        (["history", "x", "--capture", "0"], " history",
         "argument --capture: '0' is not in the range 1 to 4611686018427387904"),
    ],
)  # fmt: skip
def test_usage_errors_are_one_line_and_exit_three(argv: list[str], prog: str, message: str) -> None:
    result = invoke(*argv)
    assert (result.exit_code, result.stdout) == (3, "")
    name = f"dnssec-doctor{prog}"
    assert result.stderr == f"{name}: {message} (see '{name} --help')\n"


def test_a_huge_bad_value_is_quoted_short() -> None:
    result = invoke("check", "--max-queries", "9" * 5000, "x")
    assert result.exit_code == 3 and result.stderr.count("\n") == 1
    assert f"'{'9' * 39}…' is not a whole number" in result.stderr
    assert len(result.stderr) < 200


def test_an_option_value_may_be_a_time_in_the_past() -> None:
    # ``--at -12h`` as the documentation writes it; argparse alone would read -12h as
    # an option and say --at expected one argument.
    spaced = invoke("check", "--replay", str(CAPTURE), "--at", "-12h", "--format", "nagios")
    assert spaced.exit_code == 2 and spaced.stdout.startswith("DNSSEC CRITICAL"), spaced
    assert invoke("check", "--replay", str(CAPTURE), "--at=-12h", "--format=nagios") == spaced
    assert parse(["history", "x", "--since", "-7d"])[1]["since"] == "-7d"


def test_a_double_dash_given_as_an_option_value_is_that_value() -> None:
    # argparse (Python 3.11, at least) hands the command [] for ``--since=--``: an internal
    # error instead of the one line any bad time gets
    for argv in (["history", "x.test", "--since=--"], ["check", "x.test", "--at=--"]):
        run = invoke(*argv)
        assert run.exit_code == 3 and run.stdout == ""
        assert run.stderr.startswith("dnssec-doctor: invalid time '--': use ISO 8601"), run.stderr
    assert parse(["history", "x", "--db=--"])[1]["db"] == "--"


def test_only_relative_times_are_joined_to_their_option() -> None:
    assert join_relative_times(["check", "--at", "-12h", "x"]) == ["check", "--at=-12h", "x"]
    assert join_relative_times(["--since", "-7d"]) == ["--since=-7d"]
    # an option after --at stays an option (argparse then says --at expected a value)
    assert join_relative_times(["--at", "--format", "json"]) == ["--at", "--format", "json"]
    assert join_relative_times(["--timeout", "-1"]) == ["--timeout", "-1"]
    assert join_relative_times(["--", "--at", "-1d"]) == ["--", "--at", "-1d"]
    assert invoke("check", "x", "--at", "--format", "json").stderr.startswith(
        "dnssec-doctor check: argument --at: expected one argument"
    )


def test_options_and_arguments_interleave_and_double_dash_ends_options() -> None:
    argv = ["--replay", str(CAPTURE), "--at", AT, "--format", "nagios"]
    before = invoke("check", "expired-signatures.test", *argv)
    assert before.exit_code == 2, before.stderr
    assert invoke("check", *argv, "--", "expired-signatures.test") == before
    assert invoke("check", *argv[:2], "expired-signatures.test", *argv[2:]) == before
    other = invoke("check", "other.test", *argv)
    assert other.exit_code == 3 and "not other.test" in other.stderr  # NAME reached the check


def test_values_are_converted_repeated_options_are_tuples_and_defaults_are_filled() -> None:
    run, values = parse(["check", "x", "--type", "A", "--type", "MX", "--timeout=0.5"])
    assert run.__name__ == "check"
    assert values["types"] == ("A", "MX") and values["ns"] == () and values["timeout"] == 0.5
    assert (values["max_queries"], values["deadline"], values["fmt"]) == (2000, 60.0, "text")
    run, values = parse(["lab", "up", "a", "b", "--dir", "d"])
    assert run.__name__ == "up_command"
    assert values == {
        "scenarios": ("a", "b"), "directory": Path("d"), "backend": "embedded",
        "base": None, "timeout": values["timeout"],
    }  # fmt: skip
    assert isinstance(values["timeout"], float)


def test_the_lab_directory_comes_from_the_environment_when_not_given(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DNSSEC_DOCTOR_LAB_DIR", str(tmp_path))
    assert parse(["lab", "down"])[1]["directory"] == tmp_path
    assert parse(["lab", "down", "--dir", "x"])[1]["directory"] == Path("x")
    monkeypatch.setenv("DNSSEC_DOCTOR_LAB_DIR", str(CAPTURE))  # a file: refused like --dir
    assert "is a file, not a directory" in invoke("lab", "down").stderr


def test_value_types_refuse_what_is_not_a_value() -> None:
    timeout = Range(float, 0.05, 60.0)
    assert timeout("0.05") == 0.05 and timeout("60") == 60.0
    for bad in ("nan", "inf", "-inf", "0.04", "60.1", "", "1e999"):
        with pytest.raises(ArgumentTypeError):
            timeout(bad)
    with pytest.raises(ArgumentTypeError, match="not a whole number"):
        Range(int, 0, 9)("5.0")
    assert Duration(86400)("1d") == 86400
    with pytest.raises(ArgumentTypeError, match="longer than 1 days"):
        Duration(86400)("25h")
    with pytest.raises(ArgumentTypeError, match="invalid duration"):
        Duration(86400)("-1d")
    assert file_path("-") == Path("-")
    with pytest.raises(ArgumentTypeError, match="is a directory"):
        file_path(str(CAPTURE.parent))
    assert directory_path(str(CAPTURE.parent / "not-yet")) == CAPTURE.parent / "not-yet"


def test_version_and_help() -> None:
    assert invoke("--version") == invoke("--version", "check")
    assert invoke("--version").stdout == f"dnssec-doctor, version {__version__}\n"
    for argv in (["--help"], ["-h"], ["lab", "--help"], ["check", "-h"], ["lab", "up", "--help"]):
        result = invoke(*argv)
        assert result.exit_code == 0 and result.stderr == ""
        assert result.stdout.startswith(f"usage: dnssec-doctor {' '.join(argv[:-1])}".rstrip())
    listing = invoke("--help").stdout
    assert all(f"\n    {name} " in listing for name in COMMANDS)


def test_help_shows_examples_as_written_and_ranges_and_defaults() -> None:
    page = invoke("check", "--help").stdout
    assert "\nExamples:\n  dnssec-doctor check example.com\n" in page
    assert "  dnssec-doctor check example.com --ns 192.0.2.1      (before delegating)\n" in page
    flat = " ".join(page.split())
    assert "--timeout SECONDS Per-query timeout (0.05 to 60.0; default: 2.0)." in flat
    assert "--format {text,json,html,dot,svg,nagios,prometheus} Output format (default: text)" in (
        flat
    )
    assert "  -o FILE, --output FILE\n" in invoke("probe", "--help").stdout
    assert max(len(line) for line in invoke("scan", "--help").stdout.splitlines()) <= 80


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_summary_is_the_first_line_of_its_command_help(name: str) -> None:
    # the top-level --help lists SUMMARIES without importing any command: they must say
    # what the commands' own help (their docstrings) says
    description = invoke(name, "--help").stdout.split("\n\n")[1]
    assert description.split("\n")[0] == SUMMARIES[name]
    if name != "lab":  # a group: its help is the summary
        module_name, declare = COMMANDS[name].split(":")
        module = importlib.import_module(module_name)
        command = getattr(module, declare.removesuffix("_arguments"))
        assert (command.__doc__ or "").split("\n")[0] == SUMMARIES[name]


def test_group_help_and_version_import_no_command() -> None:
    script = (
        "import sys\n"
        "from dnssec_doctor.cli.main import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "finally:\n"
        "    loaded = [m for m in sys.modules if m.startswith('dnssec_doctor.cli.')]\n"
        "    print(sorted(loaded), file=sys.stderr)\n"
    )
    commands = {module.split(":")[0] for module in COMMANDS.values()}
    for argv, imported in ((["--help"], set()), (["--version"], set()),
                           (["explain", "-h"], {"dnssec_doctor.cli.explain"})):  # fmt: skip
        result = subprocess.run(
            [sys.executable, "-c", script, *argv], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr
        loaded = {name.strip("[',]") for name in result.stderr.split()}
        assert loaded & commands == imported
