"""A node heals by the database's clock: what a node with a lagging clock wrote is found.

Two nodes share the database; the writer's clock is an hour behind. The reader asks for
the incidents written since its last look, by the time the database gave it then: the
writer's incident is there, and an incident untouched since is not.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import asyncpg

from incidents.clock import ManualClock
from incidents.kinds import IncidentType
from incidents.lifecycle import AddNote
from incidents.store import EventStore
from tests.support import DUTY, STAFF, open_cmd


def key() -> str:
    return uuid.uuid4().hex


async def test_an_incident_written_by_a_node_an_hour_behind_is_found(
    pool: asyncpg.Pool, clock: ManualClock
) -> None:
    """heads() answers by the database's time, never by the writer's own clock."""
    reader = EventStore(pool, clock)
    writer = EventStore(pool, ManualClock(clock.now() - timedelta(hours=1)))
    quiet = await writer.execute(None, open_cmd(IncidentType.MEDICAL), DUTY, key())
    first_look, _ = await reader.heads(None)
    assert (await reader.heads(None))[1] == []  # before any look, nothing is behind
    busy = await writer.execute(None, open_cmd(IncidentType.SELF_HARM), DUTY, key())
    await writer.execute(busy.incident_id, AddNote("现场平稳 👍"), STAFF, key())
    second_look, heads = await reader.heads(first_look)
    assert dict(heads) == {busy.incident_id: busy.state.last_seq + 1}
    assert quiet.incident_id not in dict(heads) and second_look > first_look
