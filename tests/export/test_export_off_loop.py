"""An export renders beside the event loop: every socket on the node keeps moving meanwhile."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import statistics
import time
import uuid

from incidents.lifecycle import AddNote
from incidents.store import EventStore
from server.export import run
from server.export.run import RENDERS_AT_ONCE
from tests.live.conftest import Live
from tests.support import DUTY, open_cmd

EVENTS = 250
TICK = 0.005  # the lag probe's period (s)


async def busy_incident(live: Live) -> uuid.UUID:
    store: EventStore = live.app.state.services.store
    iid = (await store.execute(None, open_cmd(), DUTY, uuid.uuid4().hex)).incident_id
    for n in range(EVENTS):
        await store.execute(
            iid, AddNote(f"第{n}次巡查：来访人情绪平稳 🙂 calm"), DUTY, uuid.uuid4().hex
        )
    return iid


async def lag_while(work: asyncio.Future[object]) -> list[float]:
    """How late the loop wakes a sleeper (ms), sampled until `work` is done."""
    lags: list[float] = []
    while not work.done():
        asked = time.perf_counter()
        await asyncio.sleep(TICK)
        lags.append((time.perf_counter() - asked - TICK) * 1000)
    return lags


async def test_a_pdf_export_does_not_stall_the_loop(live: Live) -> None:
    """The server runs in this process, on this loop: its lag is the lag the sockets see."""
    iid = await busy_incident(live)
    duty = await live.client("duty1")
    export = asyncio.ensure_future(
        duty.post(
            f"/incidents/{iid}/export",
            data={"format": "pdf", "idempotency_key": uuid.uuid4().hex},
            timeout=120,
        )
    )
    lags = sorted(await lag_while(export))
    reply = export.result()
    assert reply.status_code == 200 and reply.content.startswith(b"%PDF")
    p99 = lags[min(len(lags) - 1, int(len(lags) * 0.99))]
    print(
        json.dumps(
            {
                "export_loop_lag_ms": {
                    "p50": statistics.median(lags),
                    "p99": p99,
                    "max": lags[-1],
                    "samples": len(lags),
                }
            }
        )
    )
    assert len(lags) >= 20, "the export was too quick to measure anything"
    assert p99 < 50, lags[-10:]


async def test_exports_at_once_are_bounded_and_all_answered(live: Live) -> None:
    iid = await busy_incident(live)
    duty = await live.client("duty1")
    replies = await asyncio.gather(
        *[
            duty.post(
                f"/incidents/{iid}/export",
                data={"format": fmt, "idempotency_key": uuid.uuid4().hex},
                timeout=120,
            )
            for fmt in ("pdf", "csv", "md", "json", "pdf")
        ]
    )
    assert [r.status_code for r in replies] == [200] * 5
    workers = run._renderers._processes or {}  # the pool's processes, made as they are needed
    assert 1 <= len(workers) <= RENDERS_AT_ONCE


async def test_a_renderer_that_dies_is_replaced(live: Live) -> None:
    """A worker killed (out of memory, an operator's kill -9) costs no later export."""
    iid = await busy_incident(live)
    duty = await live.client("duty1")

    async def export() -> int:
        data = {"format": "md", "idempotency_key": uuid.uuid4().hex}
        return (await duty.post(f"/incidents/{iid}/export", data=data, timeout=120)).status_code

    assert await export() == 200
    for pid in list(run._renderers._processes or {}):
        os.kill(pid, signal.SIGKILL)
    await asyncio.sleep(0.5)
    assert await export() == 200
