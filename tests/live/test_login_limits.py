"""Sign-in limits and proxies on the real server: guessers on many addresses slow a name down
but never lock its owner out, and X-Forwarded-For counts only from a trusted proxy.

Clients come from their own loopback addresses (Linux routes all of 127.0.0.0/8 to lo), so
"another address" is a real TCP peer, not a header.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import structlog

from incidents.clock import ManualClock
from server.auth.cli import DEMO_PASSWORD
from server.auth.ratelimit import LoginLimiter, Policy
from tests.live.conftest import Live, serve_live

WRONG = "not-the-password"


def from_address(live: Live, address: str, *, https: bool = False) -> httpx.AsyncClient:
    """A browser-like client whose connections leave from `address`."""
    transport = httpx.AsyncHTTPTransport(local_address=address)
    origin = live.url.replace("http://", "https://") if https else live.url
    client = httpx.AsyncClient(base_url=live.url, transport=transport, headers={"Origin": origin})
    live.opened.append(client)
    return client


async def sign_in(
    client: httpx.AsyncClient, login: str, password: str, **headers: str
) -> httpx.Response:
    return await client.post(
        "/login", data={"username": login, "password": password}, headers=headers
    )


def movable_limits(live: Live) -> ManualClock:
    """The server's limiter, on a clock this test moves (waits without waiting)."""
    clock = ManualClock(datetime.now(UTC))
    live.app.state.services = replace(
        live.app.state.services, login_limiter=LoginLimiter(live.app.state.services.pool, clock)
    )
    return clock


async def guess_from_many(live: Live, clock: ManualClock, login: str, guesses: int) -> list[int]:
    """`guesses` wrong passwords for `login`, each from a new address, each as soon as the
    server allows it; the Retry-After of every refusal on the way."""
    waits = []
    for n in range(guesses):
        guesser = from_address(live, f"127.0.0.{10 + n}")
        while (reply := await sign_in(guesser, login, WRONG)).status_code == 429:
            waits.append(int(reply.headers["retry-after"]))
            clock.advance(timedelta(seconds=waits[-1]))
        assert reply.status_code == 401, reply.text
    return waits


async def test_guesses_from_many_addresses_do_not_keep_the_commander_out(live: Live) -> None:
    """Ten wrong passwords for commander1 from ten addresses: the commander at their own
    desk is asked to wait at most 30 s, in Chinese, and then signs in."""
    clock = movable_limits(live)
    await guess_from_many(live, clock, "commander1", 10)
    desk = from_address(live, "127.0.0.2")
    refused = await sign_in(desk, "commander1", DEMO_PASSWORD)
    assert refused.status_code == 429
    wait = int(refused.headers["retry-after"])
    assert 0 < wait <= Policy().cap.total_seconds()
    assert f"登录失败次数过多，请 {wait} 秒后再试。" in refused.text
    clock.advance(timedelta(seconds=wait))
    assert (await sign_in(desk, "commander1", DEMO_PASSWORD)).status_code == 303


async def test_the_commanders_usual_desk_signs_in_at_once_during_an_attack(live: Live) -> None:
    """commander1 signed in from this desk before; guesses from elsewhere cost it no wait."""
    clock = movable_limits(live)
    desk = from_address(live, "127.0.0.2")
    assert (await sign_in(desk, "commander1", DEMO_PASSWORD)).status_code == 303
    await guess_from_many(live, clock, "commander1", 10)
    again = from_address(live, "127.0.0.2")
    assert (await sign_in(again, "commander1", DEMO_PASSWORD)).status_code == 303


async def test_each_guess_at_a_name_from_a_new_address_waits_longer_up_to_30_s(
    live: Live,
) -> None:
    """Retry-After grows 1, 2, 4, 8, 16 s after the third failure, then stays at 30 s."""
    clock = movable_limits(live)
    assert await guess_from_many(live, clock, "commander1", 10) == [1, 2, 4, 8, 16, 30, 30]


