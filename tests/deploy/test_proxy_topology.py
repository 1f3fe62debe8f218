"""The shipped deployment, as processes: nginx (server/deploy/nginx.conf.template, the file
docker-compose.yml mounts) on one port, two nodes, PostgreSQL and Redis. Everything goes
through the proxy's port, as the people at the desks and the units' systems reach it."""

from __future__ import annotations

import asyncio
import re
import uuid

import httpx

from server.cli import server_config
from server.live.lean import PING_EVERY, PONG_WITHIN
from server.settings import Settings
from tests.browser.conftest import eventually, open_incident
from tests.deploy.conftest import Topology
from tests.deploy.front import BROWSER, Follower
from tests.deploy.proxy import TEMPLATE
from tests.faults.conftest import figures


async def head(topology: Topology, incident: str) -> int:
    seq: int = await topology.nodes[0].pool.fetchval(
        "SELECT max(seq) FROM events WHERE incident_id = $1", uuid.UUID(incident)
    )
    return seq


async def note(client: httpx.AsyncClient, incident: str, text: str) -> str:
    """Add a note through the proxy, retrying the same key until it is answered; the request
    id of the answered attempt."""
    key = uuid.uuid4().hex
    while True:
        request_id = f"note-{uuid.uuid4().hex[:8]}"
        headers = {"Idempotency-Key": key, "X-Request-Id": request_id}
        try:
            reply = await client.post(
                f"/incidents/{incident}/notes", json={"text": text}, headers=headers
            )
        except httpx.TransportError:
            continue
        if reply.status_code in (502, 503, 504):  # the node went away mid-request: again
            await asyncio.sleep(0.05)
            continue
        assert reply.status_code in (200, 201), reply.text
        return request_id


async def followers(topology: Topology, incident: str, count: int) -> list[Follower]:
    made = []
    for n in range(count):
        client = await topology.front.signed_in(("duty1", "commander1")[n % 2])
        name = f"console{n}-{uuid.uuid4().hex[:6]}"
        made.append(Follower(topology.front, client, incident, name))
    return made


async def all_caught_up(topology: Topology, incident: str, team: list[Follower]) -> None:
    async def caught_up() -> bool:
        last = await head(topology, incident)
        return all(f.known == last for f in team)

    await eventually(caught_up, 30)


async def test_consoles_on_both_nodes_see_each_write_and_resync_across_a_node_restart(
    topology: Topology,
) -> None:
    """Four consoles through the proxy land on both nodes; a note written on one node is shown
    on the other's; node 2 restarts while notes keep coming, its consoles reconnect through the
    proxy, and every console ends at the head with no gap and no duplicate in its seqs."""
    duty = await topology.front.signed_in("duty1")
    incident = await open_incident(duty, location="一楼大厅 🚑 Hall A")
    team = await followers(topology, incident, 4)
    running = [asyncio.create_task(f.run()) for f in team]
    try:
        await asyncio.wait_for(asyncio.gather(*(f.ready.wait() for f in team)), 30)
        await eventually(lambda: all(topology.node_of(f.handshakes[0]) is not None for f in team))
        served = [topology.node_of(f.handshakes[0]) for f in team]
        assert set(served) == {0, 1}, served

        first = "第一条：来访人已苏醒 😀 awake"
        written_on = topology.node_of(await note(duty, incident, first))
        assert written_on is not None
        await all_caught_up(topology, incident, team)
        others = [f for f, n in zip(team, served, strict=True) if n != written_on]
        assert others and all(any(first in t for t in f.texts) for f in others)

        texts = [first]
        stop = asyncio.Event()

        async def keep_writing() -> None:
            while not stop.is_set():
                texts.append(f"续报 {len(texts)} 血压 120/80 ✅ mixed 文字")
                await note(duty, incident, texts[-1])

        writer = asyncio.create_task(keep_writing())
        await eventually(lambda: len(texts) > 5)
        await topology.restart(1)
        written = len(texts)
        await eventually(lambda: len(texts) > written + 5)
        stop.set()
        await writer
        await all_caught_up(topology, incident, team)
    finally:
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)

    moved = [f for f, n in zip(team, served, strict=True) if n == 1]
    figures(
        topology="nginx+2 nodes",
        consoles_per_node=[served.count(0), served.count(1)],
        notes=len(texts),
        reconnects=sum(len(f.handshakes) - 1 for f in team),
        gaps=sum(len(f.gaps) for f in team),
        duplicates=sum(len(f.duplicates) for f in team),
    )
    assert all(len(f.handshakes) >= 2 for f in moved), [f.handshakes for f in moved]
    assert [(f.gaps, f.duplicates) for f in team] == [([], [])] * len(team)
    for f in team:  # each note reached each console: in a pushed update or its new snapshot
        assert [t for t in texts if not any(t in m for m in f.texts)] == []
    counted = await topology.nodes[0].pool.fetch(
        "SELECT payload->>'text' AS text, count(*) AS n FROM events "
        "WHERE kind = 'note_added' GROUP BY 1"
    )
    assert {r["text"]: r["n"] for r in counted} == dict.fromkeys(texts, 1)


