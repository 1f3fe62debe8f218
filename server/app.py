"""The Starlette application: everything long-lived is made in the lifespan, kept on app.state."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import asyncpg
import structlog
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

import web
from incidents.clock import Clock, SystemClock
from incidents.errors import DomainError
from incidents.followup import OFFICE_ZONE
from incidents.kinds import IncidentType
from incidents.plan import Plan, no_plan
from incidents.store import EventStore
from playbooks.instantiate import to_plan
from playbooks.loader import Library, load_library
from server import demo
from server.auth.protect import AuthMiddleware, AuthRefused, auth_refused_handler
from server.auth.proxies import forwarding
from server.auth.ratelimit import LoginLimiter
from server.auth.routes import auth_routes
from server.auth.sessions import SessionStore
from server.auth.users import UserStore
from server.database import open_database, unavailable
from server.duty import setup as duty_setup
from server.duty.pages import duty_routes
from server.duty.view import commander_names, user_names
from server.errors import RETRY_AFTER, DatabaseGuard, domain_error_handler
from server.export.routes import export_routes
from server.followup.routes import followup_routes
from server.i18n import Catalogue
from server.incident.commands import command_routes
from server.incident.render import Renderer, UserNames
from server.incident.routes import page_routes
from server.live.broker import Broker, InProcessBroker, RedisBroker
from server.live.hub import Hub
from server.live.socket import live_routes
from server.logs import RequestLogMiddleware
from server.notify import service as notify_service
from server.notify.outbox import OutboxProjector
from server.notify.routes import notify_routes
from server.reports.worker import flag_overdue_reports
from server.resources.routes import resource_routes
from server.security_headers import SecurityHeaders
from server.settings import Settings

log = structlog.get_logger(__name__)
WEB = Path(web.__file__).parent
SESSION_CHECK_EVERY = 2.0  # seconds: a logout closes that user's sockets within this
REPORT_CHECK_EVERY = 5.0  # seconds between looks for report deadlines that passed unfiled
NAMES_EVERY = 30.0  # seconds between reloads of users' display names (pages reload sooner)


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


async def favicon(request: Request) -> Response:
    """The icon, for what browsers ask of pages without a link to it (plain-text refusals)."""
    headers = {"Cache-Control": "public, max-age=86400"}
    return FileResponse(WEB / "static" / "favicon.svg", media_type="image/svg+xml", headers=headers)


READY_WITHIN = 1.0  # seconds each dependency has to answer /readyz (both asked at once)


async def _answers(check: Awaitable[object]) -> str | None:
    """None when `check` answers in time, else what went wrong (an exception's type)."""
    try:
        async with asyncio.timeout(READY_WITHIN):
            await check
    except Exception as exc:  # any failure to reach it means not ready
        return type(exc).__name__
    return None


async def readyz(request: Request) -> Response:
    """Ready, or 503 naming each dependency that does not answer (database, broker)."""
    state = request.app.state
    broker = state.broker.ping() if isinstance(state.broker, RedisBroker) else asyncio.sleep(0)
    db, redis = await asyncio.gather(_answers(state.pool.fetchval("SELECT 1")), _answers(broker))
    down = {name: error for name, error in (("database", db), ("broker", redis)) if error}
    if down:
        log.warning("not_ready", **down)
        text = "\n".join(f"{name} unavailable" for name in down)
        return PlainTextResponse(text, status_code=503, headers={"Retry-After": RETRY_AFTER})
    return PlainTextResponse("ready")


def plans_from(library: Library) -> Callable[[IncidentType], Plan]:
    plans = {kind: to_plan(playbook) for kind, playbook in library.playbooks.items()}
    return lambda kind: plans.get(kind) or no_plan()


async def every(seconds: float, work: Callable[[], Awaitable[object]], name: str) -> None:
    """Run `work` periodically; a failure is logged and the loop goes on."""
    while True:
        await asyncio.sleep(seconds)
        try:
            await work()
        except Exception as exc:
            if (down := unavailable(exc)) is None:
                log.exception("periodic_failed", task=name)
            else:  # expected while PostgreSQL is away; the next round tries again
                log.warning("periodic_database_unavailable", task=name, error=down.cause)


async def overdue(app: Starlette, broker: Broker) -> int:
    return await flag_overdue_reports(app.state.store, broker, app.state.clock)


def background(app: Starlette, hub: Hub, broker: Broker, clock: Clock) -> list[asyncio.Task[None]]:
    """The hub's notice loop, its healing reads, and the session check of open sockets."""
    since, heal_every = clock.now(), app.state.settings.heal_every

    async def heal() -> None:  # overlapping windows: a commit near the edge is not missed
        nonlocal since
        now = clock.now()
        await hub.heal(await app.state.store.heads(since - timedelta(seconds=heal_every)))
        since = now

    sessions: SessionStore = app.state.sessions

    async def ended() -> int:  # an open console counts as use of its session
        return await hub.close_ended_sessions(
            lambda ids: sessions.active_session_ids(ids, touch=True)
        )

    return [
        asyncio.create_task(hub.run(broker)),
        *([asyncio.create_task(every(heal_every, heal, "heal"))] if heal_every else []),
        asyncio.create_task(every(SESSION_CHECK_EVERY, ended, "sessions")),
        asyncio.create_task(every(REPORT_CHECK_EVERY, lambda: overdue(app, broker), "reports")),
        asyncio.create_task(
            every(NAMES_EVERY, lambda: app.state.renderer.names.refresh(force=True), "names")
        ),
        asyncio.create_task(
            every(duty_setup.ZERO_CHECK_EVERY, lambda: duty_setup.zero_check(app.state), "zero")
        ),
    ]


def incident_store(
    pool: asyncpg.Pool, clock: Clock, library: Library, zone: str = OFFICE_ZONE
) -> EventStore:
    """The store as every entry point composes it: the playbooks' plans, the outbox, the
    office's time zone (WATCHFLOOR_TZ) for deadlines counted on its calendar."""
    return EventStore(
        pool,
        clock,
        plans=plans_from(library),
        projectors=[OutboxProjector(library.units)],
        zone=zone,
    )


def create_app(
    settings: Settings, clock: Clock | None = None, *, seed_demo: bool = False
) -> Starlette:
    clock = clock or SystemClock()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        library = load_library(settings.playbook_dirs)
        async with open_database(settings, timeouts=settings.db_timeouts) as db:
            s = app.state
            s.settings, s.pool, s.clock, s.library = settings, db.pool, clock, library
            s.store = incident_store(db.pool, clock, library, settings.timezone)
            s.users, s.sessions = UserStore(db.pool, clock), SessionStore(db.pool, clock)
            s.login_limiter = LoginLimiter(db.pool, clock)
            duty_setup.install(s, settings, db.pool)
            s.catalogue = Catalogue.load().with_names(
                "unit", {u.id: (u.name.zh, u.name.en) for u in library.units.values()}
            )
            names = UserNames(
                lambda: user_names(s),
                max_age=NAMES_EVERY,
                load_commanders=lambda: commander_names(s),
            )
            s.renderer = Renderer(s.catalogue, settings.timezone, names)
            await names.refresh()
            s.templates = Jinja2Templates(directory=WEB / "templates")
            s.allowed_origins = settings.allowed_origins
            broker: Broker = (
                RedisBroker(settings.redis_url) if settings.redis_url else InProcessBroker()
            )
            s.broker, s.hub = broker, Hub(s.store, s.renderer, clock)
            s.notifier = notify_service.for_app(settings, s, clock)
            if seed_demo:
                await demo.seed_all(s.store, db.pool, s.zero_rules)
            tasks = background(app, s.hub, broker, clock)
            tasks += s.notifier.start() if settings.notify.workers else []
            log.info("ready", broker=type(broker).__name__)
            try:
                yield
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                with contextlib.suppress(Exception):
                    await broker.close()
                await s.notifier.close()

    routes: list[BaseRoute] = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/favicon.ico", favicon),
        Mount("/static", StaticFiles(directory=WEB / "static"), name="static"),
        *auth_routes(),
        *page_routes(),
        *resource_routes(),
        *duty_routes(),
        *export_routes(),  # before command_routes: theirs match /incidents/{id}/{command}
        *followup_routes(),
        *command_routes(),
        *live_routes(),
        *notify_routes(),
    ]
    return Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            *forwarding(settings.trusted_proxies),  # first: all below see the real client
            Middleware(RequestLogMiddleware),
            Middleware(SecurityHeaders),
            Middleware(DatabaseGuard),  # outside AuthMiddleware: the session lookup too
            Middleware(AuthMiddleware, allowed_origins=settings.allowed_origins),
        ],
        exception_handlers={AuthRefused: auth_refused_handler, DomainError: domain_error_handler},
    )
