"""The styled-text writer behind the text report: SGR codes only with colour, wrapping."""

from __future__ import annotations

import pytest

from dnssec_doctor.render.styled import RESET, StyledWriter, sgr


def written(
    *spans: str | tuple[str, str],
    color: bool,
    width: int = 100,
    wrap: bool = True,
    hang: int | None = None,
) -> str:
    out = StyledWriter(color=color, width=width)
    out.line(*spans, wrap=wrap, hang=hang)
    return out.getvalue()


@pytest.mark.parametrize(
    ("style", "codes"),
    [
        ("bold", "\x1b[1m"),
        ("dim", "\x1b[2m"),
        ("bold underline", "\x1b[1;4m"),
        ("underline bold", "\x1b[1;4m"),  # attributes in SGR order, as rich wrote them
        ("bold green", "\x1b[1;32m"),
        ("yellow", "\x1b[33m"),
        ("magenta", "\x1b[35m"),
        ("cyan", "\x1b[36m"),
        ("bold white on red", "\x1b[1;37;41m"),
        ("", ""),
    ],
)
def test_styles_are_the_sgr_codes_rich_wrote(style: str, codes: str) -> None:
    assert sgr(style) == codes


@pytest.mark.parametrize("style", ["blink", "on", "on bold", "purple"])
def test_an_unknown_style_is_an_error_not_ignored(style: str) -> None:
    with pytest.raises(ValueError, match="unknown style"):
        sgr(style)


def test_colour_wraps_each_styled_span() -> None:
    out = written("  ", (" CRITICAL ", "bold white on red"), " ", ("CODE", "bold"), color=True)
    assert out == f"  \x1b[1;37;41m CRITICAL {RESET} \x1b[1mCODE{RESET}\n"


def test_without_colour_there_are_no_escape_sequences() -> None:
    out = written("  ", (" CRITICAL ", "bold white on red"), ("x", ""), color=False)
    assert out == "   CRITICAL x\n"


def test_unstyled_and_empty_spans_add_no_codes() -> None:
    assert written("a", ("", "bold"), ("b", ""), color=True) == "ab\n"


def test_a_line_break_in_a_span_ends_and_restarts_its_style() -> None:
    out = written(("    fix: one\n    two", "bold green"), color=True, wrap=False)
    assert out == f"\x1b[1;32m    fix: one{RESET}\n\x1b[1;32m    two{RESET}\n"


def test_blank_lines() -> None:
    out = StyledWriter(color=True)
    out.blank()
    out.line(("Heading", "bold underline"))
    assert out.getvalue() == f"\n\x1b[1;4mHeading{RESET}\n"


def test_long_lines_wrap_at_spaces_within_the_width() -> None:
    words = [f"word{i}" for i in range(40)] + ["2027-01-15T08:00:00Z", "a-b-c"]
    text = "    " + " ".join(words)
    out = written(text, color=False, width=30)
    lines = out.splitlines()
    assert len(lines) > 1
    assert all(len(line) <= 30 for line in lines)
    assert out.split() == words  # no word cut, no hyphen taken as a break
    # The indent of the first line is kept, on every line the wrapping makes.
    assert all(line.startswith("    ") and line[4] != " " for line in lines), lines


def test_a_hanging_indent_puts_continuations_under_the_text() -> None:
    out = written("  zone  ↳ " + " ".join(["why"] * 12), color=False, width=30, hang=10)
    lines = out.splitlines()
    assert len(lines) > 1 and lines[0].startswith("  zone  ↳ why")
    assert all(line.startswith(" " * 10 + "why") for line in lines[1:]), lines


def test_a_word_longer_than_the_line_starts_a_new_line_then_is_cut() -> None:
    out = written("  ERROR  " + "x" * 25, color=False, width=10)
    assert out.splitlines() == ["  ERROR", "  xxxxxxxx", "  xxxxxxxx", "  xxxxxxxx", "  x"]


def test_wrapping_cuts_styled_spans_and_styles_each_piece() -> None:
    out = written(("alpha beta", "dim"), " gamma ", ("delta epsilon", "bold"), color=True, width=12)
    assert out.splitlines() == [
        f"\x1b[2malpha beta{RESET}",
        f"gamma \x1b[1mdelta{RESET}",  # the space the line broke at is dropped
        f"\x1b[1mepsilon{RESET}",
    ]


def test_no_wrap_leaves_long_lines_to_the_terminal() -> None:
    record = "    example. 3600 IN DS 12345 13 2 " + "AB" * 32
    assert written(record, color=False, width=40, wrap=False) == record + "\n"


def test_lines_within_the_width_are_untouched() -> None:
    text = "  two  spaces  kept  "
    assert written(text, color=False, width=len(text)) == text + "\n"
