"""Connections: resident memory per idle console on the lean console port (1000 and 5000,
with and without permessage-deflate; 1000 on uvicorn's /ws beside them), and a reconnect
storm: 1000 consoles of a restarted node all back and resynced, with a change made while
the node was down. Prints JSON; never fails on a timing.
"""

from __future__ import annotations

import asyncio
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg

from bench.common import drop_database, fresh_database, progress, write_result
from bench.harness import PY, free_port, make_users, rss_kib, start_consoles, start_server
from incidents.clock import SystemClock
from incidents.kinds import IncidentType, Role
from incidents.lifecycle import AddNote, OpenIncident
from incidents.state import Actor
from incidents.store import EventStore


async def idle_memory(
    db: str, cookies: list[str], n: int, deflate: bool, *, lean: bool = True
) -> dict[str, Any]:
    server = await start_server(db, lean=lean, WATCHFLOOR_WS_DEFLATE="1" if deflate else "0")
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
            "path": "lean" if lean else "uvicorn",
            "deflate": deflate,
            "rss_kib_before": before,
            "rss_kib_after": after,
            "kib_per_console": round((after - before) / n, 2),
        }
    finally:
        server.stop()


async def raw_memory(cookies: list[str], n: int) -> dict[str, Any]:
    """The floor: a bare `websockets` server holding the same idle clients."""
    port, out = free_port(), Path(tempfile.mkdtemp(prefix="wf-rawmem-")) / "sent.json"
    proc = subprocess.Popen(
        [PY, "-m", "bench.raw_broadcast", str(port), "900", "1", "10", str(out)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdout.readline()
    before = rss_kib(proc.pid)
    consoles = await start_consoles(f"ws://127.0.0.1:{port}/", n, ["x=1"], "http://x")
    await asyncio.sleep(1.0)
    after = rss_kib(proc.pid)
    await consoles.finish()
    proc.kill()
    proc.wait(10)
    return {"consoles": n, "kib_per_console": round((after - before) / n, 2)}


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
    server = await start_server(db, port, console_port=server.console_port)
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
        progress("1000 idle consoles on uvicorn's /ws (no proxy in front)")
        results.append(await idle_memory(db, cookies, 1000, False, lean=False))
        progress("raw websockets server, 1000 idle clients")
        raw = await raw_memory(cookies, 1000)
        progress("reconnect storm of 1000")
        storm = await reconnect_storm(db, cookies, 1000)
        write_result(
            "connections",
            {
                "idle": results,
                "raw_baseline_idle": raw,
                "reconnect_storm": storm,
                "targets": {"kib_per_console": 16, "storm_seconds": 5},
            },
        )
    finally:
        await drop_database(db)


if __name__ == "__main__":
    asyncio.run(main())
