"""Putting notification fan-out together, for the app's lifespan and the worker CLI."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

import asyncpg
import httpx

from incidents.clock import Clock
from incidents.store import EventStore
from playbooks.loader import Library
from playbooks.schema import Unit
from server.i18n import Catalogue
from server.incident.render import Renderer
from server.live.broker import Broker
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


def for_app(
    settings: Settings,
    pool: asyncpg.Pool,
    store: EventStore,
    library: Library,
    renderer: Renderer,
    broker: Broker,
    clock: Clock,
) -> Notifier:
    """The notifier of one app process; the renderer learns to name units for templates."""
    units = library.units
    renderer.env.globals["unit_name"] = unit_namer(units)
    keys = load_keys(settings)
    wiring = Wiring(pool, store, units, clock, broker.publish, settings.timezone, keys)
    return build_notifier(settings.notify, wiring)
