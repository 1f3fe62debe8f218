"""The Starlette application: everything long-lived is made in the lifespan, kept on app.state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import structlog
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

import web
from incidents.clock import Clock, SystemClock
from incidents.store import EventStore
from server import demo
from server.database import open_database
from server.logs import RequestLogMiddleware
from server.settings import Settings

log = structlog.get_logger(__name__)
TEMPLATES = Path(web.__file__).parent / "templates"


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


async def readyz(request: Request) -> Response:
    try:
        await request.app.state.pool.fetchval("SELECT 1")
    except Exception as exc:  # any failure to reach the database means not ready
        log.warning("not_ready", error=type(exc).__name__)
        return PlainTextResponse("database unreachable", status_code=503)
    return PlainTextResponse("ready")


async def board(request: Request) -> Response:
    store: EventStore = request.app.state.store
    incidents = await store.incidents()
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, "board.html", {"incidents": incidents})


async def api_incidents(request: Request) -> Response:
    store: EventStore = request.app.state.store
    rows = await store.incidents(include_closed=request.query_params.get("all") == "1")
    return JSONResponse(
        [
            {
                "id": str(s.id),
                "type": s.type,
                "level": s.level,
                "status": s.status,
                "location": s.location,
                "headcount": s.headcount,
                "last_seq": s.last_seq,
                "opened_at": s.opened_at.isoformat(),
            }
            for s in rows
        ]
    )


def create_app(
    settings: Settings, clock: Clock | None = None, *, seed_demo: bool = False
) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_database(settings) as db:
            app.state.settings = settings
            app.state.pool = db.pool
            app.state.clock = clock or SystemClock()
            app.state.store = EventStore(db.pool, app.state.clock)
            app.state.templates = Jinja2Templates(directory=TEMPLATES)
            if seed_demo:
                await demo.seed(app.state.store)
            log.info("ready")
            yield

    routes = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/", board),
        Route("/api/incidents", api_incidents),
    ]
    return Starlette(
        routes=routes, lifespan=lifespan, middleware=[Middleware(RequestLogMiddleware)]
    )
