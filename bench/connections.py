"""Connections: resident memory per idle console (1000 and 5000, with and without
permessage-deflate), and a reconnect storm: 1000 consoles of a restarted node all back and
resynced, with a change made while the node was down. Prints JSON; never fails on a timing.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import asyncpg

from bench.common import drop_database, fresh_database, progress, write_result
from bench.harness import free_port, make_users, rss_kib, start_consoles, start_server
from incidents.clock import SystemClock
from incidents.kinds import IncidentType, Role
from incidents.lifecycle import AddNote, OpenIncident
from incidents.state import Actor
from incidents.store import EventStore


async def idle_memory(db: str, cookies: list[str], n: int, deflate: bool) -> dict[str, Any]:
    server = await start_server(db, WATCHFLOOR_WS_DEFLATE="1" if deflate else "0")
    try:
        before = rss_kib(server.proc.pid)
        consoles = await start_consoles(
            server.ws + "?view=board", n, cookies, server.url, deflate=deflate
        )
        await asyncio.sleep(1.0)
        after = rss_kib(server.proc.pid)
        await consoles.finish()
        return {
            "consoles": n,
            "deflate": deflate,
            "rss_kib_before": before,
            "rss_kib_after": after,
            "kib_per_console": round((after - before) / n, 2),
        }
    finally:
        server.stop()


async def reconnect_storm(db: str, cookies: list[str], n: int) -> dict[str, Any]:
    pool = await asyncpg.create_pool(db, min_size=1, max_size=2)
    store = EventStore(pool, SystemClock())
    duty = Actor("duty1", Role.DUTY_OFFICER)
    opened = await store.execute(
        None, OpenIncident(IncidentType.OTHER, "大厅", 1, "storm"), duty, uuid.uuid4().hex
    )
    port = free_port()
    server = await start_server(db, port)
    consoles = await start_consoles(server.ws + "?view=board", n, cookies, server.url)
    server.stop()
    missed = await store.execute(opened.incident_id, AddNote("while down"), duty, uuid.uuid4().hex)
    restarted_at = time.monotonic_ns()
    server = await start_server(db, port)
    await asyncio.sleep(8.0)
    data = await consoles.finish()
    server.stop()
    await pool.close()
    after = [
        [t for seq, t in snaps[1:] if seq >= missed.state.last_seq] for snaps in data["snapshots"]
    ]
    back = [min(ts) for ts in after if ts]
    return {
        "consoles": n,
        "resynced": len(back),
        "all_resynced_nothing_missed": len(back) == n,
        "seconds_to_last_resync": round((max(back) - restarted_at) / 1e9, 3) if back else None,
    }


async def main() -> None:
    db = await fresh_database("wf_bench_conn")
    try:
        cookies = await make_users(db, 5000)
        results = []
        for n, deflate in ((1000, False), (5000, False), (1000, True)):
            progress(f"{n} idle consoles, deflate={deflate}")
            results.append(await idle_memory(db, cookies, n, deflate))
        progress("reconnect storm of 1000")
        storm = await reconnect_storm(db, cookies, 1000)
        write_result(
            "connections",
            {
                "idle": results,
                "reconnect_storm": storm,
                "targets": {"kib_per_console": 16, "storm_seconds": 5},
            },
        )
    finally:
        await drop_database(db)


if __name__ == "__main__":
    asyncio.run(main())
