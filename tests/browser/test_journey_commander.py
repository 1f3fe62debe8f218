"""The commander's journey at the desk (zh-CN): take command by choosing a name, raise the
level, dispatch, contain, be refused a close before the final report, file it, close."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from incidents.clock import SystemClock
from incidents.kinds import Role
from server.auth.cli import DEMO_PASSWORD
from server.auth.users import UserStore
from tests.browser.conftest import Consoles, no_english, open_incident, shoot
from tests.live.conftest import Live

pytestmark = pytest.mark.browser

RAISE_REASON = "来访人持刀威胁🔪，升级处置 (knife seen)"
CLOSE_REASON = "事态平息✅，群众已有序离开"


async def events(client: httpx.AsyncClient, incident: str, kind: str) -> list[dict[str, Any]]:
    found = (await client.get(f"/api/incidents/{incident}/events")).json()
    return [e for e in found if e["kind"] == kind]


async def more_people(live: Live) -> None:
    """A second commander, and one whose account was disabled: only the first may command."""
    users = UserStore(live.pool, SystemClock())
    await users.add("commander2", "副指挥 刘", Role.COMMANDER, DEMO_PASSWORD)
    await users.add("commander3", "前指挥 孙", Role.COMMANDER, DEMO_PASSWORD)
    await users.disable("commander3")


async def test_commander_assigns_raises_dispatches_contains_and_closes(
    consoles: Consoles, live: Live
) -> None:
    """Every control the commander needs is on the incident page, in Chinese, by name."""
    await more_people(live)
    duty = await live.client("duty1")
    incident = await open_incident(
        duty, "violence", location="二楼接待室", headcount=2, summary="来访人情绪激动，推搡工作人员"
    )
    board = await consoles.open("duty1")
    desk = await consoles.open("duty1", f"/incidents/{incident}")  # watches the raise land
    page = await consoles.open("commander1")
    await page.locator(f"#incident-{incident} a").click()
    await page.wait_for_url(re.compile(f"/incidents/{incident}$"))
    header = page.locator("#incident-header")
    await expect(header).to_contain_text("现场指挥：未指定")

    controls = page.locator("#commander-controls")
    choice = controls.get_by_label("现场指挥")
    names = [n.strip() for n in await choice.locator("option:not([disabled])").all_inner_texts()]
    assert names == ["副指挥 刘", "现场指挥 王"], names  # by name; no staff, no disabled user
    await choice.select_option(label="副指挥 刘")
    await controls.get_by_role("button", name="指定指挥").click()
    await expect(header).to_contain_text("现场指挥：副指挥 刘")
    await expect(page.locator("#timeline")).to_contain_text("指定 副指挥 刘 为现场指挥")
    [assigned] = await events(duty, incident, "commander_assigned")
    assert assigned["payload"]["to"] == "commander2"

    level = controls.locator("form", has=page.get_by_role("button", name="调整级别"))
    await level.locator("select[name=to]").select_option(label="特别重大")
    await level.locator("input[name=reason]").fill(RAISE_REASON)
    await level.get_by_role("button", name="调整级别").click()
    await expect(header).to_contain_text("特别重大")
    await expect(page.locator("#timeline")).to_contain_text(RAISE_REASON)
    await expect(level.locator("input[name=reason]")).to_have_value("")  # done: ready for the next
    await expect(board.locator(f"#incident-{incident}")).to_have_attribute("data-level", "critical")
    await rows_land_in_place(desk, "#item-report_up", "向党委、政府报告")

    await page.locator("#resources-summary").click()
    await page.locator("#resources-panel").get_by_role("button", name="＋ 警车").click()
    await expect(page.locator("#resources-panel")).to_contain_text("警车")
    await expect(board.locator(f"#incident-{incident} td.resources")).to_contain_text("警车")

    status = controls.locator("form", has=page.get_by_role("button", name="变更状态"))
    await status.locator("select[name=to]").select_option(label="已平息")
    await status.get_by_role("button", name="变更状态").click()
    await expect(header).to_contain_text("已平息")

    consoles.expect_refusal(409, f"/incidents/{incident}/close")  # no final report yet
    close = controls.locator("form", has=page.get_by_role("button", name="关闭事件"))
    await close.locator("input[name=reason]").fill(CLOSE_REASON)
    await close.get_by_role("button", name="关闭事件").click()
    await expect(page.locator("#flash")).to_contain_text("终报")
    await shoot(page, "journey-commander-refused.png")
    await no_english(page, RAISE_REASON)  # the refusal too

    await file_report(page, "首报")
    await file_report(page, "终报")
    await close.locator("input[name=reason]").fill(CLOSE_REASON)
    await close.get_by_role("button", name="关闭事件").click()
    await expect(header).to_contain_text("已关闭")
    await expect(board.locator(f"#incident-{incident}")).to_have_count(0)
    closed = (await events(duty, incident, "status_changed"))[-1]
    assert closed["payload"]["to"] == "closed" and closed["payload"]["reason"] == CLOSE_REASON
    await shoot(page, "journey-commander-closed.png", full_page=True)
    await no_english(page, RAISE_REASON)
    await no_english(board)


async def rows_land_in_place(page: Page, row: str, text: str) -> None:
    """A raised level pushes the rows it adds alone; each lands where a fresh page draws it."""
    await expect(page.locator(f"#checklist {row}")).to_contain_text(text)
    await expect(page.locator("#incident-header")).to_contain_text("特别重大")
    pushed = await _row_ids(page)
    await shoot(page, "journey-commander-raise-seen-at-the-desk.png", full_page=True)
    await page.reload()
    await expect(page.locator(f"#checklist {row}")).to_contain_text(text)
    assert await _row_ids(page) == pushed


async def _row_ids(page: Page) -> list[list[str]]:
    lists = page.locator("#checklist ol.items, #notify-list")
    return [
        await ol.locator(":scope > li").evaluate_all("els => els.map(e => e.id)")
        for ol in await lists.all()
    ]


async def file_report(page: Page, kind: str) -> None:
    """The situation report form, prefilled from the incident, signed by the commander."""
    if await page.locator("#panel-reports").get_attribute("open") is None:
        await page.locator("#reports-summary").click()
    form = page.locator("#report-form")
    if await form.get_attribute("open") is None:
        await form.locator("summary").click()
    await form.get_by_label("报告类型").select_option(label=kind)
    await form.get_by_role("button", name="签发报送").click()
    # the filed report's line, not the deadline's text (首报截止 names the kind before filing)
    filed = page.locator("#reports-status li.report", has_text=f"{kind} #")
    await expect(filed).to_be_visible()
