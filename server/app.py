"""The Starlette application: everything long-lived is made in the lifespan (server/services.py)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from http import HTTPStatus
from pathlib import Path

import structlog
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from websockets.asyncio.server import Server

import web
from incidents.clock import Clock, SystemClock
from incidents.errors import DomainError
from playbooks.loader import load_library
from server import demo
from server.api_table import api_routes
from server.auth.errors import AuthRefused
from server.auth.protect import AuthMiddleware, auth_refused_handler
from server.auth.proxies import forwarding
from server.auth.routes import auth_routes
from server.database import open_database, ping, unavailable
from server.drills.routes import DRILL_EVERY, drill_routes
from server.duty.pages import duty_routes
from server.duty.setup import ZERO_CHECK_EVERY
from server.duty.worker import flag_missing_zero_reports
from server.errors import RETRY_AFTER, DatabaseGuard, domain_error_handler, is_api
from server.evidence.routes import evidence_routes
from server.export.routes import export_routes
from server.followup.routes import followup_routes
from server.incident.commands import command_routes
from server.incident.routes import page_routes
from server.live.broker import RedisBroker
from server.live.lean import LeanConsoles
from server.live.socket import live_routes
from server.logs import RequestLogMiddleware
from server.loop_lag import sample_lag
from server.notify.routes import notify_routes
from server.pwa import pwa_routes
from server.reports.worker import flag_overdue_reports
from server.resources.routes import resource_routes
from server.security_headers import SecurityHeaders
from server.services import NAMES_EVERY, Services, build_services, services
from server.settings import Settings
from server.welfare.routes import welfare_routes
from server.welfare.worker import flag_missed_checks

log = structlog.get_logger(__name__)
WEB = Path(web.__file__).parent
SESSION_CHECK_EVERY = 2.0  # seconds: a logout closes that user's sockets within this
REPORT_CHECK_EVERY = 5.0  # seconds between looks for report deadlines that passed unfiled
WELFARE_CHECK_EVERY = 5.0  # seconds between looks for welfare checks past due and grace


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


async def http_error(request: Request, exc: Exception) -> Response:
    """No route, or not this method: JSON on /api/ (what the document promises), else text."""
    assert isinstance(exc, HTTPException)
    if not is_api(request):
        return PlainTextResponse(exc.detail, exc.status_code, headers=exc.headers)
    code = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_")
    return JSONResponse({"error": code, "message": exc.detail}, exc.status_code, exc.headers)


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
    s = services(request)
    broker = s.broker.ping() if isinstance(s.broker, RedisBroker) else asyncio.sleep(0)
    db, redis = await asyncio.gather(_answers(ping(s.pool)), _answers(broker))
    down = {name: error for name, error in (("database", db), ("broker", redis)) if error}
    if down:
        log.warning("not_ready", **down)
        text = "\n".join(f"{name} unavailable" for name in down)
        return PlainTextResponse(text, status_code=503, headers={"Retry-After": RETRY_AFTER})
    return PlainTextResponse("ready")


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


def background(s: Services) -> list[asyncio.Task[None]]:
    """The hub's notice loop, its healing reads, the session check of open sockets, and the
    periodic checks of every feature."""
    heal_every = s.settings.heal_every or 0.0
    since: datetime | None = None  # by the database's clock, which every node shares

    async def heal() -> None:  # overlapping windows: a commit near the edge is not missed
        nonlocal since
        window = since - timedelta(seconds=heal_every) if since else None
        since, heads = await s.store.heads(window)
        await s.hub.heal(heads)

    async def ended() -> int:  # an open console counts as use of its session
        return await s.hub.close_ended_sessions(
            lambda ids: s.sessions.active_session_ids(ids, touch=True)
        )

    async def overdue() -> int:
        return await flag_overdue_reports(s.store, s.broker, s.clock)

    async def checks() -> int:
        return await flag_missed_checks(s.store, s.broker, s.clock)

    async def zero() -> int:
        return await flag_missing_zero_reports(s.duty, s.zero_rules, s.clock)

    periodic: list[tuple[float, Callable[[], Awaitable[object]], str]] = [
        *([(heal_every, heal, "heal")] if heal_every else []),
        (SESSION_CHECK_EVERY, ended, "sessions"),
        (REPORT_CHECK_EVERY, overdue, "reports"),
        (WELFARE_CHECK_EVERY, checks, "welfare"),
        (NAMES_EVERY, lambda: s.renderer.names.refresh(force=True), "names"),
        (ZERO_CHECK_EVERY, zero, "zero"),
        (DRILL_EVERY, s.drills.tick, "drills"),
    ]
    lag = s.settings.loop_lag_file
    return [
        asyncio.create_task(s.hub.run(s.broker)),
        *(asyncio.create_task(every(seconds, work, name)) for seconds, work, name in periodic),
        *([asyncio.create_task(sample_lag(lag))] if lag else []),
    ]


def middleware(settings: Settings) -> list[Middleware]:
    """Around every request and handshake, outermost first (the lean console port's too)."""
    return [
        *forwarding(settings.trusted_proxies),  # first: all below see the real client
        Middleware(RequestLogMiddleware),
        Middleware(SecurityHeaders),
        Middleware(DatabaseGuard),  # outside AuthMiddleware: the session lookup too
        Middleware(AuthMiddleware, allowed_origins=settings.allowed_origins),
    ]


async def console_port(app: Starlette, s: Services) -> Server | None:
    """The lean console sockets' port, when one is set (server/live/lean.py)."""
    port = s.settings.console_port
    if port is None:
        return None
    consoles = LeanConsoles(app, middleware(s.settings), s.hub)
    return await consoles.serve(s.settings, s.settings.console_host, port)


def freeze() -> None:
    """What startup made (modules, templates, playbooks, caches) lives as long as the
    process: kept out of every later collection, a full one then stops the loop for the
    consoles' objects alone (bench/README.md, "Fan-out": 227 → 137 ms at 2,000 consoles).
    Collected first, so no garbage is frozen with it."""
    gc.collect()
    gc.freeze()
    log.info("startup_frozen", objects=gc.get_freeze_count())


def create_app(
    settings: Settings,
    clock: Clock | None = None,
    *,
    seed_demo: bool = False,
    freeze_startup: bool = False,  # `watchfloor serve`: the app is the process's for life
) -> Starlette:
    clock = clock or SystemClock()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_database(settings, timeouts=settings.db_timeouts) as db:
            s = await build_services(settings, db.pool, clock, load_library(settings.playbook_dirs))
            app.state.services = s
            if seed_demo:
                await demo.seed_all(s.store, db.pool, s.zero_rules)
            tasks = background(s)
            tasks += s.notifier.start() if settings.notify.workers else []
            consoles = await console_port(app, s)
            if freeze_startup:
                freeze()
            log.info("ready", broker=type(s.broker).__name__)
            try:
                yield
            finally:
                if consoles is not None:  # its consoles are told 1001 and reconnect elsewhere
                    consoles.close()
                    await consoles.wait_closed()
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                with contextlib.suppress(Exception):
                    await s.broker.close()
                await s.notifier.close()

    routes: list[BaseRoute] = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/favicon.ico", favicon),
        Mount("/static", StaticFiles(directory=WEB / "static"), name="static"),
        *auth_routes(),
        *api_routes(),  # first: /api/incidents/{id}/... before the pages' and forms' patterns
        *page_routes(),
        *pwa_routes(),
        *resource_routes(),
        *duty_routes(),
        *evidence_routes(),
        *export_routes(),  # before command_routes: theirs match /incidents/{id}/{command}
        *followup_routes(),
        *welfare_routes(),
        *drill_routes(),
        *command_routes(),
        *live_routes(),
        *notify_routes(),
    ]
    return Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=middleware(settings),
        exception_handlers={
            AuthRefused: auth_refused_handler,
            DomainError: domain_error_handler,
            HTTPException: http_error,
        },
    )
