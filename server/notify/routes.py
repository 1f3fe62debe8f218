"""Acknowledgements over HTTP: the unit's link page (no login: the signed token is the
right), the API for systems, and the console's "acknowledged by phone" and "re-send".

    GET  /ack/{token}    a small phone page: Acknowledge, with an optional ETA and note
    POST /ack/{token}    acknowledge (a same-origin form; no session, so no CSRF token)
    POST /api/ack        JSON {token, eta_minutes?, note?, by?}
    POST /incidents/{id}/notifications/{notification}/acknowledge   (duty officer, commander)
    POST /incidents/{id}/notifications/{notification}/resend
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import structlog
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from incidents.errors import DomainError, IllegalTransition, InvalidCommand, NotFound
from incidents.kinds import Role
from incidents.notifications import (
    AcknowledgeNotification,
    RecordPhoneAcknowledgement,
    ResendNotification,
)
from incidents.state import Actor, IncidentState, NotificationState
from incidents.store import EventStore
from server.api import bodies
from server.api.operation import decoded
from server.auth.protect import require_csrf, require_session
from server.errors import status_of
from server.i18n import normalize
from server.incident.commands import incident_id, read_fields, run
from server.incident.input import Fields, integer, text
from server.incident.render import Renderer
from server.live.broker import Broker, Notice
from server.notify.service import Notifier
from server.notify.store import recipient
from server.notify.tokens import (
    AckClaim,
    AckRefused,
    AlreadyAcknowledged,
    TokenRefused,
    UnknownNotice,
    verify,
)
from server.services import services

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class AckContext:
    claim: AckClaim
    state: IncidentState
    notification: NotificationState
    unit: str
    contact: str
    language: str


async def _context(request: Request, token: str) -> AckContext:
    notifier: Notifier = services(request).notifier
    try:
        claim = verify(notifier.keys.accepted, token, services(request).clock.now())
    except TokenRefused as refused:
        log.warning("ack_token_refused", reason=refused.reason)
        raise
    pool = services(request).pool
    to = await recipient(pool, claim.delivery, claim.incident_id, claim.notification)
    store: EventStore = services(request).store
    state = await store.state(claim.incident_id) if to else None
    found = state and next((n for n in state.notifications if n.id == claim.notification), None)
    if to is None or state is None or not found:
        raise UnknownNotice("no such notification or recipient")
    language = normalize(to.language)
    if found.acknowledged:
        raise AlreadyAcknowledged("the notice is acknowledged already", language)
    return AckContext(claim, state, found, to.unit, to.contact, language)


def _eta(fields: Fields) -> int | None:
    return integer(fields, "eta_minutes") if fields.get("eta_minutes") not in (None, "") else None


async def _acknowledge(request: Request, ctx: AckContext, via: str, fields: Fields) -> None:
    by = text(fields, "by") if via == "api" and fields.get("by") else ctx.contact or ctx.unit
    command = AcknowledgeNotification(
        ctx.claim.notification, via, by, _eta(fields), text(fields, "note")
    )
    actor = Actor(f"unit:{ctx.unit}", Role.SYSTEM)
    store: EventStore = services(request).store
    try:
        outcome = await store.execute(ctx.claim.incident_id, command, actor, uuid.uuid4().hex)
    except IllegalTransition:  # acknowledged a moment ago through another link
        raise AlreadyAcknowledged("the notice is acknowledged already", ctx.language) from None
    broker: Broker = services(request).broker
    seqs = [e.seq for e in outcome.events]
    await broker.publish(Notice(outcome.incident_id, seqs[0], seqs[-1]))
    log.info(
        "notification_acknowledged",
        incident_id=str(ctx.claim.incident_id),
        notification=ctx.claim.notification,
        via=via,
    )


def ack_refusal(exc: DomainError) -> str:
    """The ack page's own words (notify.ack.refused.*): a unit's liaison needs no more."""
    log.warning("ack_refused", reason=exc.reason)
    if exc.reason.startswith("text.") or exc.reason == "request.bad_encoding":
        return "text"  # a hidden character in the note: the liaison can delete it
    return "invalid_command" if isinstance(exc, InvalidCommand) else "failed"


def _page(request: Request, language: str, status: int = 200, **ctx: Any) -> Response:
    renderer: Renderer = services(request).renderer
    html = renderer.page("ack.html", language, **ctx)
    # same-origin: the token in the path never leaves for another site, and the form's POST
    # carries a real Origin (no-referrer made Chromium send `Origin: null`, refused as cross-site).
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "same-origin"}
    return HTMLResponse(html, status, headers=headers)


def _unit_name(request: Request, unit_id: str, language: str) -> str:
    unit = services(request).notifier.units.get(unit_id)
    return unit.name.get("en" if language == "en" else "zh") if unit else unit_id


async def ack_page(request: Request) -> Response:
    token = request.path_params["token"]
    try:
        ctx = await _context(request, token)
    except AckRefused as refused:
        return _page(request, refused.language, status_of(refused), refused=refused.code)
    unit = _unit_name(request, ctx.unit, ctx.language)
    return _page(request, ctx.language, s=ctx.state, unit=unit, token=token, refused=None)


async def ack_submit(request: Request) -> Response:
    token = request.path_params["token"]
    try:
        ctx = await _context(request, token)
        fields = await read_fields(request)  # the same checks as every other form
        await _acknowledge(request, ctx, "link", fields)
    except AckRefused as refused:
        return _page(request, refused.language, status_of(refused), refused=refused.code)
    except DomainError as exc:
        return _page(request, ctx.language, status_of(exc), refused=ack_refusal(exc))
    unit = _unit_name(request, ctx.unit, ctx.language)
    return _page(request, ctx.language, s=ctx.state, unit=unit, done=True, refused=None)


async def api_ack(request: Request) -> Response:
    """A unit's system acknowledges with the link's token (JSON: bodies.Acknowledge)."""
    body = await decoded(request, bodies.Acknowledge)
    try:
        ctx = await _context(request, body.token)
        await _acknowledge(request, ctx, "api", bodies.fields(body))
    except AckRefused as refused:
        return JSONResponse({"error": refused.code}, status_of(refused))
    reply = bodies.Acknowledged(ctx.claim.incident_id, ctx.claim.notification, acknowledged=True)
    return JSONResponse(bodies.plain(reply), 201)


def _notification(request: Request) -> str:
    value = str(request.path_params["notification"])
    if not value or len(value) > 100:
        raise NotFound("notification.unknown", "no such notification")
    return value


async def phone_ack(request: Request) -> Response:
    require_session(request)
    await require_csrf(request)
    fields = await read_fields(request)
    command = RecordPhoneAcknowledgement(
        _notification(request), text(fields, "by"), text(fields, "note")
    )
    return await run(request, incident_id(request), command, fields)


async def resend(request: Request) -> Response:
    require_session(request)
    await require_csrf(request)
    fields = await read_fields(request)
    command = ResendNotification(_notification(request), text(fields, "reason"))
    return await run(request, incident_id(request), command, fields)


def notify_routes() -> list[Route]:
    """The pages and console forms; POST /api/ack is routed by the API's table."""
    base = "/incidents/{incident_id}/notifications/{notification}"
    return [
        Route("/ack/{token}", ack_page, methods=["GET"]),
        Route("/ack/{token}", ack_submit, methods=["POST"]),
        Route(f"{base}/acknowledge", phone_ack, methods=["POST"]),
        Route(f"{base}/resend", resend, methods=["POST"]),
    ]
