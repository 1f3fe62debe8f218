"""The report in CSV, Markdown and PDF: the key fields in Chinese and English, no details leaked."""

from __future__ import annotations

import io
from functools import cache

import pypdf
import pytest

from server.export.run import render
from server.export.view import view_of
from tests.export.support import PLANTED, closed_medical, translator

UNITS = {}


@cache
def rendered(fmt: str, language: str, redact: bool) -> bytes:
    _, events = closed_medical()
    view = view_of(events, redact=redact)
    return render(fmt, view, translator(language), UNITS, exported_by="commander1")


def text_of(fmt: str, language: str, redact: bool) -> str:
    data = rendered(fmt, language, redact)
    if fmt != "pdf":
        return data.decode("utf-8")
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_report_holds_the_key_fields_in_chinese() -> None:
    """The Chinese PDF shows its title, sections, type, times, checklist and chain head."""
    _, events = closed_medical()
    text = text_of("pdf", "zh-CN", True)
    for expected in [
        "突发事件处置报告",
        "突发疾病",
        "关键时间",
        "首报",
        "事态平息",
        "处置步骤",
        "立即报告接待室负责人",
        "信息通报",
        "善后督办",
        "完整时间线",
        "2026-03-02 09:30:00",
        events[-1].hash[:32],
    ]:
        assert expected in text, expected


def test_the_pdf_report_holds_the_key_fields_in_english() -> None:
    """The English PDF shows the same report in English."""
    text = text_of("pdf", "en", True)
    for expected in ["Incident report", "Medical", "Key times", "First report", "Contained"]:
        assert expected in text, expected
    assert "Checklist" in text and "Follow-up" in text and "Full timeline" in text


def test_the_markdown_report_draws_the_timeline_chart() -> None:
    """The Markdown report carries the SVG chart with its milestones."""
    text = text_of("md", "zh-CN", True)
    assert "<svg" in text and "首报" in text and "polyline" in text


@pytest.mark.parametrize("fmt", ["csv", "md", "pdf"])
def test_redaction_removes_planted_details_from_every_format(fmt: str) -> None:
    """None of the visitor's planted details is left in a redacted export; the full one has them."""
    redacted, full = text_of(fmt, "zh-CN", True), text_of(fmt, "zh-CN", False)
    for detail in PLANTED.values():
        assert detail not in redacted, (fmt, detail)
    assert PLANTED["mobile"] in full and PLANTED["name"] in full
