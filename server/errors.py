"""The one place where domain refusals become HTTP responses."""

from __future__ import annotations

from html import escape
from zoneinfo import ZoneInfo

from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from incidents.errors import (
    DomainError,
    IdempotencyConflict,
    IllegalTransition,
    InvalidCommand,
    NotAuthorized,
    NotFound,
)
from server.i18n import DEFAULT_LANGUAGE, Translator, default_catalogue, normalize
from server.refusal import explain

STATUS: dict[type[DomainError], int] = {
    InvalidCommand: 422,
    NotAuthorized: 403,
    NotFound: 404,
    IllegalTransition: 409,
    IdempotencyConflict: 409,
}


def status_of(exc: DomainError) -> int:
    return next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 400)


def wants_json(request: Request) -> bool:
    return request.headers.get("content-type", "").startswith(
        "application/json"
    ) or "application/json" in request.headers.get("accept", "")


def reader(conn: HTTPConnection) -> Translator:
    """The catalogue in the signed-in user's language (Chinese without a session)."""
    session = conn.scope.get("state", {}).get("session")
    language = normalize(session.user.language if session else DEFAULT_LANGUAGE)
    renderer = getattr(conn.app.state, "renderer", None)
    if renderer is not None:
        t: Translator = renderer.translator(language)  # with the users' display names
        return t
    return Translator(default_catalogue(), language, ZoneInfo("UTC"))  # a refusal tells no time


def message(request: Request, exc: DomainError) -> str:
    return explain(reader(request), exc)


def flash(code: str, reason: str, text: str, status: int) -> HTMLResponse:
    """A refusal for htmx: shown in the page's #flash, whatever the form's own target."""
    html = (
        f'<p class="error" data-code="{escape(code)}" data-reason="{escape(reason)}">'
        f"{escape(text, quote=False)}</p>"
    )
    return HTMLResponse(html, status, headers={"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"})


async def domain_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    status, text = status_of(exc), message(request, exc)
    if wants_json(request):
        body = {
            "error": exc.code,
            "reason": exc.reason,
            "message": exc.message,
            "field": exc.field,
            "text": text,
        }
        return JSONResponse(body, status)
    if "hx-request" in request.headers:
        return flash(exc.code, exc.reason, text, status)
    return PlainTextResponse(text, status)
