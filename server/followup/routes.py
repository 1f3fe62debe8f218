"""After the incident: the follow-up board (GET /followup) and the follow-up commands.

The board lists the open follow-up items of every incident, earliest deadline first,
the overdue in red; each is closed with its evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from incidents.authz import Action, is_allowed
from incidents.errors import NotAuthorized
from incidents.followup import CompleteFollowup, ExtendReply, RecordInstruction, is_overdue
from incidents.state import FollowupItem, IncidentState
from incidents.store import EventStore
from server.auth.protect import require_csrf, require_session
from server.incident.commands import incident_id, read_fields, run
from server.incident.input import integer, text
from server.pages import quiet_page
from server.services import services


@dataclass(frozen=True, slots=True)
class BoardLine:
    state: IncidentState
    item: FollowupItem
    overdue: bool


def board_lines(states: list[IncidentState], now: datetime) -> list[BoardLine]:
    """Open follow-up items of all incidents, the earliest deadline first (none last)."""
    lines = [BoardLine(s, f, is_overdue(f, now)) for s in states for f in s.followups if not f.done]
    return sorted(lines, key=lambda ln: (ln.item.due_at is None, ln.item.due_at or now))


async def board(request: Request) -> Response:
    session = require_session(request)
    role = session.user.role
    if not (is_allowed(role, Action.WORK_FOLLOWUP) or is_allowed(role, Action.EXPORT)):
        raise NotAuthorized(
            "followup.board_forbidden", "the follow-up board is for duty officers and commanders"
        )
    store: EventStore = services(request).store
    now = services(request).clock.now()
    states = [s for s in await store.incidents(include_closed=True) if s.followups and not s.drill]
    return quiet_page(
        request,
        "followup.html",
        lines=board_lines(states, now),
        can_work=is_allowed(role, Action.WORK_FOLLOWUP),
    )


async def complete(request: Request) -> Response:
    require_session(request)
    await require_csrf(request)
    fields = await read_fields(request)
    command = CompleteFollowup(request.path_params["item"], text(fields, "evidence"))
    return await run(request, incident_id(request), command, fields)


async def extend_reply(request: Request) -> Response:
    require_session(request)
    await require_csrf(request)
    fields = await read_fields(request)
    command = ExtendReply(integer(fields, "days"), text(fields, "reason"))
    return await run(request, incident_id(request), command, fields)


async def instruction(request: Request) -> Response:
    require_session(request)
    await require_csrf(request)
    fields = await read_fields(request)
    zone = services(request).settings.timezone
    return await run(
        request, incident_id(request), RecordInstruction(text(fields, "text"), zone), fields
    )


def followup_routes() -> list[Route]:
    """Registered before the generic /incidents/{id}/{command} route."""
    return [
        Route("/followup", board),
        Route("/incidents/{incident_id}/followup/{item}/complete", complete, methods=["POST"]),
        Route("/incidents/{incident_id}/extend-reply", extend_reply, methods=["POST"]),
        Route("/incidents/{incident_id}/instruction", instruction, methods=["POST"]),
    ]
