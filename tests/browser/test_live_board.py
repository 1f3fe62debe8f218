"""Two real browsers on the live console: what one does, the other sees without reloading."""

from __future__ import annotations

import asyncio
import re
import uuid

import pytest
from playwright.async_api import Route, WebSocketRoute, expect

from server.app import SESSION_CHECK_EVERY
from server.auth.cli import DEMO_PASSWORD
from tests.browser.conftest import Consoles, eventually, open_incident, wait_live
from tests.live.conftest import Live

pytestmark = pytest.mark.browser


async def test_incident_opened_on_one_board_appears_on_another(consoles: Consoles) -> None:
    """Duty1 opens an incident from the board; commander1's board shows it within a second."""
    duty, commander = await consoles.open("duty1"), await consoles.open("commander1")
    place = f"二楼西侧 {uuid.uuid4().hex[:4]}"
    form = duty.locator("#open-form")
    if not await form.is_visible():
        await duty.get_by_text("新建事件").click()
    await form.get_by_label("事件类型").select_option(label="突发疾病")
    await form.get_by_label("地点").fill(place)
    await form.get_by_label("人数").fill("2")
    await form.get_by_label("情况简述").fill("来访人突然晕倒，意识不清")
    async with duty.expect_response(lambda r: r.request.method == "POST") as posted:
        await form.get_by_role("button", name="开启事件").click()
    assert (await posted.value).status == 204
    seen = commander.locator("#board-rows tr", has_text=place)
    await expect(seen).to_be_visible(timeout=1000)
    await expect(seen).to_contain_text("突发疾病")
    await expect(seen.locator(".progress-text")).to_have_text(re.compile(r"^0/\d+$"))
    await expect(duty.locator("#board-rows tr", has_text=place)).to_be_visible()
    await expect(form.get_by_label("地点")).to_have_value("")  # the form is ready for the next
    await expect(commander.locator(".board .empty")).to_be_hidden()


async def test_tick_on_the_phone_moves_the_board_progress(consoles: Consoles, live: Live) -> None:
    """Staff1 taps 完成 on the phone; the board in another browser shows the progress go up."""
    incident = await open_incident(await live.client("duty1"), location="三号接待室")
    board = await consoles.open("commander1")
    progress = board.locator(f"#incident-{incident} .progress-text")
    await expect(progress).to_have_text(re.compile(r"^0/\d+$"))
    total = (await progress.inner_text()).split("/")[1]

    phone = await consoles.open("staff1", "/m", phone=True)
    await phone.get_by_role("link", name=re.compile("三号接待室")).tap()
    await phone.wait_for_url(re.compile(f"/m/incidents/{incident}$"))
    await wait_live(phone)
    item = phone.locator("#item-report_to_head")
    await item.get_by_role("button", name="完成").tap()

    await expect(progress).to_have_text(f"1/{total}")
    await expect(board.locator(f"#incident-{incident} progress")).to_have_attribute("value", "1")
    await expect(item).to_have_class(re.compile(r"\bitem-done\b"))
    await expect(item).not_to_have_class(re.compile(r"\bpending\b"))
    await expect(phone.locator("#phone-checklist")).to_contain_text(f"1/{total}")


async def test_phone_list_shows_a_new_incident_without_reload(
    consoles: Consoles, live: Live
) -> None:
    """Staff1's phone list gains an incident opened at the desk, and its progress, live."""
    phone = await consoles.open("staff1", "/m", phone=True)
    incident = await open_incident(await live.client("duty1"), location="五号接待室")
    entry = phone.locator(f"#phone-item-{incident}")
    await expect(entry).to_contain_text("五号接待室")
    await expect(entry).to_contain_text(re.compile(r"0/\d+"))


async def test_board_reconnects_after_its_socket_closes(consoles: Consoles, live: Live) -> None:
    """The board's connection drops (closed with 1000); it reconnects and keeps updating."""
    board = await consoles.open("duty1")
    state = board.locator("#conn-state")
    await expect(state).to_have_text("实时")
    await board.evaluate(
        "document.getElementById('live')['htmx-internal-data'].webSocket.socket.close(1000)"
    )
    await expect(state).to_have_text("连接中断，正在重连…")
    await expect(state).to_have_text("实时")
    incident = await open_incident(await live.client("duty1"), location="候谈区")
    await expect(board.locator(f"#incident-{incident}")).to_contain_text("候谈区")


