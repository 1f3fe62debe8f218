"""YAML syntax errors: each at its line and column, and the rest of the file still checked.

Columns count characters (code points), as an editor shows them: 中 and 😀 are one each.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from playbooks.loader import PlaybookError, load_playbook_text
from playbooks.schema import Unit

SMALL = (Path(__file__).parent / "valid_small.yaml").read_text(encoding="utf-8")
WATCHFLOOR = str(Path(sys.executable).parent / "watchfloor")
TAB = "a tab character where YAML allows only spaces"


def edited(*changes: tuple[str, str]) -> str:
    """The small valid playbook with each (old, new) replaced once."""
    text = SMALL
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def problems(source: str | bytes, units: Mapping[str, Unit]) -> list[str]:
    """The lines a user reads for a refused file, without the file name."""
    with pytest.raises(PlaybookError) as info:
        load_playbook_text(source, "p.yaml", units)
    return [str(p).removeprefix("p.yaml:") for p in info.value.problems]


def at(text: str, line: int, needle: str) -> str:
    """`line:column` of `needle` on that line, the column counted in characters."""
    return f"{line}:{text.splitlines()[line - 1].index(needle) + 1}"


def test_a_tab_and_a_field_fault_further_down_are_both_reported(
    units: Mapping[str, Unit],
) -> None:
    """A tab at line 18 and a bad duration at line 34 both show, each at its line and column."""
    text = edited(
        (
            "        role: onsite_staff\n        due: {after: opened",
            "\trole: onsite_staff\n        due: {after: opened",
        ),
        ("within: 15m}", "within: 15 minutes}"),
    )
    assert problems(text, units) == [
        f"18:1: YAML syntax error: {TAB}; replace it with spaces",
        f"{at(text, 34, '15 minutes')}: phases[1].items[0].due.within: '15 minutes' is not a "
        "duration; write it like 30s, 5m, 1h, 1h30m or 2d",
    ]


def test_two_syntax_errors_and_a_field_fault_are_all_reported(units: Mapping[str, Unit]) -> None:
    """An unclosed [ and an unclosed quote are both reported, and so is a bad value after them."""
    text = edited(
        ("requires: [report_to_head]\n        due", "requires: [report_to_head\n        due"),
        ("en: Summary report}", 'en: "Summary report}'),
        ("ack_within: 2d", "ack_within: 2 days"),
    )
    found = problems(text, units)
    assert found[0].startswith("26:12: YAML syntax error: expected ',' or ']'")
    assert "(in the list opened with '[' at line 25, column 19)" in found[0]
    assert found[1] == f"{at(text, 36, chr(34))}: YAML syntax error: this quote is never closed"
    assert found[2].startswith(f"{at(text, 62, '2 days')}: notifications[4].ack_within:")
    assert len(found) == 3


def test_a_left_out_line_does_not_invent_problems(units: Mapping[str, Unit]) -> None:
    """A tab on `notifications:` is the one problem: its entries are not read as phases."""
    text = edited(("notifications:\n", "\tnotifications:\n"))
    assert problems(text, units) == [f"40:1: YAML syntax error: {TAB}; replace it with spaces"]


def test_chinese_and_emoji_keep_columns_in_characters(units: Mapping[str, Unit]) -> None:
    """After 中文 and 😀 on the line, a bad value's column counts each as one character."""
    old = (
        "      - id: report_up\n"
        "        text: {zh: 向党委政府报告, en: Report to the party committee}\n"
        "        role: duty_officer"
    )
    new = (
        "      - {id: report_up, text: {zh: 向党委😀政府报告, en: Report 🚨}, role: chiefs}\n"
        "      - id: x\n        text: {zh: 报告😀, en: 🚨 Report}\n😀\trole: duty_officer"
    )
    text = edited((old, new))
    assert at(text, 30, "chiefs") == "30:67"
    found = problems(text, units)
    assert found[0].startswith("30:67: phases[1].items[0].role: 'chiefs' is not a valid")
    assert found[1] == f"33:2: YAML syntax error: {TAB}; replace it with spaces"  # after 😀
    assert len(found) == 2


def test_too_many_syntax_errors_say_where_checking_stopped(units: Mapping[str, Unit]) -> None:
    """A file indented with tabs throughout lists ten errors, then says checking stopped."""
    text = "".join("\t" + line if line.strip() else line for line in SMALL.splitlines(True))
    found = problems(text, units)
    assert len(found) == 11
    assert all(TAB in line for line in found[:10])
    assert "more than 10 YAML syntax errors; checking stopped at this line" in found[10]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("", ["1:1: the file is empty"]),
        ("# only a comment\n", ["1:1: the file is empty: it holds only comments"]),
        ("\ufeff", ["1:1: the file is empty"]),
        (b"id: \xd1\xdd\n", ["1:5: not valid UTF-8 (byte 0xd1); save the file as UTF-8"]),
        (bytes(range(256)), ["3:115: not valid UTF-8 (byte 0x80); save the file as UTF-8"]),
        (b"\x00 x\nb: 1\n\x07\n", ["1:1: character U+0000", "3:1: character U+0007"]),
        ("\ufeff" + edited(("version: 3", "\tversion: 3")), [f"3:1: YAML syntax error: {TAB}"]),
    ],
    ids=["empty", "comment", "bom", "gbk", "binary", "control", "bom_tab"],
)
def test_odd_files_are_refused_with_their_line(
    source: str | bytes, expected: list[str], units: Mapping[str, Unit]
) -> None:
    """Empty, comment-only, BOM-only, non-UTF-8, binary or control-character files name a line."""
    found = problems(source, units)
    assert len(found) == len(expected)
    assert all(line.startswith(want) for line, want in zip(found, expected, strict=True))


