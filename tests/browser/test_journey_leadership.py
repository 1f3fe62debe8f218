"""The leadership group's journey: a leader exports the incident report as PDF from the
incident page and reads it. It says what happened in Chinese, with people and units by
name, and holds what the people on the scene typed."""

from __future__ import annotations

import io
import uuid

import httpx
import pytest
from playwright.async_api import expect
from pypdf import PdfReader

from tests.browser.conftest import Consoles, download, open_incident
from tests.live.conftest import Live

pytestmark = pytest.mark.browser

TICK_NOTE = "已报告王主任👍（分机 8012）"
NOTE = "家属已到场👨‍👩‍👧，情绪平稳；随身药瓶已交民警 ABC-123 封存"


async def post(client: httpx.AsyncClient, path: str, **body: object) -> None:
    reply = await client.post(path, json=body, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert reply.status_code == 201, reply.text


async def test_a_leader_reads_the_incident_report_as_pdf(consoles: Consoles, live: Live) -> None:
    """The PDF names the incident, its people and units in Chinese and quotes the scene."""
    duty, staff = await live.client("duty1"), await live.client("staff1")
    incident = await open_incident(duty, "self_harm", location="二楼走廊", summary="来访人称已服毒")
    await post(staff, f"/incidents/{incident}/items/report_to_head/tick", note=TICK_NOTE)
    await post(staff, f"/incidents/{incident}/notes", text=NOTE)
    await post(duty, f"/incidents/{incident}/notifications/tell_police/acknowledge", by="张警官")

    page = await consoles.open("commander1", f"/incidents/{incident}")
    pdf = await download(page, "pdf")
    await expect(page.locator("#timeline .tl-exported")).to_have_count(1)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    flat = "".join(text.split())  # the PDF breaks lines where it likes
    for said in ("突发事件处置报告", "自杀自伤", "二楼走廊", TICK_NOTE, NOTE, "张警官"):
        assert "".join(said.split()) in flat, said
    assert "现场工作人员李" in flat and "值班员张" in flat  # people by name
    assert "公安机关（辖区派出所）" in flat  # units by name
    for raw in ("staff1", "duty1", "commander1", "tell_police", "police ", "planned"):
        assert raw not in text, raw