async def test_a_board_whose_session_ended_while_away_goes_to_sign_in(
    consoles: Consoles, live: Live
) -> None:
    """The board's socket drops while its session is gone (expired while the laptop slept):
    the reconnect is told so and the page goes to the login screen, coming back after it."""
    board = await consoles.open("duty1")
    await expect(board.locator("#conn-state")).to_have_text("实时")
    await board.context.add_cookies(
        [{"name": "wf_session", "value": "expired-" + uuid.uuid4().hex, "url": live.url}]
    )
    await board.evaluate(
        "document.getElementById('live')['htmx-internal-data'].webSocket.socket.close(1000)"
    )
    await board.wait_for_url(re.compile(r"/login\?next=%2F$"))
    await expect(board.locator("#username")).to_be_visible()


async def test_board_resyncs_once_after_a_lost_message(consoles: Consoles, live: Live) -> None:
    """An update lost on the way: the board takes a fresh snapshot once and shows the truth."""
    client = await live.client("duty1")
    incident = await open_incident(client, location="门厅")
    board = await consoles.open("commander1")
    sockets: list[WebSocketRoute] = []
    lose = [1]

    def forward(ws: WebSocketRoute) -> None:
        sockets.append(ws)
        server = ws.connect_to_server()

        def to_page(message: str | bytes) -> None:
            if lose[0] and isinstance(message, str) and "data-prev" in message:
                lose[0] -= 1  # this delta never reaches the page: a gap
                return
            ws.send(message)

        server.on_message(to_page)

    await board.route_web_socket(re.compile(r"/ws\?"), forward)
    await board.reload()
    await wait_live(board)
    assert len(sockets) == 1
    for headcount in (3, 7):
        reply = await client.post(
            f"/incidents/{incident}/headcount",
            json={"headcount": headcount, "reason": "又来了人"},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        assert reply.status_code == 201, reply.text
        await eventually(lambda: lose == [0])  # the first is lost before the second
    await expect(board.locator(f"#incident-{incident} td.num").first).to_have_text("7")
    assert len(sockets) == 2  # the gap made exactly one reconnect
    await board.wait_for_timeout(3000)  # a reconnect loop would open more within this
    assert len(sockets) == 2
    await expect(board.locator("#conn-state")).to_have_text("实时")


async def _answered_late(route: Route) -> None:
    """The server signs out at once; the browser hears the answer after the sockets of the
    ended session were closed (SESSION_CHECK_EVERY)."""
    response = await route.fetch(max_redirects=0)
    await asyncio.sleep(SESSION_CHECK_EVERY + 0.5)
    await route.fulfill(response=response)


async def test_signed_out_elsewhere_the_page_asks_to_sign_in_and_comes_back(
    consoles: Consoles, live: Live
) -> None:
    """Signed out in another tab: the incident page shows 登录, and after it, the incident again."""
    incident = await open_incident(await live.client("duty1"), location="安检口")
    page = await consoles.open("duty1", f"/incidents/{incident}")
    other = await page.context.new_page()
    await other.goto("/")
    await other.route("**/logout", _answered_late)  # its own socket's 4401 comes first
    await other.get_by_role("button", name="退出").click()
    await other.wait_for_url(re.compile(r"/login$"))  # where 退出 leads, not ?next=/
    await other.close()
    await page.wait_for_url(re.compile(r"/login\?next="))  # the server closed its socket (4401)
    await page.locator("#username").fill("duty1")
    await page.locator("#password").fill(DEMO_PASSWORD)
    await page.locator("button[type=submit]").click()
    await page.wait_for_url(f"{live.url}/incidents/{incident}")
    await wait_live(page)
    await expect(page.locator("#incident-header")).to_contain_text("安检口")
