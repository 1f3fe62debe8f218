"""The roster page (GET/POST /roster), the zero-report form (GET/POST /zero-report) and the
board's duty panel (GET /duty/panel, which the board refreshes itself)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from incidents.duty import DutyRole, ZeroStatus, make_report
from incidents.errors import InvalidCommand, Named
from incidents.kinds import Role
from server.auth.protect import require_csrf, require_role, require_session
from server.duty.store import DutyStore
from server.duty.view import duty_panel, roster_shifts, user_names
from server.errors import wants_json
from server.incident.commands import read_fields
from server.incident.input import Fields, choice, integer, text
from server.pages import quiet_page
from server.services import services

log = structlog.get_logger(__name__)
MANAGE_ROSTER = (Role.COMMANDER, Role.ADMIN)
FILE_ZERO_REPORT = (Role.DUTY_OFFICER, Role.COMMANDER)


def _html(body: str) -> Response:
    return HTMLResponse(body, headers={"Cache-Control": "no-store"})


def moment(fields: Fields, name: str, zone: ZoneInfo) -> datetime:
    """A form's datetime-local (office time) or an ISO time with its offset."""
    try:
        when = datetime.fromisoformat(text(fields, name).strip())
    except ValueError:
        raise InvalidCommand(
            "input.moment", f"{name} must be a date and time", field=name, name=Named("field", name)
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=zone)


def done(request: Request, back: str, body: dict[str, Any]) -> Response:
    if wants_json(request):
        return JSONResponse(body, 201)
    return RedirectResponse(back, 303)


async def roster_page(request: Request) -> Response:
    session = require_session(request)
    s = services(request)
    return quiet_page(
        request,
        "roster.html",
        shifts=await roster_shifts(s.duty, s.clock.now()),
        names=await user_names(s.users),
        can_manage=session.user.role in MANAGE_ROSTER,
        DutyRole=DutyRole,
    )


async def add_shift(request: Request) -> Response:
    session = require_role(request, *MANAGE_ROSTER)
    await require_csrf(request)
    f, s = await read_fields(request), services(request)
    zone = ZoneInfo(s.settings.timezone)
    span = (moment(f, "starts_at", zone), moment(f, "ends_at", zone))
    duty: DutyStore = s.duty
    role = choice(DutyRole, f, "role")
    shift = await duty.add_shift(
        text(f, "user_id").strip(), role, span, session.user.id, s.clock.now()
    )
    log.info("shift_added", shift=shift.id, on_duty=shift.user_id, duty_role=shift.role.value)
    return done(request, "/roster", {"id": shift.id})


async def end_shift(request: Request) -> Response:
    session = require_role(request, *MANAGE_ROSTER)
    await require_csrf(request)
    shift_id = integer(request.path_params, "shift_id")
    shift = await services(request).duty.end_shift(
        shift_id, session.user.id, services(request).clock.now()
    )
    log.info("shift_ended", shift=shift.id, on_duty=shift.user_id)
    return done(request, "/roster", {"id": shift.id})


async def zero_report_page(request: Request) -> Response:
    session = require_session(request)
    return quiet_page(
        request,
        "zero_report.html",
        duty=await duty_panel(services(request)),
        can_file=session.user.role in FILE_ZERO_REPORT,
        ZeroStatus=ZeroStatus,
    )


async def file_zero_report(request: Request) -> Response:
    session = require_role(request, *FILE_ZERO_REPORT)
    await require_csrf(request)
    f, s = await read_fields(request), services(request)
    status = choice(ZeroStatus, f, "status")
    report = make_report(
        s.zero_rules, text(f, "unit"), status, text(f, "text"), session.user.id, s.clock.now()
    )
    saved = await s.duty.file(report)
    log.info("zero_report", unit=saved.unit, day=saved.day.isoformat(), late=saved.late)
    return done(request, "/zero-report", {"unit": saved.unit, "late": saved.late})


async def panel_fragment(request: Request) -> Response:
    session = require_session(request)
    renderer = services(request).renderer
    t = renderer.translator(session.user.language)
    macros: Any = renderer.env.get_template("duty_panel.html").make_module(
        {"t": t, "lang": t.language}
    )
    return _html(str(macros.duty_panel(await duty_panel(services(request)))))


def duty_routes() -> list[Route]:
    return [
        Route("/roster", roster_page),
        Route("/roster", add_shift, methods=["POST"]),
        Route("/roster/{shift_id}/end", end_shift, methods=["POST"]),
        Route("/zero-report", zero_report_page),
        Route("/zero-report", file_zero_report, methods=["POST"]),
        Route("/duty/panel", panel_fragment),
    ]
