"""The read side over HTTP: the board, the incident page, the phone view, JSON reads."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from incidents.authz import Action, is_allowed
from incidents.canonical import format_time
from incidents.errors import InvalidCommand, Named, NotFound
from incidents.kinds import Role
from incidents.links import grouped
from incidents.state import IncidentState
from incidents.store import EventStore
from server.api import bodies
from server.auth.protect import require_session
from server.auth.sessions import Session
from server.duty.view import duty_panel
from server.incident.render import Renderer, board_row
from server.incident.view import sheet
from server.live.hub import TIMELINE_LIMIT
from server.reports.view import report_form
from server.services import services


async def _page(
    request: Request, session: Session, name: str, ws_view: str, **ctx: Any
) -> Response:
    renderer: Renderer = services(request).renderer
    await renderer.names.refresh(knowing=session.user.id)  # who did what, by name
    html = renderer.page(
        name,
        session.user.language,
        user=session.user,
        csrf=session.csrf_token,
        role=session.user.role,
        ws_url=f"/ws?view={ws_view}",
        now=services(request).clock.now(),
        **ctx,
    )
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


def after_incident(session: Session) -> dict[str, Any]:
    """What the export and follow-up panel of the incident page may offer this role."""
    role = session.user.role
    return {
        "can_export": is_allowed(role, Action.EXPORT),
        "can_export_full": is_allowed(role, Action.EXPORT_FULL),
        "can_followup": is_allowed(role, Action.WORK_FOLLOWUP),
        "can_extend": is_allowed(role, Action.EXTEND_REPLY),
        "export_key": uuid4().hex,
    }


def _incident_id(request: Request) -> UUID:
    try:
        return UUID(request.path_params["incident_id"])
    except ValueError:
        raise NotFound("incident.not_found", "no such incident") from None


async def board(request: Request) -> Response:
    session = require_session(request)
    store: EventStore = services(request).store
    now = services(request).clock.now()
    rows = [board_row(s, now) for s in grouped(await store.incidents())]
    return await _page(
        request,
        session,
        "board.html",
        "board",
        rows=rows,
        can_open=is_allowed(session.user.role, Action.OPEN),
        duty=await duty_panel(services(request)),
    )


async def incident(request: Request) -> Response:
    session = require_session(request)
    store: EventStore = services(request).store
    state, events = await store.changes(_incident_id(request), limit=TIMELINE_LIMIT)
    return await _page(
        request,
        session,
        "incident.html",
        f"incident:{state.id}",
        s=state,
        v=sheet(state, session.user.role),
        events=events,
        can_note=is_allowed(session.user.role, Action.ADD_NOTE),
        can_open=is_allowed(session.user.role, Action.OPEN),
        link_key=uuid4().hex,
        **after_incident(session),
        **report_form(
            state,
            session.user.role,
            services(request).settings.report_chain,
            services(request).library.units,
        ),
    )


async def phone(request: Request) -> Response:
    session = require_session(request)
    store: EventStore = services(request).store
    return await _page(request, session, "phone.html", "phones", incidents=await store.incidents())


async def phone_incident(request: Request) -> Response:
    session = require_session(request)
    store: EventStore = services(request).store
    state = await store.state(_incident_id(request))
    return await _page(
        request,
        session,
        "phone_incident.html",
        f"phone:{state.id}",
        s=state,
        v=sheet(state, Role.ONSITE_STAFF),
    )


MAX_SEQ = 2**31 - 1  # events.seq is an integer column


def incident_json(s: IncidentState) -> dict[str, Any]:
    """The incident as GET /api/incidents/{id} gives it (its schema: bodies.Incident)."""
    done, total = s.progress()
    reply = bodies.Incident(
        id=s.id,
        type=s.type,
        level=s.level,
        status=s.status,
        location=s.location,
        headcount=s.headcount,
        last_seq=s.last_seq,
        opened_at=format_time(s.opened_at),
        commander=s.commander,
        checklist=bodies.Progress(done, total),
        items=[bodies.Item(i.id, i.status, i.by) for i in s.checklist],
        notifications=[bodies.Notification(n.id, n.unit, n.status) for n in s.notifications],
    )
    found: dict[str, Any] = bodies.plain(reply)
    return found


async def api_incidents(request: Request) -> Response:
    require_session(request)
    store: EventStore = services(request).store
    rows = await store.incidents(include_closed=request.query_params.get("all") == "1")
    return JSONResponse([incident_json(s) for s in rows])


async def api_incident(request: Request) -> Response:
    require_session(request)
    store: EventStore = services(request).store
    return JSONResponse(incident_json(await store.state(_incident_id(request))))


async def api_events(request: Request) -> Response:
    require_session(request)
    store: EventStore = services(request).store
    try:
        after = int(request.query_params.get("after", "0") or 0)
        if after > MAX_SEQ:  # beyond what the events table counts to
            raise ValueError(after)
    except ValueError:
        raise InvalidCommand(
            "input.integer",
            "after must be a whole number",
            field="after",
            name=Named("field", "after"),
        ) from None
    events = await store.events(_incident_id(request), after_seq=max(after, 0))
    return JSONResponse([{**e.envelope(), "hash": e.hash} for e in events])


def page_routes() -> list[Route]:
    """The pages; the JSON reads above are routed by the API's table (server/api_table.py)."""
    return [
        Route("/", board),
        Route("/incidents/{incident_id}", incident),
        Route("/m", phone),
        Route("/m/incidents/{incident_id}", phone_incident),
    ]
