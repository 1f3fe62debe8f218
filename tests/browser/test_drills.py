"""A commander starts a drill from /drills (zh-CN): the board and the phone, already open,
are pushed its rows marked 演练 (the board's in their own style, filterable), and its review
(演练评估) is drawn when the script ends."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.conftest import Consoles, no_english, open_incident, shoot
from tests.live.conftest import Live

pytestmark = pytest.mark.browser

REAL = "真实大厅 Hall 😀"


async def test_a_commander_starts_a_drill_and_sees_it_on_the_board_marked_drill(
    consoles: Consoles, live: Live
) -> None:
    duty = await live.client("duty1")
    await open_incident(duty, "medical", location=REAL, summary="真实事件 real")
    # open before the drill starts: its rows then arrive as pushed fragments, marked 演练
    board = await consoles.open("commander1", "/")
    phone = await consoles.open("staff1", "/m", phone=True)
    page = await consoles.open("commander1", "/drills")
    row = page.locator("#script-collective_visit_grows")
    await expect(row).to_contain_text("集体访人数增至30人以上")
    await row.get_by_label("加速倍数").select_option("120")
    await row.get_by_label("脚本自动执行全部注入").check()
    await no_english(page)
    await shoot(page, "drills-page.png", full_page=True)
    await row.get_by_role("button", name="开始演练").click()
    await page.wait_for_url(live.url + "/drills")
    run = page.locator("tr.drill-run").first
    await expect(run).to_contain_text("集体访人数增至30人以上")
    await expect(run).to_contain_text("×120")

    drill_row = board.locator("#board-rows tr.drill")
    await expect(drill_row).to_have_count(1)
    await expect(drill_row.locator(".drill-badge")).to_have_text("演练")
    await expect(drill_row).to_contain_text("信访接待大厅（演练）")
    real_row = board.locator("#board-rows tr", has_text=REAL)
    await expect(real_row.locator(".drill-badge")).to_have_count(0)
    await board.get_by_label("真实事件与演练").select_option("drill")
    await expect(real_row).to_be_hidden()
    await expect(drill_row).to_be_visible()
    await expect(drill_row).to_contain_text("35", timeout=15_000)  # the 8-minute inject, pushed
    await no_english(board, REAL)
    await shoot(board, "drills-board.png")
    await board.get_by_label("真实事件与演练").select_option("real")
    await expect(drill_row).to_be_hidden()
    await expect(real_row).to_be_visible()

    await expect(phone.locator("#phone-list .drill-badge")).to_have_count(1)
    await no_english(phone, REAL)
    await shoot(phone, "drills-phone.png")

    await board.get_by_label("真实事件与演练").select_option("drill")
    await drill_row.get_by_role("link", name="集体访").click()  # the board's own page goes there
    await expect(board.locator("#incident-header h1 .drill-badge")).to_have_text("演练")
    await expect(board.locator("#timeline")).to_contain_text("演练脚本 演练注入")
    await no_english(board)
    await shoot(board, "drills-incident.png")

    state = page.locator("tr.drill-run .drill-state").first
    for _ in range(40):  # the page is not live: look again until the script has ended
        await page.reload()
        if "已结束" in await state.inner_text():
            break
        await page.wait_for_timeout(500)
    await expect(state).to_contain_text("已结束 · 已注入 8/8")
    await page.locator("tr.drill-run").first.get_by_role("link", name="演练评估").click()
    await expect(page.locator("h1")).to_contain_text("演练评估")
    await expect(page.locator("figure.drill-chart svg")).to_be_visible()
    first = page.locator("tr.key-time[data-key='first_report:main:']")
    await expect(first).to_contain_text("首报")
    seconds = int(await first.get_attribute("data-seconds") or "-1")
    assert 180 <= seconds <= 240  # the 3-minute inject on the drill's clock
    await no_english(page)
    await shoot(page, "drills-review.png", full_page=True)
