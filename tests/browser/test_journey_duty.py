"""The duty officer's journey at the desk (zh-CN): open an incident from the board, record a
unit's answer by phone, note, file the first report, export twice. Every text typed comes
back unchanged in the timeline and the JSON export."""

from __future__ import annotations

import json
import re

import pytest
from playwright.async_api import expect

from tests.browser.conftest import Consoles, download, no_english, shoot
from tests.live.conftest import Live

pytestmark = pytest.mark.browser

PLACE = "二楼走廊 B区🚪"
SUMMARY = "来访人手持药瓶，称已服毒☠️；情绪激动 (says: poison)"
DEMANDS = "要求见局长\n解决拆迁补偿「第3期」"
REPORTER = "窗口3 李娜 (Lina)"
ANSWERED = "派出所 张警官☎️ 已确认出警"
NOTE = "家属已赶到👨‍👩‍👧\n\t120 预计 5 min 到达"
CAUSE = "拆迁补偿未到位；曾于 2026-11-03 来访 (第2次)"


async def test_duty_officer_opens_chases_notes_reports_and_exports(
    consoles: Consoles, live: Live
) -> None:
    """What the duty officer typed in each field is what the timeline and the export hold."""
    board = await consoles.open("duty1")
    form = board.locator("#open-form")
    if not await form.is_visible():
        await board.get_by_text("新建事件").click()
    await form.get_by_label("事件类型").select_option(label="自杀自伤")
    await form.get_by_label("地点").fill(PLACE)
    await form.get_by_label("人数").fill("1")
    await form.get_by_label("情况简述").fill(SUMMARY)
    await form.get_by_label("主要诉求").fill(DEMANDS)
    await form.get_by_label("报告人").fill(REPORTER)
    await form.get_by_role("button", name="开启事件").click()
    row = board.locator("#board-rows tr", has_text=PLACE)
    await expect(row).to_contain_text("自杀自伤")
    await no_english(board, PLACE)
    await row.get_by_role("link").click()
    await board.wait_for_url(re.compile(r"/incidents/[0-9a-f-]{36}$"))
    page, incident = board, board.url.rsplit("/", 1)[1]
    await expect(page.locator("#incident-header")).to_contain_text(PLACE)
    await expect(page.locator("#incident-header")).to_contain_text(SUMMARY)

    # The police answered on the phone: who, typed inline; the panel turns it green at once.
    await page.locator("#notifications-summary").click()
    police = page.locator("#notification-tell_police")
    await police.get_by_text("已电话确认").click()
    await police.get_by_label("电话中是谁确认的？").fill(ANSWERED)
    await police.get_by_role("button", name="记录电话回执").click()
    await expect(police).to_have_attribute("data-status", "acknowledged")
    await expect(police).to_contain_text(ANSWERED)
    await page.locator("#notification-tell_health").get_by_role("button", name="重新发送").click()
    await expect(page.locator("#timeline")).to_contain_text("重新向")

    note = page.locator(".note-form")
    await note.get_by_label("添加备注").fill(NOTE)
    await note.get_by_role("button", name="保存").click()
    await expect(page.locator("#timeline")).to_contain_text("家属已赶到👨‍👩‍👧")
    await expect(note.get_by_label("添加备注")).to_have_value("")

    await page.locator("#reports-summary").click()
    report = page.locator("#report-form")
    await report.locator("summary").click()
    await report.get_by_label("起因").fill(CAUSE)
    await report.get_by_role("button", name="签发报送").click()
    await expect(page.locator("#reports-status li.report", has_text="首报 #1")).to_be_visible()
    await shoot(page, "journey-duty-incident.png", full_page=True)
    await no_english(page, PLACE, SUMMARY, DEMANDS, REPORTER, ANSWERED, NOTE, CAUSE)

    exported = json.loads(await download(page, "json"))
    payloads = {e["kind"]: e["payload"] for e in exported["events"]}
    opened = payloads["opened"]
    assert (opened["location"], opened["summary"], opened["demands"], opened["reporter"]) == (
        PLACE,
        SUMMARY,
        DEMANDS,
        REPORTER,
    )
    assert payloads["notification_acknowledged"]["by"] == ANSWERED
    assert payloads["note_added"]["text"] == NOTE.strip()
    assert payloads["report_filed"]["fields"]["cause"] == CAUSE
    csv = (await download(page, "csv")).decode("utf-8-sig")  # a second export from one page
    assert ANSWERED in csv and CAUSE in csv
    exports = [e for e in exported["events"] if e["kind"] == "exported"]
    assert len(exports) == 1 and exports[0]["payload"]["format"] == "json"
    await expect(page.locator("#timeline .tl-exported")).to_have_count(2)
    assert incident in page.url
