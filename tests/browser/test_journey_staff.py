"""The on-site staff's journey on a phone (375×812, zh-CN): sign in and land on the phone view,
tick with a note, count the people in the hall, undo with a reason, lose the network and
come back. What they typed is what the timeline and the record hold, byte for byte."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from server.auth.cli import DEMO_PASSWORD
from tests.browser.conftest import (
    PHONE,
    Consoles,
    eventually,
    no_english,
    open_incident,
    shoot,
    wait_live,
)
from tests.live.conftest import Live

pytestmark = pytest.mark.browser

TICK_NOTE = "已报告王主任👍 (ext. 8012)"
UNDO_REASON = "误点了😅，代表尚未推选 / tapped by mistake"
DONE = re.compile(r"\bitem-done\b")


async def events(client: httpx.AsyncClient, incident: str, kind: str) -> list[dict[str, Any]]:
    found = (await client.get(f"/api/incidents/{incident}/events")).json()
    return [e for e in found if e["kind"] == kind]


async def sign_in_on_a_phone(consoles: Consoles) -> Page:
    """staff1 opens the console's address on a phone and signs in, asking for no page."""
    context = await consoles.context(phone=True)
    page = await context.new_page()
    consoles._watch("staff1", page)
    await page.goto("/")
    await page.locator("#username").fill("staff1")
    await page.locator("#password").fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="登录").tap()
    await page.wait_for_url(re.compile(r"/m$"))
    await wait_live(page)
    return page


async def test_staff_tick_count_undo_and_work_offline_on_a_phone(
    consoles: Consoles, live: Live
) -> None:
    """A collective visit on a phone: tick, 35 people make it 重大 at once, undo, offline."""
    duty = await live.client("duty1")
    incident = await open_incident(
        duty, "collective_visit", location="东门广场", headcount=12, summary="群众集体到访"
    )
    desk = await consoles.open("duty1", f"/incidents/{incident}")
    phone = await sign_in_on_a_phone(consoles)
    assert phone.viewport_size == PHONE["viewport"]
    width = await phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width  # no sideways scrolling on a phone

    await phone.get_by_role("link", name=re.compile("东门广场")).tap()
    await phone.wait_for_url(re.compile(f"/m/incidents/{incident}$"))
    await wait_live(phone)
    report = phone.locator("#item-report_to_head")
    note = report.locator("input[name=note]")
    await note.fill(TICK_NOTE[:6])
    await _tick(duty, incident, "ask_representatives")  # someone else's tick is pushed meanwhile
    await expect(phone.locator("#item-ask_representatives")).to_have_class(DONE)
    await expect(note).to_have_value(TICK_NOTE[:6])  # what was being typed is still there
    await expect(note).to_be_focused()
    await note.press_sequentially(TICK_NOTE[6:])
    await report.get_by_role("button", name="完成").tap()
    await expect(report).to_have_class(DONE)
    await expect(report).to_contain_text(TICK_NOTE)
    await expect(desk.locator("#timeline")).to_contain_text(TICK_NOTE)

    # Count heads: 12 typed up to 34, one more with +, then sent.
    count = phone.get_by_label("人数", exact=True)
    await count.fill("34")
    await phone.get_by_role("button", name="增加一人").tap()
    await expect(count).to_have_value("35")
    await shoot(phone, "journey-staff-count.png")
    await phone.get_by_role("button", name="更新人数").tap()
    await expect(phone.locator("#phone-checklist .facts")).to_contain_text("重大")
    await expect(phone.locator("#item-report_up")).to_be_visible()  # the major level's items
    await expect(desk.locator("#incident-header")).to_contain_text("重大")
    await expect(desk.get_by_label("人数", exact=True)).to_have_value("35")
    await expect(desk.locator("#item-major_leader_on_scene")).to_be_visible()
    raised = await events(duty, incident, "level_changed")
    assert [e["payload"]["to"] for e in raised] == ["major"]

    # Undo the tick, with the reason typed inline (no prompt()).
    await report.get_by_text("撤销", exact=True).tap()
    await report.get_by_label("撤销原因").fill(UNDO_REASON)
    await shoot(phone, "journey-staff-undo.png")
    await report.get_by_role("button", name="确认撤销").tap()
    await expect(report).not_to_have_class(DONE)
    await expect(desk.locator("#timeline")).to_contain_text(UNDO_REASON)
    [undone] = await events(duty, incident, "item_unticked")
    assert undone["payload"]["reason"] == UNDO_REASON  # as typed, never percent-encoded
    ticked = await events(duty, incident, "item_ticked")
    assert [t["payload"]["note"] for t in ticked] == ["", TICK_NOTE]

    # Offline: the banner stays in sight, a tick waits, and lands once when the network returns.
    await phone.context.set_offline(True)
    banner = phone.locator("#conn-state")
    await expect(banner).to_have_text("连接中断，正在重连…")
    keep = phone.locator("#item-keep_order")
    await keep.scroll_into_view_if_needed()
    await keep.get_by_role("button", name="完成").tap()
    await expect(keep).to_have_class(re.compile(r"\bpending\b"))
    await expect(banner).to_be_in_viewport()
    await shoot(phone, "journey-staff-offline.png")
    await phone.context.set_offline(False)
    await expect(keep).to_have_class(DONE)
    await expect(banner).to_have_text("实时")
    await eventually(lambda: _ticked_once(duty, incident, "keep_order"))
    await expect(desk.locator("#item-keep_order")).to_have_class(DONE)
    await shoot(phone, "journey-staff-done.png", full_page=True)
    await no_english(phone, TICK_NOTE, UNDO_REASON)
    await no_english(desk, TICK_NOTE, UNDO_REASON)


async def _tick(client: httpx.AsyncClient, incident: str, item: str) -> None:
    path = f"/incidents/{incident}/items/{item}/tick"
    reply = await client.post(path, json={}, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert reply.status_code == 201, reply.text


async def _ticked_once(client: httpx.AsyncClient, incident: str, item: str) -> bool:
    ticks = [
        e for e in await events(client, incident, "item_ticked") if e["payload"]["item"] == item
    ]
    assert len(ticks) <= 1, ticks
    return len(ticks) == 1
