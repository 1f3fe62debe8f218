"""Real Chromium against the live app (tests/live/conftest.py): one browser for the session,
one browser context per signed-in person, every context closed at the end of its test."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Response,
    async_playwright,
    expect,
)

from server.auth.cli import DEMO_PASSWORD
from tests.i18n_check import english_words, html_text
from tests.live.conftest import Live, live  # noqa: F401  (the fixture, for this folder too)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTEFACTS = Path(__file__).resolve().parents[1] / "artefacts"
expect.set_options(timeout=10_000)  # a loaded CI machine; the one timing promise sets its own
DESK: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}
PHONE: dict[str, Any] = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        chromium = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


WATCH_SOCKET = """
document.addEventListener("htmx:wsClose", function (e) {
  console.log("socket closed " + e.detail.event.code);
});
"""


class Consoles:
    """Browser pages on the live app, each in its own context (its own cookies).

    Strict by default: a page error, a console error, a failed request or an answer of 400
    or more fails the test at its end, unless the test said it expects it (`expect_trouble`,
    `expect_refusal`).
    """

    def __init__(self, browser: Browser, app: Live) -> None:
        self.browser, self.live = browser, app
        self.contexts: list[BrowserContext] = []
        self.errors: list[str] = []  # page errors: never expected
        self.log: list[str] = []  # printed when a test fails
        self.trouble: list[str] = []  # console errors, failed requests, answers >= 400
        self.expected: list[re.Pattern[str]] = []

    def expect_trouble(self, pattern: str) -> None:
        """A console error, failed request or 4xx/5xx matching `pattern` is part of the test."""
        self.expected.append(re.compile(pattern))

    def expect_refusal(self, status: int, path: str) -> None:
        """An answer `status` to a URL whose path matches `path` is part of the journey."""
        self.expect_trouble(rf"\b{status}\b.*https?://[^/]+{path}")

    def unexpected(self) -> list[str]:
        return [x for x in self.trouble if not any(p.search(x) for p in self.expected)]

    def _watch(self, who: str, page: Page) -> None:
        def console(m: ConsoleMessage) -> None:
            self.log.append(f"{who} console: {m.text}")
            if m.type == "error":
                self.trouble.append(f"{who} console error: {m.text} ({m.location.get('url')})")

        def failed(r: Request) -> None:
            if r.is_navigation_request() and r.failure == "net::ERR_ABORTED":
                return  # a navigation that became a download (an export): the page stays
            self.trouble.append(f"{who} request failed: {r.method} {r.url} {r.failure}")

        def answered(r: Response) -> None:
            if r.status >= 400:
                self.trouble.append(f"{who} answer {r.status}: {r.request.method} {r.url}")

        page.on("pageerror", lambda exc: self.errors.append(f"{who}: {exc}"))
        page.on("console", console)
        page.on("requestfailed", failed)
        page.on("response", answered)
        page.on("framenavigated", lambda f: self.log.append(f"{who} at {f.url}"))

    async def context(self, *, phone: bool = False, locale: str = "zh-CN") -> BrowserContext:
        context = await self.browser.new_context(
            base_url=self.live.url,
            locale=locale,
            timezone_id="Asia/Shanghai",
            **(PHONE if phone else DESK),
        )
        self.contexts.append(context)
        return context

    async def guest(self, url: str, *, phone: bool = True) -> Page:
        """A fresh browser with no session (a unit's liaison) opening `url`."""
        page = await (await self.context(phone=phone)).new_page()
        self._watch("guest", page)
        await page.goto(url)
        return page

    async def new_page(self, who: str, context: BrowserContext) -> Page:
        """Another page of `context` (the same browser: its cookies, storage and worker)."""
        page = await context.new_page()
        self._watch(who, page)
        return page

    async def open(self, login: str, path: str = "/", *, phone: bool = False) -> Page:
        """Sign in through the login form as `login`, land on `path`, wait for the live feed."""
        page = await (await self.context(phone=phone)).new_page()
        self._watch(login, page)
        await page.add_init_script(WATCH_SOCKET)
        await page.goto(f"/login?next={quote(path, safe='')}")
        await page.locator("#username").fill(login)
        await page.locator("#password").fill(DEMO_PASSWORD)
        await page.locator("button[type=submit]").click()
        await page.wait_for_url(self.live.url + path)
        await wait_live(page)
        return page

    async def close(self) -> None:
        for context in reversed(self.contexts):
            await context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[FAILED] = report.failed
    return report


FAILED = pytest.StashKey[bool]()


@pytest.fixture
async def consoles(
    browser: Browser,
    live: Live,  # noqa: F811  (the fixture imported above)
    request: pytest.FixtureRequest,
) -> AsyncIterator[Consoles]:
    opened = Consoles(browser, live)
    try:
        yield opened
        if request.node.stash.get(FAILED, False):  # what each page showed when it failed
            print("\n".join(opened.log))
            pages = [page for context in opened.contexts for page in context.pages]
            for n, page in enumerate(pages):
                await page.screenshot(path=artefact(f"failed-{request.node.name}-{n}.png"))
    finally:
        await opened.close()
    assert not opened.errors, opened.errors
    assert not opened.unexpected(), "\n".join(opened.unexpected())


async def wait_live(page: Page) -> None:
    """The page's WebSocket is open and its snapshot applied."""
    await page.locator("#wf-seq[data-snapshot]").wait_for(state="attached")


def key() -> str:
    return uuid.uuid4().hex


async def open_incident(client: httpx.AsyncClient, kind: str = "medical", **fields: Any) -> str:
    """Open an incident over the JSON API (as the signed-in `client`); its id."""
    body = {"type": kind, "location": "一楼大厅", "headcount": 1, "summary": "来访人晕倒"}
    reply = await client.post("/incidents", json=body | fields, headers={"Idempotency-Key": key()})
    assert reply.status_code == 201, reply.text
    return str(reply.json()["incident_id"])


async def eventually(check: Callable[[], bool | Awaitable[bool]], within: float = 10.0) -> None:
    """Poll `check` (plain or async) until it holds; fail after `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        held = check()
        if held if isinstance(held, bool) else await held:
            return
        assert time.monotonic() < deadline, "the condition did not hold in time"
        await asyncio.sleep(0.05)


async def shoot(page: Page, name: str, *, full_page: bool = False) -> Path:
    """A screenshot in tests/artefacts/, once the page is live and its fonts are drawn."""
    if await page.locator("#conn-state").count():
        await expect(page.locator("#conn-state")).not_to_have_class("down")
    await page.evaluate("document.fonts.ready")
    path = artefact(name)
    await page.screenshot(path=path, full_page=full_page)
    return path


async def download(page: Page, fmt: str) -> bytes:
    """Choose `fmt` in the incident page's export panel, press 导出, read what was saved."""
    panel = page.locator(".export-panel")
    if await panel.get_attribute("open") is None:
        await panel.locator("summary").click()
    await panel.locator("select[name=format]").select_option(fmt)
    async with page.expect_download() as started:
        await panel.get_by_role("button", name="导出").click()
    saved = await (await started.value).path()
    return saved.read_bytes()


async def no_english(page: Page, *typed: str) -> None:
    """Fail on any English word on this zh-CN screen (texts, titles, placeholders, options),
    leaving out what people typed."""
    text = html_text(await page.content())
    for words in sorted(typed, key=len, reverse=True):  # the longest first: one may hold another
        text = text.replace(words, " ")
    leaks = english_words(text)
    assert not leaks, (page.url, leaks)


def artefact(name: str) -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    return ARTEFACTS / name
