"""The sign-in page, throttled: the wait is named in Chinese, then the commander gets in."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import Page, expect

from incidents.clock import ManualClock
from server.auth.cli import DEMO_PASSWORD
from server.auth.ratelimit import LoginLimiter
from tests.browser.conftest import Consoles, artefact, no_english
from tests.live.conftest import Live

pytestmark = pytest.mark.browser


async def submit(page: Page, password: str, status: int) -> None:
    await page.locator("#username").fill("commander1")
    await page.locator("#password").fill(password)
    async with page.expect_response(lambda r: r.request.method == "POST") as answered:
        await page.locator("button[type=submit]").click()
    assert (await answered.value).status == status


async def test_a_throttled_sign_in_names_the_wait_in_chinese(
    consoles: Consoles, live: Live
) -> None:
    """Three wrong passwords, then the right one: the page says, in Chinese only, to try
    again in 1 second; a second later the commander signs in and lands on the board."""
    clock = ManualClock(datetime.now(UTC))  # the server's limiter, on a clock this test moves
    live.app.state.services = replace(
        live.app.state.services, login_limiter=LoginLimiter(live.app.state.services.pool, clock)
    )
    for status in (401, 429):
        consoles.expect_refusal(status, "/login")
        consoles.expect_trouble(rf"console error: .* status of {status} .*/login")
    page = await consoles.guest("/login", phone=False)
    for _ in range(3):
        await submit(page, "not-the-password", 401)
        await expect(page.get_by_role("alert")).to_have_text("用户名或密码不正确。")
    await submit(page, DEMO_PASSWORD, 429)
    await expect(page.get_by_role("alert")).to_have_text("登录失败次数过多，请 1 秒后再试。")
    await expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    await no_english(page, "English")  # the language switch names English in English
    await page.screenshot(path=artefact("login-throttled-zh.png"))
    await expect(page.locator("#username")).to_have_value("commander1")  # only wait, retype
    clock.advance(timedelta(seconds=1))
    await page.locator("#password").fill(DEMO_PASSWORD)
    await page.locator("button[type=submit]").click()
    await page.wait_for_url(live.url + "/")
