"""PostgreSQL stopped or frozen: every route answers 503 "try again" at once, and the
console comes back by itself when the database does (no restart)."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from websockets.exceptions import ConnectionClosed

from server.notify.tokens import AckClaim, issue
from tests.faults.cluster import Cluster
from tests.faults.conftest import SECRET_KEY, Served, figures, ms, serve

ZH = "数据库暂时无法访问，请稍后再试"
EN = "The database cannot be reached just now: please try again shortly"
OPEN = {"type": "medical", "location": "一楼大厅", "headcount": 1, "summary": "来访人晕倒"}


def ack_path() -> str:
    claim = AckClaim(uuid.uuid4(), "tell_police", 1, datetime.now(UTC) + timedelta(hours=1))
    return "/ack/" + issue(SECRET_KEY.encode(), claim)


async def timed(call: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = await call
    return time.perf_counter() - started, result


async def handshake(served: Served, client: httpx.AsyncClient) -> int | str:
    """The close code the console's socket gets, or "open" when it stays open and talks."""
    ws = await served.socket(client, "board")
    try:
        await asyncio.wait_for(ws.recv(), 5)
        return "open"
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else -1
    finally:
        await ws.close()


async def every_route(
    served: Served, duty: httpx.AsyncClient, en: httpx.AsyncClient
) -> dict[str, Any]:
    """Each kind of request once: (seconds, response or close code)."""
    key = {"Idempotency-Key": uuid.uuid4().hex}
    anon = httpx.AsyncClient(base_url=served.url, headers={"Origin": served.url})
    served.opened.append(anon)
    calls = {
        "page": duty.get("/", headers={"Accept": "text/html"}),
        "page_en": en.get("/", headers={"Accept": "text/html"}),
        "htmx_post": duty.post("/incidents", data=OPEN, headers={**key, "HX-Request": "1"}),
        "json_post": duty.post(
            "/incidents", json=OPEN, headers={"Idempotency-Key": uuid.uuid4().hex}
        ),
        "ack_page": anon.get(ack_path(), headers={"Accept": "text/html"}),
        "login": anon.post("/login", data={"username": "duty1", "password": "x"}),
        "websocket": handshake(served, duty),
    }
    return {name: await timed(call) for name, call in calls.items()}


def assert_unavailable(results: dict[str, Any]) -> None:
    """What each client is told: 503, Retry-After, the sentence in its form and language."""
    for name, (_, reply) in results.items():
        if name == "websocket":
            assert reply == 1013, reply  # accepted, then "try again later": the console retries
            continue
        assert reply.status_code == 503, (name, reply.status_code, reply.text[:300])
        assert int(reply.headers["retry-after"]) > 0
    page, page_en = results["page"][1], results["page_en"][1]
    assert page.text == ZH  # the session cannot be read: the default language
    assert page_en.text in (ZH, EN)
    htmx = results["htmx_post"][1]
    assert htmx.headers["hx-retarget"] == "#flash"
    assert 'data-reason="database.unavailable"' in htmx.text and ZH in htmx.text
    assert results["json_post"][1].json()["error"] == "unavailable"
    assert ZH in results["ack_page"][1].text and ZH in results["login"][1].text


def assert_working(results: dict[str, Any]) -> None:
    statuses = {n: r if n == "websocket" else r.status_code for n, (_, r) in results.items()}
    assert statuses == {
        "page": 200,
        "page_en": 200,
        "htmx_post": 204,
        "json_post": 201,
        "ack_page": 404,  # the test's token names no message: refused, by the database
        "login": 401,  # the test's wrong password: refused, by the database
        "websocket": "open",
    }, statuses


def logged_unavailable(served: Served) -> list[dict[str, Any]]:
    lines = served.lines()
    text = served.log.read_text()
    assert "Traceback" not in text, text[-3000:]
    return [line for line in lines if line.get("event") == "database_unavailable"]


async def until_ok(served: Served, client: httpx.AsyncClient, within: float) -> float:
    """Seconds until a signed-in page is served again."""
    started = time.perf_counter()
    while (await client.get("/", headers={"Accept": "text/html"})).status_code != 200:
        assert time.perf_counter() - started < within, "the console did not come back"
        await asyncio.sleep(0.02)
    return time.perf_counter() - started


async def test_postgres_stopped_every_route_answers_503_then_recovers(
    cluster: Cluster, fault_db: str, tmp_path: Path
) -> None:
    """PostgreSQL stops: pages, htmx and JSON posts, /ack, login and the console's socket are
    told "try again" with 503 and Retry-After at once; it starts again: they all work."""
    async with serve(fault_db, tmp_path / "data") as served:
        duty, en = await served.client("duty1"), await served.client("officer_en")
        assert_working(await every_route(served, duty, en))
        cluster.stop()
        down = await every_route(served, duty, en)
        ready = await duty.get("/readyz")
        started = time.perf_counter()
        cluster.start()
        back = await until_ok(served, duty, within=15) + (time.perf_counter() - started)
        again = await every_route(served, duty, en)
        figures(
            fault="pg_stopped",
            **{f"to_503_ms_{name}": ms(seconds) for name, (seconds, _) in down.items()},
            readyz=ready.status_code,
            recover_after_start_ms=ms(back),
        )
        assert_unavailable(down)
        assert ready.status_code == 503 and "database" in ready.text
        assert all(seconds < 1.0 for seconds, _ in down.values()), down  # a hang is the failure
        assert_working(again)
        warnings = logged_unavailable(served)
        assert warnings and all(w.get("request_id") and w.get("error") for w in warnings)
        assert (await duty.get("/readyz")).text == "ready"


async def test_postgres_frozen_answers_503_within_two_seconds(
    cluster: Cluster, fault_db: str, tmp_path: Path
) -> None:
    """PostgreSQL hangs (SIGSTOP): a page is told "try again" within 2 s, /readyz names the
    database; thawed, everything works again."""
    async with serve(fault_db, tmp_path / "data") as served:
        duty, en = await served.client("duty1"), await served.client("officer_en")
        with cluster.frozen():
            page = await timed(duty.get("/", headers={"Accept": "text/html"}))
            post = await timed(
                duty.post("/incidents", json=OPEN, headers={"Idempotency-Key": uuid.uuid4().hex})
            )
            ready = await timed(duty.get("/readyz"))
        back = await until_ok(served, duty, within=15)
        again = await every_route(served, duty, en)
        figures(
            fault="pg_frozen",
            page_to_503_ms=ms(page[0]),
            json_post_to_503_ms=ms(post[0]),
            readyz_ms=ms(ready[0]),
            recover_after_thaw_ms=ms(back),
        )
        assert page[1].status_code == 503 and page[1].headers["retry-after"]
        assert post[1].status_code == 503 and post[1].json()["error"] == "unavailable"
        assert ready[1].status_code == 503 and "database" in ready[1].text
        assert max(page[0], post[0], ready[0]) < 3.0  # a hang is the failure
        assert_working(again)
        assert logged_unavailable(served)
