"""Leases on the outbox are kept by the database's clock, the one every node shares.

A node whose clock runs five minutes ahead finds every row due (deadlines are in the
incident's time) but must not take a row another node leased a moment ago; once the
lease has run out by the database's clock, it may.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import asyncpg
import httpx

from incidents.clock import ManualClock
from incidents.kinds import IncidentType
from incidents.store import EventStore
from playbooks.loader import Library
from server.notify.channels import build_channels
from server.notify.dispatcher import Dispatcher
from server.notify.settings import NotifySettings
from tests.notify.test_escalation import composer, no_publish
from tests.support import DUTY, open_cmd


async def test_a_node_with_a_clock_ahead_takes_no_row_another_node_holds(
    notify_store: EventStore, pool: asyncpg.Pool, clock: ManualClock, library: Library
) -> None:
    """Node A leases the rows; node B, five minutes ahead, gets none until the lease ends."""
    ahead = ManualClock(clock.now() + timedelta(minutes=5))
    async with httpx.AsyncClient() as client:
        channels = build_channels(NotifySettings(mode="log"), client, library.units, {}, clock)

        def node(at: ManualClock, lease: timedelta) -> Dispatcher:
            return Dispatcher(
                pool, notify_store, channels, composer(library), at, no_publish, lease=lease
            )

        await notify_store.execute(None, open_cmd(IncidentType.SELF_HARM), DUTY, uuid.uuid4().hex)
        held = await node(clock, timedelta(seconds=0.5)).claim()
        assert len(held) == 4
        assert await node(ahead, timedelta(minutes=1)).claim() == []
        await asyncio.sleep(0.6)  # the lease runs out by the database's clock
        taken = await node(ahead, timedelta(minutes=1)).claim()
        assert sorted(d.id for d in taken) == sorted(d.id for d in held)
