"""What a text field takes: no control character, no bidi override; Chinese and emoji as typed."""

from __future__ import annotations

import json

import pytest

from incidents import validate
from incidents.errors import InvalidCommand
from incidents.text import json_visible, visible

REAL = [
    "一楼大厅东侧，来访人情绪激动",
    "👨‍👩‍👧‍👦 一家四口",  # ZWJ sequence
    "👍🏽 已到场",  # skin tone
    "🇨🇳🇭🇰 旗",  # regional indicators
    "🏴󠁧󠁢󠁥󠁮󠁧󠁿 England",  # tag sequence (tags are category Cf)
    "❤️ 谢谢",  # variation selector U+FE0F
    "می‌خواهم",  # ZWNJ U+200C inside Persian
    "Café 咖啡 кофе قهوة קפה",  # mixed scripts
    "שלום\u200f (RLM)",  # an implicit direction mark
    "①②③ ＡＢＣ　全角",
]


@pytest.mark.parametrize("value", REAL)
@pytest.mark.parametrize("multiline", [False, True])
def test_chinese_emoji_and_mixed_scripts_pass_untouched(value: str, multiline: bool) -> None:
    """What people type, in any script, is stored exactly as typed."""
    assert validate.text(value, "location", max_len=200, multiline=multiline) == value
    assert visible(value) == value


BAD = [
    ("大厅\x1b[2J", "text.control_character", "001B", 3),
    ("a\x00b", "text.control_character", "0000", 2),
    ("a\x7fb", "text.control_character", "007F", 2),
    ("a\x9bb", "text.control_character", "009B", 2),
    ("行\u2028二", "text.control_character", "2028", 2),
    ("退款\u202e000,1", "text.bidi_control", "202E", 3),
    ("\u2066x\u2069", "text.bidi_control", "2066", 1),
    ("a\u202ab", "text.bidi_control", "202A", 2),
]


@pytest.mark.parametrize(("value", "reason", "code", "position"), BAD)
@pytest.mark.parametrize("multiline", [False, True])
def test_control_and_bidi_characters_are_refused_naming_field_and_character(
    value: str, reason: str, code: str, position: int, multiline: bool
) -> None:
    """ESC, NUL, DEL, C1, a line separator, a bidi override: refused by field, U+ code, place."""
    with pytest.raises(InvalidCommand) as refused:
        validate.text(value, "summary", max_len=200, multiline=multiline)
    exc = refused.value
    assert (exc.reason, exc.field) == (reason, "summary")
    assert (exc.params["code"], exc.params["position"]) == (code, position)
    assert f"U+{code}" in exc.message


def test_a_single_line_field_refuses_a_line_break_and_a_tab() -> None:
    """A reason is one line: a line break or a tab inside it is refused."""
    for value in ("升级\n原因", "升级\t原因"):
        with pytest.raises(InvalidCommand) as refused:
            validate.text(value, "reason", max_len=200)
        assert refused.value.reason == "text.control_character"


def test_a_multi_line_field_keeps_line_breaks_and_tabs_with_line_ends_as_lf() -> None:
    """A note keeps its lines and tabs; CR LF and a lone CR become LF."""
    note = validate.text("第一行\r\n第二行\r第三行\n\t缩进", "text", max_len=200, multiline=True)
    assert note == "第一行\n第二行\n第三行\n\t缩进"


def test_stored_controls_print_escaped_and_json_stays_json() -> None:
    """On a terminal ESC and bidi overrides show as escapes; JSON output still parses."""
    shown = visible("大厅\x1b[2J\u202e退\n\\x1b")
    assert shown == "大厅\\x1b[2J<U+202E>退\\n\\\\x1b"
    assert "\x1b" not in shown and "\u202e" not in shown
    doc = json_visible(json.dumps({"l": "大厅\x1b\x85\u202e👍"}, ensure_ascii=False, indent=2))
    assert "\u202e" not in doc and "\x85" not in doc
    assert json.loads(doc) == {"l": "大厅\x1b\x85\u202e👍"}
