"""The drills pages (commanders and admins): GET /drills lists scripts and runs; start, pause,
resume, stop; GET /drills/{id}/review draws the review, .md and .pdf export it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import structlog
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from incidents.drills import check_speed
from incidents.errors import NotFound
from incidents.kinds import Role
from incidents.state import IncidentState
from server.auth.protect import require_csrf, require_role
from server.drills.runner import DrillRunner
from server.drills.view import review_context, review_markdown, review_pdf
from server.incident.commands import idempotency_key, incident_id, read_fields
from server.incident.input import integer, text
from server.pages import quiet_page
from server.services import services

log = structlog.get_logger(__name__)
RUN_DRILLS = (Role.COMMANDER, Role.ADMIN)
DRILL_EVERY = 0.2  # seconds between the runner's looks at the drills' clocks
SPEEDS = (1, 2, 5, 10, 30, 60, 120)


def _page(request: Request, name: str, **ctx: Any) -> Response:
    require_role(request, *RUN_DRILLS)
    return quiet_page(request, name, **ctx)


async def drills_page(request: Request) -> Response:
    require_role(request, *RUN_DRILLS)
    runner: DrillRunner = services(request).drills
    runs = await runner.runs()
    linked = await _linked(runner, [r.main for r in runs])
    return _page(
        request,
        "drills.html",
        scripts=list(runner.scripts.values()),
        runs=runs,
        linked=linked,
        speeds=SPEEDS,
    )


async def _linked(runner: DrillRunner, mains: list[IncidentState]) -> dict[UUID, list[Any]]:
    """Each run's incidents (its first, then the linked), for their follow-up items."""
    out: dict[UUID, list[IncidentState]] = {}
    for main in mains:
        out[main.id] = [main, *[await runner.state(link.id) for link in main.linked]]
    return out


async def start(request: Request) -> Response:
    session = require_role(request, *RUN_DRILLS)
    await require_csrf(request)
    fields = await read_fields(request)
    script = services(request).drills.script(text(fields, "script"))
    speed = check_speed(integer(fields, "speed"))
    auto = fields.get("auto") in ("on", "true", "1")
    opened = await services(request).drills.start(script.id, speed, auto=auto, by=session.user.id)
    log.info("drill_start_requested", incident_id=str(opened.id), speed=speed)
    return RedirectResponse("/drills", 303)


def move(what: str) -> Callable[[Request], Awaitable[Response]]:
    """POST /drills/{id}/pause, /resume or /stop: the run's first incident, by a person."""

    async def endpoint(request: Request) -> Response:
        session = require_role(request, *RUN_DRILLS)
        await require_csrf(request)
        key = idempotency_key(request, await read_fields(request))
        runner: DrillRunner = services(request).drills
        main = await _main(runner, incident_id(request))
        if what == "pause":
            await runner.pause(main.id, session.user.actor, key)
        elif what == "resume":
            await runner.resume(main.id, session.user.actor, key)
        else:
            await runner.stop(main, session.user.actor)
        return RedirectResponse("/drills", 303)

    return endpoint


async def _main(runner: DrillRunner, incident: UUID) -> IncidentState:
    state = await runner.state(incident)
    if state.drill is None or not state.drill.main:
        raise NotFound("drill.not_a_drill", "this incident is not a drill")
    return state


async def review_page(request: Request) -> Response:
    session = require_role(request, *RUN_DRILLS)
    runner: DrillRunner = services(request).drills
    ctx = await review_context(runner, incident_id(request), session.user.language)
    return _page(request, "drill_review.html", **ctx)


def review_export(fmt: str) -> Callable[[Request], Awaitable[Response]]:
    """GET /drills/{id}/review.md or .pdf (?lang=en: in English)."""

    async def endpoint(request: Request) -> Response:
        require_role(request, *RUN_DRILLS)
        runner: DrillRunner = services(request).drills
        language = "en" if request.query_params.get("lang") == "en" else "zh-CN"
        main = incident_id(request)
        if fmt == "md":
            body = (await review_markdown(runner, main, language)).encode("utf-8")
            kind = "text/markdown; charset=utf-8"
        else:
            body = await review_pdf(runner, main, language)
            kind = "application/pdf"
        name = f"drill-review-{main}.{fmt}"
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        return Response(body, media_type=kind, headers=headers)

    return endpoint


def drill_routes() -> list[Route]:
    return [
        Route("/drills", drills_page),
        Route("/drills/start", start, methods=["POST"]),
        Route("/drills/{incident_id}/review", review_page),
        *(Route(f"/drills/{{incident_id}}/review.{f}", review_export(f)) for f in ("md", "pdf")),
        *(
            Route(f"/drills/{{incident_id}}/{m}", move(m), methods=["POST"])
            for m in ("pause", "resume", "stop")
        ),
    ]
