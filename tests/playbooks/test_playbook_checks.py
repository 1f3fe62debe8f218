"""The `checks:` of a playbook (welfare checks on the visitor): read strictly, every mistake
named at its file:line:col."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from playbooks.loader import PlaybookError, load_playbook_text
from playbooks.schema import Choice, Playbook, Text, Unit

SMALL = (Path(__file__).parent / "valid_small.yaml").read_text(encoding="utf-8")
CHECKS = """\
checks:
  - id: watch
    title: {zh: 观察, en: Watch}
    every: 15m
    grace: 3m
    starts_with: [report_to_head]
    stops_with: [call_police]
    observe:
      - {id: conscious, label: {zh: 意识清醒, en: Conscious}, answer: yes_no}
      - id: mood
        label: {zh: 情绪, en: Mood}
        choices:
          - {id: calm, label: {zh: 平静, en: Calm}}
          - {id: upset, label: {zh: 激动, en: Upset}}
    on_missed: {notify: [health]}
"""


def with_checks(checks: str) -> str:
    return SMALL.replace("notifications:\n", checks + "notifications:\n", 1)


def load(text: str, units: Mapping[str, Unit]) -> Playbook:
    return load_playbook_text(text, "small.yaml", units)


def problems(text: str, units: Mapping[str, Unit]) -> list[str]:
    with pytest.raises(PlaybookError) as refused:
        load(text, units)
    return [str(p) for p in refused.value.problems]


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_check_is_read_into_the_model(units: Mapping[str, Unit]) -> None:
    """Interval and grace in seconds, the items that start and stop it, yes/no as two choices."""
    (check,) = load(with_checks(CHECKS), units).checks
    assert (check.id, check.every, check.grace) == ("watch", 900, 180)
    assert (check.starts_with, check.stops_with, check.notify_on_missed) == (
        ("report_to_head",),
        ("call_police",),
        ("health",),
    )
    conscious, mood = check.observe
    assert conscious.choices == (Choice("yes", Text("是", "Yes")), Choice("no", Text("否", "No")))
    assert [c.id for c in mood.choices] == ["calm", "upset"]


@pytest.mark.parametrize(
    ("old", "new", "needle", "column", "message"),
    [
        ("every: 15m", "every: 15", "every: 15", 12, "checks[0].every: '15' is a duration without"),
        ("every: 15m", "every: 30s", "every: 30s", 12, "checks[0].every: a check cannot be more"),
        ("[report_to_head]", "[report_to_hed]", "starts_with", 19, "unknown item 'report_to_hed'"),
        ("stops_with: [call_police]", "stops_with: [report_to_head]", "stops_with", 18, "both"),
        ("notify: [health]", "notify: [helth]", "on_missed", 26, "unknown unit 'helth'"),
        ("answer: yes_no", "answer: maybe", "answer: maybe", 67, "'maybe' is not a kind of answer"),
        ("answer: yes_no", "choices: []", "choices: []", 68, "the list must not be empty"),
        (", answer: yes_no}", "}", "id: conscious", 9, "exactly one of 'answer: yes_no'"),
        ("    grace: 3m\n", "    grace: 3m\n    graze: 1m\n", "graze", 5, "unknown key 'graze'"),
        ("id: upset", "id: calm", "id: calm, label: {zh: 激动", 18, "duplicate choice id 'calm'"),
    ],
)
def test_each_mistake_is_named_at_file_line_and_column(
    units: Mapping[str, Unit], old: str, new: str, needle: str, column: int, message: str
) -> None:
    """A wrong interval, reference, answer or key is refused at small.yaml:line:col."""
    text = with_checks(CHECKS.replace(old, new, 1))
    found = problems(text, units)
    where = f"small.yaml:{line_of(text, needle)}:{column}: "
    assert any(p.startswith(where) and message in p for p in found), (where, found)


def test_two_checks_with_one_id_are_refused(units: Mapping[str, Unit]) -> None:
    """The second check of the same id is named, with where the first is."""
    second = CHECKS.removeprefix("checks:\n")
    text = with_checks(CHECKS + second)
    found = problems(text, units)
    line = [n for n, ln in enumerate(text.splitlines(), 1) if "- id: watch" in ln][1]
    assert any(p.startswith(f"small.yaml:{line}:9: checks[1].id: duplicate") for p in found), found


def test_a_manual_check_has_no_starts_with(units: Mapping[str, Unit]) -> None:
    text = with_checks(CHECKS.replace("    grace: 3m\n", "    grace: 3m\n    manual: true\n"))
    found = problems(text, units)
    assert any("checks[0].manual: a manual check has no starts_with" in p for p in found), found
