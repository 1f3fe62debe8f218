"""The phone's list of steps, its offline banner, and the follow-up board's dates."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Consoles, artefact, open_incident, wait_live
from tests.live.conftest import Live

pytestmark = pytest.mark.browser
DONE = re.compile(r"\bitem-done\b")
WITH_YEAR = re.compile(r"\b20\d\d-\d\d-\d\d \d\d:\d\d\b")


async def item_order(page: Page) -> list[tuple[str, bool]]:
    """(item id, resolved) of the phone's steps, top to bottom."""
    rows: list[list[object]] = await page.evaluate(
        """Array.from(document.querySelectorAll('#phone-checklist li.item')).map(li =>
             [li.id.slice(5), li.classList.contains('item-done') ||
                              li.classList.contains('item-skipped')])"""
    )
    return [(str(item), bool(resolved)) for item, resolved in rows]


async def tick(client: httpx.AsyncClient, incident: str, item: str) -> None:
    reply = await client.post(
        f"/incidents/{incident}/items/{item}/tick",
        json={"note": ""},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert reply.status_code == 201, reply.text


async def test_done_steps_move_below_the_open_ones_on_the_phone(
    consoles: Consoles, live: Live
) -> None:
    """Staff1 taps 完成 on the top step: it goes below the open ones, which keep plan order."""
    incident = await open_incident(await live.client("duty1"), location="信访大厅东侧")
    phone = await consoles.open("staff1", f"/m/incidents/{incident}", phone=True)
    before = await item_order(phone)
    plan = [item for item, _ in before]
    first = phone.locator("li.item").first
    await first.get_by_role("button", name="完成").tap()
    await expect(phone.locator(f"#item-{plan[0]}")).to_have_class(DONE)
    await expect(phone.locator("li.item").last).to_have_id(f"item-{plan[0]}")
    await tick(await live.client("duty1"), incident, plan[2])  # from the desk: a live update
    await expect(phone.locator(f"#item-{plan[2]}")).to_have_class(DONE)
    after = await item_order(phone)
    assert after == [(i, False) for i in plan if i not in (plan[0], plan[2])] + [
        (plan[0], True),
        (plan[2], True),
    ]
    await phone.screenshot(path=artefact("phone-open-first.png"))


async def test_offline_banner_stays_in_sight_when_scrolled(consoles: Consoles, live: Live) -> None:
    """Offline, the red 连接中断 line stays right under the header at the bottom of the list."""
    incident = await open_incident(await live.client("duty1"), location="候谈区")
    phone = await consoles.open("staff1", f"/m/incidents/{incident}", phone=True)
    await phone.context.set_offline(True)
    banner = phone.locator("#conn-state")
    await expect(banner).to_have_text("连接中断，正在重连…")
    await phone.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    await phone.wait_for_function("window.scrollY > 200")
    header = await phone.locator("header.top").bounding_box()
    box = await banner.bounding_box()
    assert header and box
    assert abs(box["y"] - (header["y"] + header["height"])) < 2, (header, box)
    await phone.screenshot(path=artefact("phone-offline-scrolled.png"))
    consoles.expect_trouble(
        r"staff1 (request failed|console error).*(ws|ERR_INTERNET_DISCONNECTED)"
    )
    await phone.context.set_offline(False)
    await expect(banner).to_have_text("实时")
    await wait_live(phone)


async def test_follow_up_deadlines_show_their_year(consoles: Consoles, live: Live) -> None:
    """After the close, /followup and the incident page give each deadline with its year."""
    place = f"三楼会议室 {uuid.uuid4().hex[:4]}"
    incident = await open_incident(await live.client("duty1"), location=place)
    commander = await live.client("commander1")
    report = {"time": "上午", "place": place, "scale": "1 人", "cause": "晕倒"}
    steps = [
        ("reports", {"kind": "first", "fields": report}),
        ("status", {"to": "responding"}),
        ("status", {"to": "contained"}),
        ("reports", {"kind": "final", "fields": report}),
        ("close", {"reason": "事态平息"}),
    ]
    for command, body in steps:
        reply = await commander.post(
            f"/incidents/{incident}/{command}",
            json=body,
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        assert reply.status_code == 201, reply.text
    board = await consoles.open("commander1", "/followup")
    lines = board.locator("tr.followup-line", has_text=place)
    await expect(lines.first).to_be_visible()
    dues = [d.strip() for d in await lines.locator("td:nth-child(3)").all_inner_texts()]
    dated = [d for d in dues if d != "—"]
    assert dated and all(WITH_YEAR.search(d) for d in dated), dues
    await board.screenshot(path=artefact("followup-with-year.png"), full_page=True)
    page = await consoles.open("commander1", f"/incidents/{incident}")
    await expect(
        page.locator("#followup .followup-item .due", has_text=WITH_YEAR)
    ).not_to_have_count(0)
