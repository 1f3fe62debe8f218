"""The unit liaison's journey: a message arrives with a link; on a phone, with no account, they
open it, acknowledge, and every console watching turns the unit green without a reload."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.conftest import Consoles, eventually, no_english, open_incident, shoot
from tests.live.conftest import Live, serve_notifying
from tests.notify.conftest import SECRETS, Receiver, receiver, units_dir  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

NOTE = "民警两人在途🚓，ETA 8 min；请保持现场秩序"


@pytest.fixture
async def live(
    database_url: str,
    free_port: int,
    tmp_path: Path,
    units_dir: Path,  # noqa: F811  (the fixture imported above)
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Live]:
    """The app as an office runs it: workers on, units' webhooks at a real receiver."""
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    async with serve_notifying(database_url, free_port, tmp_path / "data", units_dir) as server:
        yield server


def ack_link(receiver: Receiver, hook: str) -> str | None:  # noqa: F811
    """The link in the message the unit's system received, as its liaison reads it."""
    for path, _, _, body in receiver.seen:
        if path == hook:
            link: str = json.loads(body)["ack_url"]
            return link
    return None


async def test_a_liaison_acknowledges_from_the_link_in_the_message(
    consoles: Consoles,
    live: Live,
    receiver: Receiver,  # noqa: F811
) -> None:
    """The police liaison taps 确认收到 on a phone; desk and commander see it at once."""
    duty = await live.client("duty1")
    incident = await open_incident(duty, "self_harm", location="二楼走廊", summary="来访人自伤")
    board = await consoles.open("duty1")
    desk = await consoles.open("commander1", f"/incidents/{incident}")
    police = desk.locator("#notification-tell_police")
    unacked = board.locator(f"#incident-{incident} .unacked")
    before = int((await unacked.inner_text()).split()[0])
    await eventually(lambda: ack_link(receiver, "/hooks/police") is not None, within=15)
    link = ack_link(receiver, "/hooks/police")
    assert link and link.startswith(live.url + "/ack/")

    phone = await consoles.guest(link)
    await expect(phone.get_by_role("heading")).to_contain_text("派出所")
    await expect(phone.locator("main")).to_contain_text("二楼走廊")
    await phone.get_by_label("预计到达").fill("8")
    await phone.get_by_label("备注").fill(NOTE)
    await shoot(phone, "journey-liaison-link.png")
    await no_english(phone, NOTE)
    await phone.get_by_role("button", name="确认收到").tap()
    await expect(phone.get_by_role("status")).to_contain_text("已回执")
    await shoot(phone, "journey-liaison-done.png")
    await no_english(phone)

    await expect(police).to_have_attribute("data-status", "acknowledged")
    await expect(police).to_contain_text(NOTE)
    await expect(police).to_contain_text("预计 8 分钟到达")
    await expect(unacked).to_have_text(re.compile(f"^{before - 1}\\b"))
    await expect(desk.locator("#timeline")).to_contain_text("派出所已回执")
    await no_english(desk, NOTE)
    await no_english(board)
    events = (await duty.get(f"/api/incidents/{incident}/events")).json()
    ack = next(e for e in events if e["kind"] == "notification_acknowledged")
    assert ack["payload"]["note"] == NOTE and ack["payload"]["eta_minutes"] == 8

    consoles.expect_refusal(409, "/ack/.+")  # a second tap on the same link, later
    again = await consoles.guest(link)
    await expect(again.locator("main")).to_contain_text("此通报已回执")
