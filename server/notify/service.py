"""Putting notification fan-out together, for the app's lifespan and the worker CLI."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import asyncpg
import httpx

from incidents.clock import Clock
from incidents.store import EventStore
from playbooks.schema import Unit
from server.i18n import Catalogue
from server.notify.channels import Channels, build_channels
from server.notify.dispatcher import Dispatcher, Publish
from server.notify.message import Composer
from server.notify.retry import RetryPolicy
from server.notify.secret import SigningKeys, load_keys
from server.notify.settings import NotifySettings
from server.notify.timers import TimerWorker
from server.settings import Settings


@dataclass
class Notifier:
    keys: SigningKeys
    units: Mapping[str, Unit]
    composer: Composer
    dispatcher: Dispatcher
    timers: TimerWorker
    client: httpx.AsyncClient
    poll_seconds: float

    def start(self) -> list[asyncio.Task[None]]:
        return [
            asyncio.create_task(self.dispatcher.run(self.poll_seconds)),
            asyncio.create_task(self.timers.run(self.poll_seconds)),
        ]

    async def close(self) -> None:
        await self.client.aclose()


@dataclass(frozen=True, slots=True)
class Wiring:
    pool: asyncpg.Pool
    store: EventStore
    units: Mapping[str, Unit]
    clock: Clock
    publish: Publish
    zone: str
    keys: SigningKeys


def build_notifier(
    settings: NotifySettings,
    w: Wiring,
    *,
    channels: Channels | None = None,
    lease: timedelta = timedelta(seconds=60),
    batch: int = 20,
) -> Notifier:
    client = httpx.AsyncClient(follow_redirects=False)
    composer = Composer(Catalogue.load(), w.zone, w.units, settings.public_url, w.keys.current)
    channels = channels or build_channels(settings, client, w.units, os.environ, w.clock)
    policy = RetryPolicy(max_attempts=settings.max_attempts)
    dispatcher = Dispatcher(
        w.pool,
        w.store,
        channels,
        composer,
        w.clock,
        w.publish,
        policy=policy,
        batch=batch,
        lease=lease,
    )
    timers = TimerWorker(w.pool, w.store, w.clock, w.publish, lease=lease)
    return Notifier(w.keys, w.units, composer, dispatcher, timers, client, settings.poll_seconds)


def unit_namer(units: Mapping[str, Unit]) -> Callable[[str, str], str]:
    """unit_name(unit id, language) for templates: the unit's name, or its id."""

    def unit_name(unit_id: str, language: str) -> str:
        unit = units.get(unit_id)
        return unit.name.get("en" if language.startswith("en") else "zh") if unit else unit_id

    return unit_name


def for_app(settings: Settings, state: Any, clock: Clock) -> Notifier:
    """The notifier of one app process (its store, pool, broker and library on app.state)."""
    units = state.library.units
    state.renderer.env.globals["unit_name"] = unit_namer(units)
    wiring = Wiring(
        state.pool,
        state.store,
        units,
        clock,
        state.broker.publish,
        settings.timezone,
        load_keys(settings),
    )
    return build_notifier(settings.notify, wiring)
