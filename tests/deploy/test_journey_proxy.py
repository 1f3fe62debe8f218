"""A duty officer and a commander in real Chromium, through the proxy's one port: they sign
in, their boards go live (on either node), an incident opened elsewhere appears on both, and
still does after a node restarts under them. Any console error fails the journey."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from tests.browser.conftest import Consoles, browser, open_incident, shoot  # noqa: F401
from tests.deploy.conftest import Topology
from tests.live.conftest import Live

pytestmark = pytest.mark.browser


async def test_boards_through_the_proxy_update_live_across_a_node_restart(
    browser: Browser,  # noqa: F811  (the fixture imported above)
    topology: Topology,
) -> None:
    """Two boards through nginx see a new incident live, and again after node 2 restarts."""
    consoles = Consoles(browser, Live(topology.proxy.url, topology.nodes[0].pool))
    try:
        duty, commander = await consoles.open("duty1"), await consoles.open("commander1")
        boards = [duty, commander]
        while not topology.lines(1, "websocket"):  # one board at least is on node 2
            assert len(boards) < 6, "round robin never gave node 2 a board"
            boards.append(await consoles.open("viewer1"))
        desk = await topology.front.signed_in("duty1")
        first = await open_incident(desk, location="一楼大厅 🚑 Hall A")
        for board in boards:
            await expect(board.locator(f"#incident-{first}")).to_contain_text("一楼大厅 🚑 Hall A")
        await topology.restart(1)
        second = await open_incident(desk, location="二楼 候谈区 ✅ Room 2")
        for board in boards:
            await expect(board.locator(f"#incident-{second}")).to_contain_text("二楼 候谈区 ✅")
            await expect(board.locator("#conn-state")).to_have_text("实时")
        assert [line for line in consoles.log if "socket closed" in line]  # and it came back
        await shoot(commander, "proxy-board-after-restart.png")
    finally:
        await consoles.close()
    assert not consoles.errors, consoles.errors
    assert not consoles.unexpected(), "\n".join(consoles.unexpected())
