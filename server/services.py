"""Everything long-lived, made once when the app starts: one typed object, one accessor.

The lifespan (server/app.py) opens the database, calls `build_services`, and keeps the
result on `app.state.services`; a request or a socket reaches it by `services(conn)`, so
mypy checks every use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import asyncpg
from starlette.requests import HTTPConnection
from starlette.templating import Jinja2Templates

import web
from incidents.clock import Clock
from incidents.duty import ZeroReportRules
from incidents.followup import OFFICE_ZONE
from incidents.group_commit import GROUP_COMMIT, Batching
from incidents.kinds import IncidentType
from incidents.plan import Plan, no_plan
from incidents.store import EventStore
from playbooks.drill_loader import load_drills
from playbooks.instantiate import to_plan
from playbooks.loader import Library
from server.auth.api_tokens import ApiTokenStore
from server.auth.ratelimit import LoginLimiter
from server.auth.sessions import SessionStore
from server.auth.users import UserStore
from server.drills.runner import DrillRunner
from server.drills.store import running_drills
from server.duty.setup import rules_from
from server.duty.store import DutyStore
from server.duty.view import commander_names, user_names
from server.evidence.staging import EvidenceProjector, Staging
from server.evidence.thumbs import Thumbnails
from server.i18n import Catalogue
from server.incident.render import Renderer, UserNames
from server.live.broker import Broker, InProcessBroker, RedisBroker
from server.live.hub import Hub
from server.notify import service as notify_service
from server.notify.outbox import OutboxProjector
from server.settings import Settings

NAMES_EVERY = 30.0  # seconds between reloads of users' display names (pages reload sooner)
TEMPLATES = Path(web.__file__).parent / "templates"


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    pool: asyncpg.Pool
    clock: Clock
    library: Library
    store: EventStore
    users: UserStore
    sessions: SessionStore
    login_limiter: LoginLimiter
    api_tokens: ApiTokenStore
    duty: DutyStore
    zero_rules: ZeroReportRules
    renderer: Renderer
    templates: Jinja2Templates
    broker: Broker
    hub: Hub
    notifier: notify_service.Notifier
    staging: Staging  # uploads waiting for the command that keeps them
    thumbnails: Thumbnails
    drills: DrillRunner


def services(conn: HTTPConnection) -> Services:
    """The app's services, for a request or a socket."""
    found = getattr(conn.app.state, "services", None)
    if not isinstance(found, Services):
        raise RuntimeError("the app's services are made in its lifespan, which has not run")
    return found


def plans_from(library: Library) -> Callable[[IncidentType], Plan]:
    plans = {kind: to_plan(playbook) for kind, playbook in library.playbooks.items()}
    return lambda kind: plans.get(kind) or no_plan()


def incident_store(
    pool: asyncpg.Pool,
    clock: Clock,
    library: Library,
    zone: str = OFFICE_ZONE,
    *,
    batching: Batching = GROUP_COMMIT,
    staging: Staging | None = None,
) -> EventStore:
    """The store as every entry point composes it: the playbooks' plans, the outbox, the
    office's time zone (WATCHFLOOR_TZ) for deadlines counted on its calendar; group commit."""
    return EventStore(
        pool,
        clock,
        plans=plans_from(library),
        projectors=[OutboxProjector(library.units), EvidenceProjector(staging or Staging())],
        zone=zone,
        batching=batching,
    )


async def build_services(
    settings: Settings, pool: asyncpg.Pool, clock: Clock, library: Library
) -> Services:
    """Every service, wired to the others; display names loaded once before the first page."""
    users = UserStore(pool, clock)
    catalogue = Catalogue.load().with_names(
        "unit", {u.id: (u.name.zh, u.name.en) for u in library.units.values()}
    )
    names = UserNames(
        lambda: user_names(users),
        max_age=NAMES_EVERY,
        load_commanders=lambda: commander_names(users),
    )
    renderer = Renderer(catalogue, settings.timezone, names)
    await names.refresh()
    staging = Staging()
    store = incident_store(pool, clock, library, settings.timezone, staging=staging)
    broker: Broker = RedisBroker(settings.redis_url) if settings.redis_url else InProcessBroker()
    notifier = notify_service.for_app(settings, pool, store, library, renderer, broker, clock)
    scripts = load_drills(library)
    drills = DrillRunner(
        store,
        scripts,
        clock,
        broker.publish,
        catalogue,
        settings.timezone,
        running=partial(running_drills, pool),
    )
    return Services(
        settings=settings,
        pool=pool,
        clock=clock,
        library=library,
        store=store,
        users=users,
        sessions=SessionStore(pool, clock),
        login_limiter=LoginLimiter(pool, clock),
        api_tokens=ApiTokenStore(pool, clock),
        duty=DutyStore(pool),
        zero_rules=rules_from(settings, library.units),
        renderer=renderer,
        templates=Jinja2Templates(directory=TEMPLATES),
        broker=broker,
        hub=Hub(store, renderer, clock),
        notifier=notifier,
        staging=staging,
        thumbnails=Thumbnails(),
        drills=drills,
    )
