"""Robot markdown: what people typed reads as typed and cannot format; cuts stay whole."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from server.notify.dingtalk import DINGTALK, sign
from server.notify.markdown import cut, escape, render
from server.notify.message import Message
from tests.notify.robots import shown

HOSTILE = "\\`*_[]()#<>!|~{}&=+-.:;0123456789 \t\nab 中文東🚑👨‍👩‍👧"


def words(text: str) -> str:
    return " ".join(text.split())


LINE_STARTS = (
    "- a",
    "+ a",
    "-",
    "1. a",
    "2) a",
    "a\n===",
    "a\n---",
    "> q",
    "    code",
    "# h",
    "***",
)


@given(st.text(alphabet=HOSTILE, max_size=60) | st.sampled_from(LINE_STARTS))
def test_typed_text_renders_as_itself_and_never_as_formatting(typed: str) -> None:
    """Any mix of markdown marks, Chinese and emoji: a CommonMark reader sees those exact
    words in plain paragraphs: no link, emphasis, heading, list, code, quote or HTML."""
    view = shown(escape(typed))
    assert set(view.tags) <= {"p", "br"}, view.tags
    assert words("".join(view.text)) == words(typed)


def test_a_pasted_link_or_tag_stays_text() -> None:
    """The classic injections arrive as the characters typed."""
    typed = '[点我](http://evil.example) <font color="warning">红</font> **急** ![x](y.png)'
    view = shown(escape(typed))
    assert view.links == [] and view.tags == ["p"]
    assert "".join(view.text).strip() == typed


def test_a_cut_ends_on_a_whole_character_within_its_budget() -> None:
    """Chinese (3 bytes), emoji (4), a family emoji (joined by ZWJ), escapes: every budget
    gives valid UTF-8 no longer than the budget, a start of the text."""
    text = escape("中文🚑*东👨‍👩‍👧[x]" * 5)
    for budget in range(len(text.encode()) + 2):
        kept = cut(text, budget)
        assert len(kept.encode()) <= budget
        assert text.startswith(kept)
        assert kept.encode().decode("utf-8") == kept
        assert not kept.endswith("\u200d")
        trailing = len(kept) - len(kept.rstrip("\\"))
        assert trailing % 2 == 0  # never half an escape


def test_a_huge_report_fits_4096_bytes_and_keeps_the_ack_link() -> None:
    """A 4000-character note of Chinese and emoji: cut to fit, marked as cut, link whole."""
    note = "现场情况🚑说明" * 600
    url = "http://wf.test/ack/" + "a_b-c" * 30
    message = Message(
        "【突发事件通报】自杀自伤 · 一楼大厅",
        (("place", "地点", "一楼大厅"), ("demands", "主要诉求", note)),
        url,
        "请点击链接回执：",
        "zh-CN",
        "……（内容过长，其余已截去）",
    )
    content = render(message, limit=4096)
    assert 4000 < len(content.encode()) <= 4096
    assert content.endswith(f"请点击链接回执： [{url}]({url})")
    assert "……（内容过长，其余已截去）\n请点击" in content
    assert content.startswith("### 【突发事件通报】自杀自伤 · 一楼大厅\n**地点**：一楼大厅\n")


def test_the_dingtalk_signature_matches_its_documented_example() -> None:
    """sign = base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")), as DingTalk computes it."""
    import base64
    import hashlib
    import hmac

    secret, stamp = "SEC" + "0" * 64, "1767225600000"
    mac = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    assert sign(secret, stamp) == base64.b64encode(mac).decode()


def test_a_dingtalk_security_refusal_names_the_setting_that_refused() -> None:
    """310000 is one code for three settings: its message tells which; others stay general."""
    said = {
        "keywords not in content": "dingtalk_keyword",
        "sign not match": "dingtalk_sign",
        "invalid timestamp": "dingtalk_sign",
        "description:机器人发送签名不匹配;solution:请确认签名": "dingtalk_sign",
        "ip 1.2.3.4 not in whitelist": "dingtalk_ip",
        "description:something else": "dingtalk_security",
    }
    for errmsg, code in said.items():
        verdict = DINGTALK.verdict(310000, errmsg)
        assert (verdict.code, verdict.permanent) == (code, True), errmsg
    assert DINGTALK.verdict(130101, "send too fast").permanent is False
    assert DINGTALK.verdict(-1, "系统繁忙").code == "dingtalk_error"
