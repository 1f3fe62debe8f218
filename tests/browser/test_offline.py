"""The phone without network: a tick is kept in IndexedDB, shown as pending, sent once later."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Consoles, artefact, eventually, open_incident, wait_live
from tests.live.conftest import Live

pytestmark = pytest.mark.browser
PENDING = re.compile(r"\bpending\b")
DONE = re.compile(r"\bitem-done\b")
LOSES_ONE = "还有 1 项记录未发送（网络恢复后才会发出），现在退出将丢失这些记录。仍要退出吗？"


async def outbox(page: Page) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = await page.evaluate("window.wfOutbox.all()")
    return records


async def ticks(client: httpx.AsyncClient, incident: str) -> list[dict[str, Any]]:
    """The incident's item_ticked events, after checking the whole log is in seq order."""
    events = (await client.get(f"/api/incidents/{incident}/events")).json()
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    return [e for e in events if e["kind"] == "item_ticked"]


async def phone_on(consoles: Consoles, live: Live, place: str) -> tuple[str, Page]:
    # Offline, the browser refuses requests (and a reload aborts them): that is the test.
    consoles.expect_trouble(r"^staff1 (request failed|console error): .*(net::ERR_|/ws)")
    incident = await open_incident(await live.client("duty1"), location=place)
    page = await consoles.open("staff1", f"/m/incidents/{incident}", phone=True)
    return incident, page


async def has_records(page: Page, n: int) -> bool:
    return len(await outbox(page)) == n


async def test_offline_ticks_are_kept_then_sent_once_in_order(
    consoles: Consoles, live: Live
) -> None:
    """Offline, 完成 shows 待发送 and is stored; back online both become done, each applied once."""
    incident, phone = await phone_on(consoles, live, "信访大厅")
    staff = await live.client("staff1")
    first, second = phone.locator("#item-call_ambulance"), phone.locator("#item-first_aid")

    await phone.context.set_offline(True)
    assert await phone.evaluate("navigator.onLine") is False
    await expect(phone.locator("#conn-state")).to_have_text("连接中断，正在重连…")
    await first.locator("input[name=note]").fill("已拨打120")
    await first.get_by_role("button", name="完成").tap()
    await expect(first).to_have_class(PENDING)
    await expect(first).to_have_attribute("data-pending-text", "待发送")
    after = await first.evaluate("el => getComputedStyle(el, '::after').content")
    assert "待发送" in after
    await first.get_by_role("button", name="完成").tap()  # an impatient second tap: no new record
    await second.get_by_role("button", name="完成").tap()
    await expect(second).to_have_class(PENDING)
    await phone.screenshot(path=artefact("phone-offline.png"))
    records = await outbox(phone)
    assert [r["item"] for r in records] == ["call_ambulance", "first_aid"]
    assert "note=" in records[0]["body"]
    assert await ticks(staff, incident) == []  # nothing reached the server

    await phone.context.set_offline(False)  # the browser's `online` event sends the queue
    for item in (first, second):
        await expect(item).to_have_class(DONE)
        await expect(item).not_to_have_class(PENDING)
    await expect(first).to_contain_text("已拨打120")
    await expect(phone.locator("#conn-state")).to_have_text("实时")
    await eventually(lambda: has_records(phone, 0))
    sent = await ticks(staff, incident)
    assert [t["payload"]["item"] for t in sent] == ["call_ambulance", "first_aid"]
    await expect(phone.locator("#flash")).to_be_empty()


async def test_queued_tick_survives_a_reload(consoles: Consoles, live: Live) -> None:
    """A tick that could not be sent is still pending after a reload, and sent on a later load."""
    incident, phone = await phone_on(consoles, live, "二号窗口")
    staff = await live.client("staff1")
    item = phone.locator("#item-report_to_head")

    await phone.context.set_offline(True)
    await item.get_by_role("button", name="完成").tap()
    await expect(item).to_have_class(PENDING)
    # Back online, but the server cannot be reached yet: every send fails, the tick stays.
    await phone.route(re.compile(r"/items/[^/]+/tick$"), lambda route: route.abort())
    await phone.context.set_offline(False)
    await phone.reload()
    await wait_live(phone)
    await expect(item).to_have_class(PENDING)
    assert await has_records(phone, 1)
    assert await ticks(staff, incident) == []

    await phone.unroute(re.compile(r"/items/[^/]+/tick$"))
    await phone.reload()  # delivered on page load
    await expect(item).to_have_class(DONE)
    await eventually(lambda: has_records(phone, 0))
    [tick] = await ticks(staff, incident)
    assert tick["payload"]["item"] == "report_to_head"


async def test_signing_out_with_ticks_unsent_asks_first(consoles: Consoles, live: Live) -> None:
    """At the end of a shift in a hall without signal: 退出 says how many records have not
    gone and that signing out loses them; staying keeps them and they go when the network is
    back; with nothing waiting, 退出 signs out at once."""
    incident, phone = await phone_on(consoles, live, "地下一层接待室")
    staff = await live.client("staff1")
    item = phone.locator("#item-report_to_head")
    await phone.context.set_offline(True)
    await item.locator("input[name=note]").fill("已报告负责人 ✅")
    await item.get_by_role("button", name="完成").tap()
    await expect(item).to_have_class(PENDING)

    asked: list[str] = []

    async def stay(dialog: Any) -> None:
        asked.append(dialog.message)
        await dialog.dismiss()

    phone.on("dialog", stay)
    await phone.get_by_role("button", name="退出").tap()
    await eventually(lambda: bool(asked))
    assert asked == [LOSES_ONE]
    await expect(item).to_have_class(PENDING)  # still here, still queued
    assert await has_records(phone, 1)
    phone.remove_listener("dialog", stay)

    await phone.context.set_offline(False)
    await expect(item).to_have_class(DONE)
    await eventually(lambda: has_records(phone, 0))
    [tick] = await ticks(staff, incident)
    assert tick["payload"]["note"] == "已报告负责人 ✅"
    await phone.get_by_role("button", name="退出").tap()  # nothing waits: no question
    await phone.wait_for_url(re.compile(r"/login"))
    assert len(asked) == 1


async def test_a_headcount_changed_offline_is_sent_when_the_network_returns(
    consoles: Consoles, live: Live
) -> None:
    """More people arrive while the hall has no signal: the new count waits as 待发送 and
    reaches the desk once, with the reason typed for it, when the network is back."""
    incident, phone = await phone_on(consoles, live, "信访大厅 B区")
    staff = await live.client("staff1")
    form = phone.locator(f"#headcount-form-{incident}")
    await phone.context.set_offline(True)
    for _ in range(2):
        await form.get_by_role("button", name="增加一人").tap()
    await expect(form.locator("input[name=headcount]")).to_have_value("3")
    await form.get_by_role("button", name="更新人数").tap()
    await expect(phone.locator(f"#headcount-form-{incident}")).to_have_class(PENDING)
    assert await has_records(phone, 1)

    await phone.context.set_offline(False)
    await eventually(lambda: has_records(phone, 0))
    events = (await staff.get(f"/api/incidents/{incident}/events")).json()
    counts = [e["payload"]["to"] for e in events if e["kind"] == "headcount_updated"]
    assert counts == [3]
    await expect(phone.locator(f"#headcount-form-{incident} input[name=headcount]")).to_have_value(
        "3"
    )
    await expect(phone.locator(f"#headcount-form-{incident}")).not_to_have_class(PENDING)