async def test_a_link_signed_by_one_node_is_acknowledged_through_the_other(
    topology: Topology,
) -> None:
    """Node 1's worker sends a unit its acknowledgement link; the unit's system posts it
    through the proxy, node 2 answers, and the acknowledgement is on the incident."""
    duty = await topology.front.signed_in("duty1")
    incident = await open_incident(duty, location="二楼 Room 2 🚪")
    await eventually(lambda: bool(topology.messages(0)), 30)
    sent = topology.messages(0)[0]
    assert sent["ack_url"].startswith(topology.proxy.url + "/ack/")
    token = sent["ack_url"].rsplit("/", 1)[1]
    unit = topology.front.browser("127.0.0.7")
    while True:  # round robin: after a page answered by node 1, node 2 answers the next
        request_id = f"ack-page-{uuid.uuid4().hex[:8]}"
        page = await unit.get(f"/ack/{token}", headers={"X-Request-Id": request_id})
        assert page.status_code == 200, page.text
        await eventually(lambda rid=request_id: topology.node_of(rid) is not None)
        if topology.node_of(request_id) == 0:
            break
    request_id = f"ack-{uuid.uuid4().hex[:8]}"
    body = {"token": token, "by": "值班员 王小明 😀", "note": "马上到 on the way"}
    reply = await unit.post("/api/ack", json=body, headers={"X-Request-Id": request_id})
    assert reply.status_code == 201, reply.text
    assert reply.json()["acknowledged"] is True
    await eventually(lambda: topology.node_of(request_id) is not None)
    assert topology.node_of(request_id) == 1
    ack = await topology.nodes[1].pool.fetchrow(
        "SELECT payload FROM events WHERE incident_id = $1 AND kind = 'notification_acknowledged'",
        uuid.UUID(incident),
    )
    assert ack is not None and "值班员 王小明 😀" in ack["payload"]


async def failed_login(client: httpx.AsyncClient, login: str, forged: str) -> int:
    reply = await client.post(
        "/login",
        data={"username": login, "password": "wrong-密码"},
        headers={"X-Forwarded-For": forged},
    )
    return reply.status_code


async def test_the_login_limiter_counts_the_browsers_address_not_a_forged_one(
    topology: Topology,
) -> None:
    """A guesser forging a new X-Forwarded-For on every try is still one address to the
    limiter (the one the proxy saw) and is stopped after 20 failures; a colleague at another
    address signs in; the attempts and the nodes' logs name the real addresses."""
    guesser = topology.front.browser("127.0.0.3")
    for n in range(20):
        status = await failed_login(guesser, f"guess{n}", f"198.51.100.{n}")
        assert status != 429, n
    assert await failed_login(guesser, "guess-last", "198.51.100.250") == 429
    colleague = topology.front.browser("127.0.0.4")
    assert await failed_login(colleague, "guess-other", "198.51.100.251") != 429
    await topology.front.signed_in("duty1", source="127.0.0.4")
    rows = await topology.nodes[0].pool.fetch("SELECT DISTINCT address FROM login_attempts")
    assert {str(r["address"]) for r in rows} == {"127.0.0.3", "127.0.0.4"}
    logged = {
        line["client"]
        for n in (0, 1)
        for line in topology.lines(n, "request")
        if line.get("path") == "/login"
    }
    assert logged == {"127.0.0.3", "127.0.0.4"}


async def test_sockets_and_pages_see_the_browser_address_through_the_proxy(
    topology: Topology,
) -> None:
    """A console's socket is logged with the browser's address on whichever node took it."""
    duty = await topology.front.signed_in("duty1")
    ws = await topology.front.socket(duty, "board", "board-socket-1")
    await ws.recv()
    await eventually(lambda: topology.node_of("board-socket-1") is not None)
    n = topology.node_of("board-socket-1")
    assert n is not None
    lines = topology.lines(n, "websocket")
    assert [x["client"] for x in lines if x.get("request_id") == "board-socket-1"] == [BROWSER]
    # a node's startup is kept out of its later garbage collections (server/app.py `freeze`)
    assert topology.lines(n, "startup_frozen")[0]["objects"] > 10_000
    await ws.close()  # nginx logs a socket when it ends: it went to a lean console port
    upgraded = '"GET" 101 '
    await eventually(lambda: upgraded in topology.proxy.access_log.read_text())
    sockets = [x for x in topology.proxy.access_log.read_text().splitlines() if upgraded in x]
    assert sockets and all(
        any(f"upstream={port} " in x for port in topology.proxy.consoles) for x in sockets
    ), sockets


def seconds(directive: str) -> float:
    found = re.search(rf"^\s*{directive}\s+(\d+)s;", TEMPLATE.read_text(), re.MULTILINE)
    assert found, directive
    return float(found[1])


def test_the_proxy_waits_longer_than_the_console_heartbeat() -> None:
    """An idle console is never cut by nginx: its timeouts outlast a ping and its pong."""
    config = server_config(None, Settings.from_env({}), "127.0.0.1", 0)  # type: ignore[arg-type]
    assert (config.ws_ping_interval, config.ws_ping_timeout) == (PING_EVERY, PONG_WITHIN)
    heartbeat = PING_EVERY + PONG_WITHIN  # uvicorn's /ws and the lean console port alike
    assert seconds("proxy_read_timeout") > heartbeat
    assert seconds("proxy_send_timeout") > heartbeat
