"""An escalation cannot be missed: the board names the silent unit, the tab flashes, it rings."""

from __future__ import annotations

import re
import uuid
from uuid import UUID

import pytest
from playwright.async_api import Page, expect

from incidents.notifications import Escalate
from server.live.broker import Notice
from server.notify.timers import TIMERS
from tests.browser.conftest import Consoles, artefact, eventually, open_incident
from tests.live.conftest import Live

pytestmark = pytest.mark.browser
POLICE = "公安机关（辖区派出所）"


async def escalate(live: Live, incident: str, notification: str, step: str) -> None:
    """What the timer worker does when a unit stays silent: the step, then the notice."""
    outcome = await live.app.state.services.store.execute(
        UUID(incident), Escalate(notification, step), TIMERS, f"test-escalation:{uuid.uuid4()}"
    )
    seqs = [e.seq for e in outcome.events]
    await live.app.state.services.broker.publish(Notice(UUID(incident), seqs[0], seqs[-1]))


async def self_harm(live: Live, place: str) -> str:
    duty = await live.client("duty1")
    return await open_incident(duty, "self_harm", location=place, summary="来访人自伤")


async def played(page: Page, n: int) -> bool:
    """The console has played `n` alarm sounds (console.js counts each it starts)."""
    return bool(await page.evaluate("window.wfAlertsPlayed") == n)


async def title_says(page: Page, text: str) -> None:
    """The tab's title shows `text` (it flashes: shown every other second)."""
    await page.wait_for_function("t => document.title.includes(t)", arg=text, timeout=5000)


async def test_a_unit_escalating_is_named_on_the_board_and_rings(
    consoles: Consoles, live: Live
) -> None:
    """Police silent: the row names 公安机关, the tab title flashes it, one short sound plays."""
    incident = await self_harm(live, "二楼走廊")
    board = await consoles.open("duty1")
    await board.evaluate("window.stillThisPage = true")
    title = await board.title()
    await board.locator("h1").click()  # the officer's first tap: the browser allows sound
    row = board.locator(f"#incident-{incident}")
    await expect(row.locator(".silent-unit")).to_have_count(0)
    assert await board.evaluate("window.wfAlertsPlayed") == 0

    await escalate(live, incident, "tell_police", "renotify")
    await expect(row.locator("td.unacked .silent-unit")).to_have_text(POLICE)
    await expect(row.locator("td.unacked")).to_have_class(re.compile(r"\balert\b"))
    await title_says(board, f"{POLICE}未回执")
    await eventually(lambda: played(board, 1))
    assert await board.evaluate("window.stillThisPage") is True  # no reload
    await board.screenshot(path=artefact("board-silent-unit.png"))

    await escalate(live, incident, "tell_police", "next_contact")  # the same step of silence
    await board.wait_for_timeout(1500)
    assert await board.evaluate("window.wfAlertsPlayed") == 1
    await escalate(live, incident, "tell_police", "alert")  # louder: it rings again
    await eventually(lambda: played(board, 2))
    await board.locator("h1").click()  # looked at: the title stops flashing
    await expect(board).to_have_title(title)


async def test_muted_the_board_flashes_but_stays_silent(consoles: Consoles, live: Live) -> None:
    """Sound muted in the header (remembered after a reload): the title flashes, no sound."""
    incident = await self_harm(live, "三楼走廊")
    board = await consoles.open("duty1")
    toggle = board.locator("header #alarm-sound")
    await expect(toggle).to_have_text("声音：开")
    await toggle.click()
    await expect(toggle).to_have_text("声音：关")
    await expect(toggle).to_have_attribute("aria-pressed", "false")
    await board.reload()
    await expect(board.locator("header #alarm-sound")).to_have_text("声音：关")
    await board.locator("#wf-seq[data-snapshot]").wait_for(state="attached")
    await board.locator("h1").click()

    await escalate(live, incident, "tell_health", "renotify")
    await expect(board.locator(f"#incident-{incident} .silent-unit")).to_contain_text("卫生健康")
    await title_says(board, "卫生健康部门")
    await board.wait_for_timeout(1000)
    assert await board.evaluate("window.wfAlertsPlayed") == 0
    assert await board.evaluate("window.wfAlarms.raised") == 1
    await board.screenshot(path=artefact("board-muted.png"))


async def test_a_report_falling_due_flashes_and_rings(consoles: Consoles, live: Live) -> None:
    """The first report's deadline passes with the board open: the title says so, it rings."""
    await self_harm(live, "信访大厅")
    board = await consoles.open("duty1")
    await board.clock.install()
    await board.reload()
    await board.locator("#wf-seq[data-snapshot]").wait_for(state="attached")
    await board.locator("h1").click()
    await board.clock.fast_forward("01:00:00")  # an hour later, nothing filed
    await title_says(board, "信访大厅：首报超时")
    await eventually(lambda: played(board, 1))