async def test_forwarded_for_does_not_evade_the_address_limit(live: Live) -> None:
    """With no trusted proxy, 25 guesses from one peer, each claiming another address in
    X-Forwarded-For, are all counted as that peer's: the 21st and after are refused."""
    guesser = from_address(live, "127.0.0.1")
    statuses = []
    for n in range(25):
        reply = await sign_in(guesser, f"guess{n}", WRONG, **{"X-Forwarded-For": f"203.0.113.{n}"})
        statuses.append(reply.status_code)
    assert statuses == [401] * 20 + [429] * 5
    addresses = await live.pool.fetch("SELECT DISTINCT address FROM login_attempts")
    assert [r["address"] for r in addresses] == ["127.0.0.1"]


@asynccontextmanager
async def behind(database_url: str, port: int, data: Path, trusted: str) -> AsyncIterator[Live]:
    async with serve_live(database_url, port, data, WATCHFLOOR_TRUSTED_PROXIES=trusted) as live:
        yield live


FORWARDED = {"X-Forwarded-For": "198.51.100.1, 203.0.113.7, 10.1.2.3", "X-Forwarded-Proto": "https"}


@pytest.mark.parametrize(
    ("trusted", "peer", "honoured"),
    [
        ("", "127.0.0.1", False),  # the default: no one
        ("127.0.0.1, 10.0.0.0/8", "127.0.0.1", True),
        ("127.0.0.0/30, 10.0.0.0/8", "127.0.0.2", True),  # a network
        ("127.0.0.1, 10.0.0.0/8", "127.0.0.9", False),  # a peer not named
    ],
)
async def test_forwarding_headers_count_only_from_a_trusted_proxy(
    database_url: str, free_port: int, tmp_path: Path, trusted: str, peer: str, honoured: bool
) -> None:
    """From a trusted peer, the client is the right-most address in X-Forwarded-For that is
    no trusted proxy, for the limiter and the request log, and X-Forwarded-Proto https makes
    the session cookie the Secure one; from any other peer, the headers change nothing."""
    async with behind(database_url, free_port, tmp_path / "data", trusted) as live:
        proxy = from_address(live, peer, https=honoured)
        with structlog.testing.capture_logs() as logs:
            signed_in = await sign_in(proxy, "duty1", DEMO_PASSWORD, **FORWARDED)
        assert signed_in.status_code == 303, signed_in.text
        client = "203.0.113.7" if honoured else peer
        address = await live.pool.fetchval("SELECT address FROM login_attempts WHERE ok")
        assert address == client
        assert request_line(logs, "/login")["client"] == client
        name, *attributes = (
            part.strip().lower() for part in signed_in.headers["set-cookie"].split(";")
        )
        expected = "__host-wf_session" if honoured else "wf_session"
        assert name.split("=")[0] == expected and ("secure" in attributes) is honoured


async def test_a_trusted_proxy_passes_each_clients_address_to_the_limiter(
    database_url: str, free_port: int, tmp_path: Path
) -> None:
    """Behind a trusted proxy, one client spraying guesses is stopped at 20, while another
    client behind the same proxy still gets to try."""
    async with behind(database_url, free_port, tmp_path / "data", "127.0.0.1") as live:
        proxy = from_address(live, "127.0.0.1")
        sprayer = {"X-Forwarded-For": "203.0.113.7"}
        statuses = [
            (await sign_in(proxy, f"guess{n}", WRONG, **sprayer)).status_code for n in range(21)
        ]
        assert statuses == [401] * 20 + [429]
        other = await sign_in(proxy, "duty1", DEMO_PASSWORD, **{"X-Forwarded-For": "203.0.113.8"})
        assert other.status_code == 303


def request_line(logs: list[dict[str, Any]], path: str) -> dict[str, Any]:
    lines = [e for e in logs if e.get("event") == "request" and e.get("path") == path]
    assert len(lines) == 1, logs
    return lines[0]
