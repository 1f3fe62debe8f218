"""A commander dispatches an ambulance from the incident page; another board shows it en route."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.conftest import Consoles, open_incident
from tests.live.conftest import Live

pytestmark = pytest.mark.browser


async def test_commander_dispatches_an_ambulance_and_the_board_shows_it_en_route(
    consoles: Consoles, live: Live
) -> None:
    """One tap on the playbook's 救护车, then 途中 with 12 min: the board shows it and its ETA."""
    incident = await open_incident(await live.client("duty1"), location="二号接待室")
    board = await consoles.open("duty1")
    page = await consoles.open("commander1", f"/incidents/{incident}")
    await page.locator("#resources-summary").click()  # the folded panel beside the checklist
    await page.locator("#resources-panel").get_by_role("button", name="＋ 救护车").click()
    row = page.locator("#dispatch-ambulance-1")
    await expect(row).to_contain_text("已请求")
    await row.get_by_label("预计到达（分钟）").fill("12")
    await row.get_by_role("button", name="途中").click()
    await expect(row).to_contain_text("途中")
    await expect(page.locator("#panel-resources")).to_have_attribute("open", "")  # pushes keep it
    await expect(page.locator("#resources-summary")).to_contain_text("1")
    cell = board.locator(f"#incident-{incident} td.resources")
    await expect(cell).to_contain_text("救护车 · 途中")
    await expect(cell).to_contain_text(re.compile(r"预计 \d\d:\d\d 到达"))
    await expect(cell.locator(".eta-left")).to_have_text(re.compile(r"\((1[12]) 分钟\)"))
