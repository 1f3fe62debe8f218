"""The phone view opened cold without signal: the service worker's copy of the checklist, said
to be not live, takes a tick into the queue; back online the tick arrives once and the page is
live again. Sign-out leaves nothing of the incident on the phone."""

from __future__ import annotations

import re
import time

import pytest
from playwright.async_api import BrowserContext, Error, Page, expect

from server.auth.cli import DEMO_PASSWORD
from tests.browser.conftest import (
    Consoles,
    artefact,
    eventually,
    no_english,
    open_incident,
    wait_live,
)
from tests.browser.test_offline import DONE, PENDING, has_records, ticks
from tests.live.conftest import Live

pytestmark = pytest.mark.browser
PLACE = "地下一层 📶 B1 hall"  # Chinese, an emoji, Latin: shown as typed
NOTE = "已拨打120 🚑 ambulance"
BANNER = re.compile(r"^离线 · 显示的是 \d\d-\d\d \d\d:\d\d 的清单，不是实时$")
# Offline, the browser refuses the page's requests and its socket (htmx logs the socket's
# error event): that is the test.
OFFLINE_TROUBLE = (
    r"^staff1 (request failed: .*net::ERR_INTERNET_DISCONNECTED"
    r"|console error: .*(/ws\b|\[object Event\] \(\S+/static/vendor/htmx))"
)


async def kept(page: Page, path: str | None = None) -> bool:
    """The worker controls the page and holds a copy of `path` (the page's own by default)."""
    held: bool = await page.evaluate(
        """async (path) => !!navigator.serviceWorker.controller &&
             !!(await (await caches.open("wf-pages")).match(path || location.pathname))""",
        path,
    )
    return held


async def settled_content(page: Page) -> str:
    """The HTML once the browser has put up its own error page for a failed navigation."""
    html = ""

    async def read() -> bool:
        nonlocal html
        try:
            html = await page.content()
        except Error:  # still navigating to the error page
            return False
        return True

    await eventually(read)
    return html


async def cold_open(consoles: Consoles, context: BrowserContext, path: str) -> Page:
    """A new page opened with no network (the phone in the basement, the app started again)."""
    page = await consoles.new_page("staff1", context)
    await page.goto(path)
    return page


async def test_cold_open_offline_shows_the_copy_and_sends_the_tick_once(
    consoles: Consoles, live: Live
) -> None:
    consoles.expect_trouble(OFFLINE_TROUBLE)
    incident = await open_incident(await live.client("duty1"), location=PLACE)
    path = f"/m/incidents/{incident}"
    phone = await consoles.open("staff1", path, phone=True)
    await expect(phone.locator(".offline-copy")).to_be_hidden()  # live: no banner
    await eventually(lambda: kept(phone))
    context, staff = phone.context, await live.client("staff1")
    await phone.close()

    await context.set_offline(True)
    started = time.monotonic()
    cold = await cold_open(consoles, context, path)
    await expect(cold.locator(".offline-copy")).to_have_text(BANNER)
    print(f"cold open without network: {1000 * (time.monotonic() - started):.0f} ms to the copy")
    await expect(cold.locator(".offline-copy")).to_be_visible()
    await expect(cold.locator("#phone-checklist h1")).to_have_text(f"突发疾病 · {PLACE}")
    item = cold.locator("#item-call_ambulance")
    await item.locator("input[name=note]").fill(NOTE)
    await item.get_by_role("button", name="完成").tap()
    await expect(item).to_have_class(PENDING)
    await cold.screenshot(path=artefact("phone-cold-offline.png"))
    await no_english(cold, PLACE, NOTE)
    assert await ticks(staff, incident) == []

    await context.set_offline(False)  # the queue is sent, then the live page loads
    await expect(cold.locator("body[data-offline-copy]")).to_have_count(0)
    await wait_live(cold)
    await expect(cold.locator(".offline-copy")).to_be_hidden()
    await expect(cold.locator("#conn-state")).to_have_text("实时")
    await expect(item).to_have_class(DONE)
    await expect(item).to_contain_text(NOTE)
    await eventually(lambda: has_records(cold, 0))
    [tick] = await ticks(staff, incident)
    assert tick["payload"]["item"] == "call_ambulance"
    assert tick["payload"]["note"] == NOTE


async def test_sign_out_leaves_nothing_to_open_offline(consoles: Consoles, live: Live) -> None:
    consoles.expect_trouble(OFFLINE_TROUBLE)
    incident = await open_incident(await live.client("duty1"), location=PLACE)
    path = f"/m/incidents/{incident}"
    phone = await consoles.open("staff1", path, phone=True)
    await eventually(lambda: kept(phone))

    await phone.get_by_role("button", name="退出").click()
    await phone.wait_for_url(f"{live.url}/login")
    assert await phone.evaluate("caches.keys()") == []
    assert await phone.evaluate("navigator.serviceWorker.getRegistrations()") == []
    context = phone.context
    await phone.close()

    await context.set_offline(True)
    with pytest.raises(Error, match="ERR_INTERNET_DISCONNECTED"):
        await cold_open(consoles, context, path)
    [cold] = context.pages
    assert PLACE not in await settled_content(cold)


async def owner(page: Page) -> str | None:
    """Whose copies the worker holds."""
    who: str | None = await page.evaluate(
        """async () => { const r = await (await caches.open("wf-pages")).match("/m/__owner__");
                         return r ? r.text() : null; }"""
    )
    return who


async def test_the_next_person_on_the_phone_never_gets_the_copies(
    consoles: Consoles, live: Live
) -> None:
    """staff1's session ends without a sign-out; duty1 signs in on the phone: the copies go."""
    consoles.expect_trouble(OFFLINE_TROUBLE)
    consoles.expect_trouble(r"^duty1 request failed: .*net::ERR_FAILED")  # no copy to serve
    incident = await open_incident(await live.client("duty1"), location=PLACE)
    path = f"/m/incidents/{incident}"
    phone = await consoles.open("staff1", path, phone=True)
    await eventually(lambda: kept(phone))
    assert await owner(phone) == "staff1"

    await phone.context.clear_cookies()  # the session is gone, its copies are not (yet)
    await phone.goto("/login?next=/m")
    await phone.locator("#username").fill("duty1")
    await phone.locator("#password").fill(DEMO_PASSWORD)
    await phone.locator("button[type=submit]").click()
    await phone.wait_for_url(f"{live.url}/m")
    await wait_live(phone)
    await eventually(lambda: owner_is(phone, "duty1"))
    assert await kept(phone)  # /m, as duty1 sees it
    assert not await kept(phone, path)  # staff1's copy of the incident is gone
    context = phone.context
    await phone.close()

    await context.set_offline(True)
    cold = await consoles.new_page("duty1", context)
    with pytest.raises(Error, match="net::ERR_FAILED"):
        await cold.goto(path)
    assert PLACE not in await settled_content(cold)


async def owner_is(page: Page, who: str) -> bool:
    return await owner(page) == who
