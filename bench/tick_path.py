"""Where one tick's time goes, stage by stage: the budget bench/README.md writes down.

In-process stages on a real PostgreSQL (the store composed as the server composes it), each
timed over the same 1,000+ ticks: decide and fold, encode the state, the whole store call
(decide, write, COMMIT), the hub's read of the changes (another node's; this node's is
kept), rendering the pushed parts. Then the whole POST through a live server with one
console watching: what is left once the stages are taken away is HTTP, auth and publishing.

    python -m bench.tick_path [TICKS]
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid

import asyncpg

from bench.common import drop_database, fresh_database, percentiles, write_result
from bench.harness import make_users, profile, staff_client, start_consoles, start_server
from incidents.checklist import TickItem, UntickItem
from incidents.clock import SystemClock
from incidents.domain import process
from incidents.kinds import IncidentType, Role
from incidents.lifecycle import OpenIncident
from incidents.state import Actor, IncidentState, encode_state
from playbooks.loader import default_dirs, load_library
from server.i18n import Catalogue
from server.incident.render import Renderer
from server.services import incident_store

STAFF = Actor("staff_bench", Role.ONSITE_STAFF)
STAFF_OPENER = Actor("duty_bench", Role.DUTY_OFFICER)
STAGES = ("decide_fold", "encode", "store", "read", "render")
ITEM = "report_to_head"  # the medical playbook's first item, free to tick at once


def toggle(state: IncidentState) -> TickItem | UntickItem:
    item = state.item(ITEM)
    done = item is not None and item.status.resolved
    return UntickItem(ITEM, "误点，撤销") if done else TickItem(ITEM, "已完成 ✓")


async def stages(url: str, ticks: int) -> dict[str, dict[str, float]]:
    pool = await asyncpg.create_pool(url, min_size=2, max_size=4)
    library = load_library(default_dirs({}))
    store = incident_store(pool, SystemClock(), library)
    renderer = Renderer(Catalogue.load(), "Asia/Shanghai")
    opened = await store.execute(None, open_medical(), STAFF_OPENER, uuid.uuid4().hex)
    state = opened.state
    times: dict[str, list[float]] = {
        k: [] for k in ("decide_fold", "encode", "store", "read", "render")
    }
    for _ in range(ticks):
        cmd, now = toggle(state), SystemClock().now()
        start = time.perf_counter()
        process(state, cmd, STAFF, incident_id=state.id, now=now, plan=state.plan)
        times["decide_fold"].append(time.perf_counter() - start)
        start = time.perf_counter()
        encode_state(state)
        times["encode"].append(time.perf_counter() - start)
        start = time.perf_counter()
        outcome = await store.execute(state.id, cmd, STAFF, uuid.uuid4().hex)
        times["store"].append(time.perf_counter() - start)
        state, after = outcome.state, outcome.events[0].seq - 1
        start = time.perf_counter()
        _, events = await store.changes(state.id, after_seq=after)
        times["read"].append(time.perf_counter() - start)
        start = time.perf_counter()
        renderer.incident_update(state, events, "zh-CN", Role.COMMANDER, now)
        times["render"].append(time.perf_counter() - start)
    await pool.close()
    return {k: percentiles(v) for k, v in times.items()}


def open_medical() -> OpenIncident:
    return OpenIncident(IncidentType.MEDICAL, "一楼大厅", 1, "来访人晕倒", "", "窗口 3")


async def open_one(url: str) -> str:
    pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
    store = incident_store(pool, SystemClock(), load_library(default_dirs({})))
    opened = await store.execute(None, open_medical(), STAFF_OPENER, uuid.uuid4().hex)
    await pool.close()
    return str(opened.incident_id)


async def whole_post(url: str, ticks: int) -> dict[str, float]:
    """The tick's POST through a live server, one console watching the board."""
    cookies = await make_users(url, 1)
    server = await start_server(url)
    try:
        consoles = await start_consoles(server.ws, 1, cookies, server.url)
        client = await staff_client(server)
        incident = await open_one(url)
        spy = profile(server.proc.pid, 15)  # BENCH_PROFILE=FILE: the server's stacks
        samples: list[float] = []
        for n in range(ticks):
            action = "untick" if n % 2 else "tick"
            data = {"reason": "误点"} if n % 2 else {"note": "已完成"}
            headers = {"Idempotency-Key": uuid.uuid4().hex, "Accept": "application/json"}
            path = f"/incidents/{incident}/items/{ITEM}/{action}"
            start = time.perf_counter()
            answer = await client.post(path, json=data, headers=headers)
            samples.append(time.perf_counter() - start)
            assert answer.status_code in (200, 201, 204), answer.text
            await asyncio.sleep(0.005)  # a person's pace, not a flood
        await client.aclose()
        await consoles.finish()
        if spy is not None:
            spy.wait()
        return percentiles(samples)
    finally:
        server.stop()


async def main() -> None:
    ticks = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    url = await fresh_database("bench_tick")
    try:
        inside = await stages(url, ticks)
        post = await whole_post(url, ticks)
    finally:
        await drop_database(url)
    accounted = sum(inside[k]["p50_ms"] for k in ("store", "read", "render"))
    write_result(
        "tick_path",
        {
            "ticks": ticks,
            "stages": inside,
            "post": post,
            "post_p50_left_for_http_auth_publish_ms": round(post["p50_ms"] - accounted, 3),
            "note": "store includes decide_fold and encode; read is what another node pays",
        },
    )


if __name__ == "__main__":
    asyncio.run(main())
