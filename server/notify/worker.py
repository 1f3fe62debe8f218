"""`watchfloor notify-worker`: the dispatcher and timer worker as a process of their own.

Every server process runs them too (unless WATCHFLOOR_NOTIFY_WORKERS=off); a separate
worker adds capacity, or sends while the web nodes are being restarted.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import structlog

from incidents.clock import SystemClock
from playbooks.loader import load_library
from server.database import open_database
from server.live.broker import Broker, InProcessBroker, RedisBroker
from server.notify.secret import load_keys
from server.notify.service import Wiring, build_notifier
from server.services import incident_store
from server.settings import Settings

log = structlog.get_logger(__name__)


async def run_worker(settings: Settings, *, lease_seconds: float, batch: int) -> int:
    clock = SystemClock()
    library = load_library(settings.playbook_dirs)
    broker: Broker = RedisBroker(settings.redis_url) if settings.redis_url else InProcessBroker()
    async with open_database(settings) as db:
        store = incident_store(db.pool, clock, library, settings.timezone)
        wiring = Wiring(
            db.pool,
            store,
            library.units,
            clock,
            broker.publish,
            settings.timezone,
            load_keys(settings),
        )
        notifier = build_notifier(
            settings.notify, wiring, lease=timedelta(seconds=lease_seconds), batch=batch
        )
        log.info("notify_worker_ready", batch=batch, lease_seconds=lease_seconds)
        try:
            await asyncio.gather(*notifier.start())
        finally:
            await notifier.close()
            with contextlib.suppress(Exception):
                await broker.close()
    return 0
