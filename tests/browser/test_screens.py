"""Screenshots of the console as people see it, saved in tests/artefacts/ to be looked at."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Consoles, open_incident, shoot
from tests.live.conftest import Live

pytestmark = pytest.mark.browser


async def tick(client: httpx.AsyncClient, incident: str, item: str, note: str = "") -> None:
    reply = await client.post(
        f"/incidents/{incident}/items/{item}/tick",
        json={"note": note},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert reply.status_code == 201, reply.text


async def a_busy_morning(live: Live) -> str:
    """Three open incidents, one well under way; the id of that one."""
    duty, staff = await live.client("duty1"), await live.client("staff1")
    await open_incident(
        duty,
        "collective_visit",
        location="东门广场",
        headcount=52,
        summary="五十余名群众集体到访，反映拆迁补偿问题",
        demands="要求面见负责人",
    )
    await open_incident(
        duty,
        "violence",
        location="二楼接待室",
        headcount=2,
        summary="来访人情绪激动，推搡工作人员",
        level="critical",
    )
    medical = await open_incident(
        duty, location="一楼大厅", summary="来访人突然晕倒，呼之不应", reporter="值班员 张"
    )
    await tick(staff, medical, "report_to_head", "已报告王主任")
    await tick(staff, medical, "call_ambulance", "120 已出车")
    return medical


async def test_screenshots_in_chinese(consoles: Consoles, live: Live) -> None:
    """The board, an incident and the phone view, in Chinese, as board/incident/phone.png."""
    medical = await a_busy_morning(live)
    board = await consoles.open("duty1")
    assert await board.get_attribute("html", "lang") == "zh-CN"
    await expect(board.locator("#board-rows tr")).to_have_count(3)
    await expect(board.get_by_role("heading", name="进行中的事件")).to_be_visible()
    await shoot(board, "board.png")

    incident = await consoles.open("commander1", f"/incidents/{medical}")
    await expect(incident.locator("#checklist")).to_contain_text("立即报告接待室负责人")
    await expect(incident.locator("#timeline")).to_contain_text("已报告王主任")
    await expect(incident.locator("#timeline")).to_contain_text("现场工作人员 李 完成：")
    await expect(incident.locator("#timeline")).to_contain_text("值班员 张 开启事件")
    await expect(incident.locator("#timeline")).not_to_contain_text("staff1")
    await expect(incident.locator("#item-report_to_head")).to_contain_text(
        "已完成 · 现场工作人员 李"
    )
    await expect(incident.locator("#incident-header")).to_contain_text("现场指挥：未指定")
    await expect(incident.locator("#panel-controls")).to_have_attribute("open", "")
    await above_the_fold(incident, "#item-report_to_head", "#item-call_ambulance")
    await shoot(incident, "incident.png")
    await shoot(incident, "incident-full.png", full_page=True)
    for panel in ("notifications", "resources", "reports"):
        await incident.locator(f"#{panel}-summary").click()
    await expect(incident.locator("#notifications")).to_contain_text("待通报")
    await incident.evaluate("window.scrollTo(0, 0)")
    await shoot(incident, "incident-panels.png", full_page=True)

    phone = await consoles.open("staff1", "/m", phone=True)
    await expect(phone.locator(".phone-list li")).to_have_count(3)
    await one_line(phone)
    await shoot(phone, "phone-list.png")
    await phone.locator(".nav-more summary").tap()
    await expect(phone.locator(".nav-more .menu")).to_contain_text("值班表")
    await shoot(phone, "phone-menu.png")
    await phone.goto(f"/m/incidents/{medical}")
    await expect(phone.locator("#item-call_ambulance")).to_have_class(re.compile(r"\bitem-done\b"))
    await expect(phone.locator("#item-call_ambulance")).to_contain_text("现场工作人员 李")
    await one_line(phone)
    await shoot(phone, "phone.png")

    desk_on_phone = await consoles.open("commander1", f"/incidents/{medical}", phone=True)
    checklist = await desk_on_phone.locator("#checklist").bounding_box()
    side = await desk_on_phone.locator(".side").bounding_box()
    assert checklist and side and checklist["y"] < side["y"]  # one column, the checklist first
    assert checklist["width"] == side["width"]
    await one_line(desk_on_phone)  # the desk's pages on a phone: the same short header
    await shoot(desk_on_phone, "incident-phone.png")


async def above_the_fold(page: Page, *selectors: str) -> None:
    """Each element is wholly inside the window without scrolling (1280×800)."""
    height = page.viewport_size["height"] if page.viewport_size else 0
    for selector in selectors:
        box = await page.locator(selector).bounding_box()
        assert box and box["y"] + box["height"] <= height, (selector, box)


async def one_line(page: Page) -> None:
    """The phone's header is one line: its links side by side, each a tap target of 44 px."""
    boxes = [
        await page.locator(s).bounding_box()
        for s in (".top .brand", ".nav-phone", ".nav-more summary", ".top .link")
    ]
    assert all(boxes)
    tops = {round(b["y"] + b["height"] / 2) for b in boxes if b}
    assert max(tops) - min(tops) <= 4, boxes
    assert all(b["height"] >= 44 for b in boxes[1:] if b), boxes


async def test_screenshots_in_english(consoles: Consoles, live: Live) -> None:
    """The board and an incident for officer_en, in English, as board-en/incident-en.png."""
    medical = await a_busy_morning(live)
    board = await consoles.open("officer_en")
    assert await board.get_attribute("html", "lang") == "en"
    await expect(board.get_by_role("heading", name="Open incidents")).to_be_visible()
    await expect(board.locator("#board-rows tr")).to_have_count(3)
    await shoot(board, "board-en.png")
    await board.goto(f"/incidents/{medical}")
    await expect(board.locator("#checklist")).to_contain_text("Report at once")
    await shoot(board, "incident-en.png")
