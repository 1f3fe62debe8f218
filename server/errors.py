"""The one place where domain refusals become HTTP responses."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from incidents.errors import (
    DomainError,
    IdempotencyConflict,
    IllegalTransition,
    InvalidCommand,
    NotAuthorized,
    NotFound,
)
from server.i18n import Catalogue

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


def message(request: Request, exc: DomainError) -> str:
    catalogue: Catalogue = request.app.state.catalogue
    session = request.scope.get("state", {}).get("session")
    language = session.user.language if session else "zh-CN"
    return catalogue.t(language, f"error.{exc.code}", message=exc.message)


async def domain_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    status, text = status_of(exc), message(request, exc)
    if wants_json(request):
        body = {"error": exc.code, "message": exc.message, "field": exc.field, "text": text}
        return JSONResponse(body, status)
    if "hx-request" in request.headers:
        html = f'<p class="error" data-code="{exc.code}">{_escape(text)}</p>'
        return HTMLResponse(
            html, status, headers={"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"}
        )
    return PlainTextResponse(text, status)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
