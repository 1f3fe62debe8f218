"""A visitor collapses during a collective visit (zh-CN, at the desk): the duty officer opens a
medical incident from the visit's page; both pages and the board show the link; closing the
medical incident leaves the visit open."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.conftest import Consoles, no_english, open_incident, shoot
from tests.browser.test_journey_commander import events, file_report
from tests.live.conftest import Live

pytestmark = pytest.mark.browser

HALL = "一楼大厅 Hall 1"
SUMMARY = "集体访中一名来访人突然晕倒😟，已呼叫120 (collapsed)"
CLOSE_REASON = "已送医✅"


async def test_a_medical_incident_opened_from_a_visit_is_linked_on_both_pages_and_the_board(
    consoles: Consoles, live: Live
) -> None:
    """The link reads by type and place on both pages; the board groups the two rows."""
    duty = await live.client("duty1")
    visit = await open_incident(
        duty, "collective_visit", location=HALL, headcount=12, summary="十二人反映拆迁补偿"
    )
    board = await consoles.open("duty1")
    page = await consoles.open("duty1", f"/incidents/{visit}")
    panel = page.locator("#link-panel")
    await panel.locator("summary", has_text="开启关联事件").click()
    form = page.locator("#link-form")
    await expect(form.get_by_label("新事件地点")).to_have_value(HALL)  # prefilled from the visit
    await form.get_by_label("新事件类型").select_option(label="突发疾病")
    await form.get_by_label("新事件情况简述").fill(SUMMARY)
    await form.get_by_role("button", name="开启关联事件").click()
    await page.wait_for_url(re.compile(r"/incidents/(?!" + visit + r")[0-9a-f-]{36}$"))
    medical = page.url.rsplit("/", 1)[1]

    header = page.locator("#incident-header")
    await expect(header.locator("h1")).to_have_text(f"突发疾病 · {HALL}")
    await expect(header).to_contain_text(SUMMARY)
    came_from = header.locator(".linked-from")
    await expect(came_from).to_have_text(f"关联自：集体访 · {HALL}")
    await expect(came_from.locator("a")).to_have_attribute("href", f"/incidents/{visit}")
    await expect(page.locator("#timeline")).to_contain_text(f"从「集体访 · {HALL}」开启关联事件")

    first = await consoles.open("duty1", f"/incidents/{visit}")
    listed = first.locator("#incident-header .linked-list")
    await expect(listed).to_have_text(f"关联事件：突发疾病 · {HALL}")
    await expect(listed.locator("a")).to_have_attribute("href", f"/incidents/{medical}")
    await expect(first.locator("#timeline")).to_contain_text(
        f"从本事件开启关联事件：突发疾病 · {HALL}"
    )
    assert str(medical) not in await first.locator("#timeline").inner_text()  # by name, not id
    [linked] = await events(duty, visit, "incident_linked")
    assert linked["payload"]["incident"] == medical

    rows = board.locator("#board-rows tr")  # pushed: the medical row directly under the visit
    await expect(rows).to_have_count(2)
    await expect(rows.nth(0)).to_have_attribute("id", f"incident-{visit}")
    await expect(rows.nth(1)).to_have_attribute("id", f"incident-{medical}")
    await expect(rows.nth(1).locator(".linked-mark")).to_have_text("↳ 关联")
    await board.reload()  # and the same when the board is drawn fresh
    await expect(rows.nth(1)).to_have_attribute("id", f"incident-{medical}")
    await expect(rows.nth(1)).to_contain_text("↳ 关联")
    await shoot(board, "linked-board.png")
    await shoot(first, "linked-first.png")
    await no_english(board, HALL)
    await no_english(first, HALL)
    await no_english(page, HALL, SUMMARY)

    lead = await consoles.open("commander1", f"/incidents/{medical}")
    controls = lead.locator("#commander-controls")
    status = controls.locator("form", has=lead.get_by_role("button", name="变更状态"))
    await status.locator("select[name=to]").select_option(label="已平息")
    await status.get_by_role("button", name="变更状态").click()
    await expect(lead.locator("#incident-header")).to_contain_text("已平息")
    await file_report(lead, "首报")
    await file_report(lead, "终报")
    close = controls.locator("form", has=lead.get_by_role("button", name="关闭事件"))
    await close.locator("input[name=reason]").fill(CLOSE_REASON)
    await close.get_by_role("button", name="关闭事件").click()
    await expect(lead.locator("#incident-header")).to_contain_text("已关闭")

    await expect(board.locator(f"#incident-{medical}")).to_have_count(0)
    await expect(board.locator(f"#incident-{visit}")).to_contain_text("已报告")
    assert (await duty.get(f"/api/incidents/{visit}")).json()["status"] != "closed"
    await expect(first.locator("#incident-header .status")).not_to_have_text("已关闭")