def test_crlf_lines_count_as_lines(units: Mapping[str, Unit]) -> None:
    """With CRLF line ends, a tab and a bad unit further down keep their lines and columns."""
    text = edited(("version: 3", "\tversion: 3"), ("unit: police", "unit: polise"))
    found = problems(text.replace("\n", "\r\n"), units)
    assert found == [
        f"3:1: YAML syntax error: {TAB}; replace it with spaces",
        "48:11: notifications[1].unit: unknown unit 'polise' (did you mean 'police'?)",
    ]


def test_a_second_document_is_refused_and_the_first_still_checked(
    units: Mapping[str, Unit],
) -> None:
    """After `---`, a second document is refused at its line; the first one's faults still show."""
    text = edited(("unit: police", "unit: polise")) + "---\nid: second\n\tbad: [\n"
    assert problems(text, units) == [
        "48:11: notifications[1].unit: unknown unit 'polise' (did you mean 'police'?)",
        "70:1: a playbook file holds one YAML document; found a second",
    ]


def check_file(path: Path) -> subprocess.CompletedProcess[str]:
    """`watchfloor playbooks check PATH`, run as an operator runs it."""
    return subprocess.run(
        [WATCHFLOOR, "playbooks", "check", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_check_command_lists_every_error_and_fails(tmp_path: Path) -> None:
    """`watchfloor playbooks check FILE` prints each syntax and field error and exits 1."""
    bad = tmp_path / "broken.yaml"
    bad.write_text(edited(("version: 3", "\tversion: 3"), ("unit: police", "unit: polise")))
    done = check_file(bad)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.splitlines() == [
        f"{bad}:3:1: YAML syntax error: {TAB}; replace it with spaces",
        f"{bad}:48:11: notifications[1].unit: unknown unit 'polise' (did you mean 'police'?)",
        "2 problem(s) in 1 of 1 file(s)",
    ]
    assert "Traceback" not in done.stderr


def test_the_check_command_shows_a_bidi_override_it_quotes(tmp_path: Path) -> None:
    """A problem quoting the file prints its overrides as escapes: the terminal is not driven."""
    bad = tmp_path / "bidi.yaml"
    bad.write_text('"警戒\u202e区": 1\n', encoding="utf-8")
    done = check_file(bad)
    assert done.returncode == 1
    assert "\u202e" not in done.stdout
    assert "警戒<U+202E>区" in done.stdout
