"""Redaction of a visitor's personal details from free text."""

from __future__ import annotations

import os
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from server.export.redact import MASK, Redactor, names_in, redact_text

PLANTS = [
    "11010519491231002X",
    "440301199912310014",
    "13812345678",
    "19987654321",
    "010-62345678",
    "0755 8888 6666",
    "zhang.san@example.com",
    "河北省石家庄市长安区",
    "建国路88号",
    "阳光小区3栋2单元401室",
]
MARKED_NAMES = [
    ("来访人", "王小明"),
    ("姓名：", "欧阳娜娜"),
    ("家属", "李秀英"),
    ("联系人是", "陈静"),
]


def test_each_kind_of_detail_is_replaced() -> None:
    """ID numbers, phones, e-mail, addresses and marked names all read as ***."""
    for plant in PLANTS:
        out = redact_text(f"记录：{plant}，已核实")
        assert plant not in out and MASK in out, out
    for marker, name in MARKED_NAMES:
        assert name not in redact_text(f"{marker}{name}情绪激动")


def test_ordinary_office_text_is_kept() -> None:
    """Places in the office, dates and counts stay readable."""
    for text in ["一楼接待大厅 3 号窗口", "家属已通知，120 已在途", "2026-03-02 09:30 到场 5 人"]:
        assert redact_text(text) == text


def test_a_name_found_once_is_removed_everywhere() -> None:
    """A name introduced in the summary is gone from a later note that names it bare."""
    redactor = Redactor(["来访人王小明突发胸痛", "other"])
    assert "王小明" not in redactor("王小明情绪已平稳")
    assert names_in("Visitor: John Carter arrived") >= {"John Carter"}
    assert "John" not in Redactor(["name: John Carter"])("John said hello")


text_around = st.text(
    alphabet=st.sampled_from(list("的了是在人大来访到场反映问题 ,.:：-0123456789abcXyz\n")),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(before=text_around, plant=st.sampled_from(PLANTS), after=text_around)
def test_planted_details_never_survive(before: str, plant: str, after: str) -> None:
    """Whatever text surrounds it, a planted detail never survives redaction."""
    assert plant not in redact_text(before + plant + after)


@settings(max_examples=200, deadline=None)
@given(before=text_around, mark=st.sampled_from(MARKED_NAMES), after=text_around)
def test_planted_names_never_survive(before: str, mark: tuple[str, str], after: str) -> None:
    """A marked name is removed, and so is its bare repetition later in the text."""
    marker, name = mark
    out = Redactor([before + marker + name + after])(before + marker + name + after + name)
    assert name not in out


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_redaction_never_crashes(text: str) -> None:
    """Any text at all is redacted without an error."""
    assert isinstance(redact_text(text), str)


def test_a_name_that_masking_reveals_is_removed() -> None:
    """A marker that an address swallowed in the text introduces its name once masked."""
    # In the text, 家属 takes 区联系人 as a would-be name and hides 联系人张三; the address
    # 北京市家属区 is masked first, and then 联系人 introduces 张三.
    assert redact_text("北京市家属区联系人张三") == "***联系人***"
    assert Redactor(["北京市家属区联系人张三"])("北京市家属区联系人张三") == "***联系人***"


def test_nul_and_digits_in_a_text_are_not_mistaken_for_a_kept_date() -> None:
    """A NUL around digits is plain text: dates are kept, numbers masked, nothing raised.

    (Dates were once kept by swapping them for NUL-numbered placeholders, which such a
    text broke; the stored events cannot hold a NUL, but the redactor takes any text.)
    """
    out = redact_text("\x001\x00 2026-01-31 13812345678 \x000\x00")
    assert out == "\x001\x00 2026-01-31 *** \x000\x00"


def test_overlapping_names_of_one_length_redact_the_same_in_every_process() -> None:
    """Names of equal length are removed in a fixed order, not in a set's hash order."""
    script = (
        "from server.export.redact import Redactor;"
        "r = Redactor(['来访人王小明', '联系人：小明情', '家属：明情绪']);"
        "print(r('王小明情绪'), r('小明情绪'))"
    )
    outs = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(4)
    }
    assert len(outs) == 1, outs


def test_a_name_seen_only_after_an_address_is_masked_is_removed_everywhere() -> None:
    """A name that follows an address in one note is gone from every other note too."""
    redactor = Redactor(["北京市家属区联系人张三", "张三已到场"])
    assert "张三" not in redactor("北京市家属区联系人张三")
    assert "张三" not in redactor("张三已到场")
