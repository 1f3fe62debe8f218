"""The console killed with -9 in the middle of writes from three clients: every write that
was acknowledged is in the event log exactly once, and retrying after the restart with
the same idempotency keys records nothing twice."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from server.verify import verify_all
from tests.faults.conftest import Served, figures, restart, serve

CLIENTS = 3
KILL_AFTER = 30  # acknowledged writes before the kill: the stream is well under way


@dataclass
class Writer:
    client: httpx.AsyncClient
    incident: str
    acknowledged: list[str] = field(default_factory=list)  # each note's text (its key)
    unsure: list[str] = field(default_factory=list)  # sent, no answer: the kill cut it

    async def write(self, key: str) -> bool:
        """Whether the console says it had recorded this note already (a replay)."""
        reply = await self.client.post(
            f"/incidents/{self.incident}/notes",
            json={"text": key},
            headers={"Idempotency-Key": key},
        )
        assert reply.status_code in (200, 201), reply.text
        if key not in self.acknowledged:
            self.acknowledged.append(key)
        return bool(reply.json()["replayed"])

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            key = uuid.uuid4().hex
            try:
                await self.write(key)
            except httpx.TransportError:
                self.unsure.append(key)
                return


async def writers(served: Served) -> list[Writer]:
    made = []
    for _ in range(CLIENTS):
        client = await served.client("duty1")
        body = {"type": "medical", "location": "一楼大厅", "headcount": 1, "summary": "来访人晕倒"}
        reply = await client.post(
            "/incidents", json=body, headers={"Idempotency-Key": uuid.uuid4().hex}
        )
        assert reply.status_code == 201, reply.text
        made.append(Writer(client, str(reply.json()["incident_id"])))
    return made


async def test_kill_9_during_writes_loses_no_acknowledged_write_and_doubles_none(
    fault_db: str, tmp_path: Path
) -> None:
    """kill -9 mid-stream, restart, retry what got no answer: each acknowledged note once."""
    data = tmp_path / "data"
    async with serve(fault_db, data) as served:
        team = await writers(served)
        stop = asyncio.Event()
        running = [asyncio.create_task(w.run(stop)) for w in team]
        while sum(len(w.acknowledged) for w in team) < KILL_AFTER:
            assert not all(t.done() for t in running)
            await asyncio.sleep(0.01)
        served.kill()
        await asyncio.wait_for(asyncio.gather(*running), 30)
        acknowledged_before = sum(len(w.acknowledged) for w in team)
        await restart(served, fault_db, data)
        replayed = 0
        for w in team:  # the same keys again: a replay where the kill came after COMMIT
            for key in w.unsure:
                await w.write(key)
            for key in w.acknowledged[-3:]:  # a browser retrying what it did not see answered
                replayed += await w.write(key)
            await w.write(uuid.uuid4().hex)  # and the console takes new writes
        counts = await served.pool.fetch(
            "SELECT payload->>'text' AS key, count(*) AS n FROM events "
            "WHERE kind = 'note_added' GROUP BY 1"
        )
        found = {r["key"]: r["n"] for r in counts}
        async with served.pool.acquire() as conn:
            verdict = await verify_all(conn)
        acknowledged = [k for w in team for k in w.acknowledged]
        duplicates = sum(n - 1 for n in found.values())
        figures(
            fault="server_kill_9",
            clients=CLIENTS,
            acknowledged_before_kill=acknowledged_before,
            unanswered_retried=sum(len(w.unsure) for w in team),
            acknowledged_retried=3 * CLIENTS,
            replayed=replayed,
            acknowledged=len(acknowledged),
            found=sum(1 for k in acknowledged if found.get(k) == 1),
            duplicates=duplicates,
        )
        assert all(found.get(k) == 1 for k in acknowledged), found
        assert duplicates == 0 and set(found) == set(acknowledged)
        assert replayed == 3 * CLIENTS  # told "already recorded", not recorded again
        assert verdict.broken is None
