"""Values are read exactly as written: YAML 1.1 guesses never turn text into bools or numbers."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from incidents.kinds import Level, Role, Status
from playbooks.durations import format_duration, parse_duration
from playbooks.loader import MAX_BYTES, PlaybookError, load_playbook_text
from playbooks.schema import (
    Due,
    Escalation,
    ItemDone,
    LevelReached,
    Opened,
    Playbook,
    StatusReached,
    Text,
    Unit,
)

SMALL = (Path(__file__).parent / "valid_small.yaml").read_text(encoding="utf-8")


def load(text: str, units: Mapping[str, Unit]) -> Playbook:
    return load_playbook_text(text, "small.yaml", units)


@pytest.mark.parametrize("word", ["NO", "yes", "on", "off", "null", "~", "12:30", "1e3", "0x1F"])
def test_a_yaml_11_word_in_a_text_stays_that_text(word: str, units: Mapping[str, Unit]) -> None:
    """A title written NO (or 12:30, ~, 1e3) shows exactly that, not False or a number."""
    text = SMALL.replace("en: Small playbook", f"en: {word}").replace("zh: 报警", f"zh: {word}")
    playbook = load(text, units)
    assert playbook.title.en == word
    assert playbook.item("call_police").text.zh == word


def test_the_on_key_is_a_key_not_true(units: Mapping[str, Unit]) -> None:
    """`on: open` in a notification is read as the trigger, though YAML 1.1 reads `on` as true."""
    assert load(SMALL, units).notifications[0].on == Opened()


def test_a_valid_playbook_is_read_into_the_model(units: Mapping[str, Unit]) -> None:
    """Every field of the small playbook arrives typed: durations, triggers, anchors, defaults."""
    playbook = load(SMALL, units)
    assert (playbook.version, playbook.title) == (3, Text(zh="小型预案", en="Small playbook"))
    call = playbook.item("call_police")
    assert call.due == Due(after=ItemDone("report_to_head"), within_seconds=5400)
    assert (call.required, call.requires, call.role) == (
        False,
        ("report_to_head",),
        Role.ONSITE_STAFF,
    )
    assert playbook.item("report_up").due == Due(LevelReached(Level.MAJOR), 900)
    assert playbook.item("summary_report").required is True
    triggers = [n.on for n in playbook.notifications]
    assert StatusReached(Status.CLOSED) in triggers
    assert playbook.notifications[0].escalation == Escalation(600, 1200, ("party_government_duty",))
    assert playbook.notifications[1].fields[-1] == "other"
    assert playbook.reports.final_on_close is False
    assert [i.id for i in playbook.items_for_level(Level.GENERAL)] == [
        "report_to_head",
        "call_police",
        "summary_report",
    ]


def test_quoted_numbers_are_still_numbers_where_numbers_belong(units: Mapping[str, Unit]) -> None:
    """`version: "3"` is the version 3: only the schema decides a value's type."""
    assert load(SMALL.replace("version: 3", 'version: "3"'), units).version == 3


@pytest.mark.parametrize(
    ("written", "seconds"),
    [("30s", 30), ("5m", 300), ("1h", 3600), ("1h30m", 5400), ("2d", 172800), ("1d2h3m4s", 93784)],
)
def test_durations_are_read_in_seconds(written: str, seconds: int) -> None:
    """Durations are written 30s, 5m, 1h, 1h30m, 2d and kept as whole seconds."""
    assert parse_duration(written) == seconds
    assert format_duration(seconds) == written


@pytest.mark.parametrize(
    "written", ["0", "0m", "-5m", "5", "5 m", "1.5h", "12:30", "m", "", "1m1h"]
)
def test_nonsense_durations_are_refused(written: str) -> None:
    """Zero, negative, unit-less, clock times and out-of-order units are not durations."""
    with pytest.raises(ValueError, match="duration"):
        parse_duration(written)


def test_durations_read_back_in_chinese() -> None:
    """The Chinese checklist shows 1小时30分钟 for 1h30m."""
    assert format_duration(5400, "zh") == "1小时30分钟"


def test_a_file_over_the_size_cap_is_refused_saying_the_cap(units: Mapping[str, Unit]) -> None:
    """A playbook over 256 KiB is refused before it is parsed, and the message says the limit."""
    with pytest.raises(PlaybookError, match="the limit is 256 KiB"):
        load(SMALL + "#" * MAX_BYTES, units)


def test_text_with_a_lone_surrogate_is_refused_cleanly(units: Mapping[str, Unit]) -> None:
    """Text that is not valid Unicode is a problem, not a crash."""
    with pytest.raises(PlaybookError, match="not valid Unicode"):
        load(SMALL.replace("Demo", "\ud800") + "\ud800", units)


def test_a_utf8_byte_order_mark_is_accepted(units: Mapping[str, Unit]) -> None:
    """A file saved with a UTF-8 BOM (as some Windows editors do) still loads."""
    data = b"\xef\xbb\xbf" + SMALL.encode("utf-8")
    assert load_playbook_text(data, "bom.yaml", units).id == "small"
