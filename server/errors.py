"""The one place where refusals become HTTP statuses and WebSocket close codes.

`REFUSALS` is the one table: every class of the product's error tree (incidents/errors.py)
has an entry or inherits its nearest ancestor's. Whoever answers a refusal, a page, an API
or a socket, asks `answer` for it; no other module picks a status for a refusal
(tests/test_refusal_table.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from html import escape
from zoneinfo import ZoneInfo

import structlog
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from incidents.errors import (
    DomainError,
    IdempotencyConflict,
    IllegalTransition,
    InvalidCommand,
    NotAuthorized,
    NotFound,
    Refusal,
)
from server.auth.errors import (
    AuthError,
    AuthRefused,
    BadCredentials,
    BearerInvalid,
    LoginRequired,
    TooManyAttempts,
)
from server.database import DatabaseUnavailable, unavailable
from server.export.pdf_ready import PdfUnavailable
from server.i18n import DEFAULT_LANGUAGE, Translator, default_catalogue, normalize
from server.live.close_codes import Close
from server.logs import loggable_path
from server.notify.tokens import (
    AckRefused,
    AlreadyAcknowledged,
    TokenExpired,
    TokenMalformed,
    TokenRefused,
    UnknownNotice,
)
from server.refusal import explain

log = structlog.get_logger(__name__)

RETRY_AFTER = "5"  # seconds: a restarted PostgreSQL takes a few; sooner only finds it still away
UNAVAILABLE_KEY = "error.database_unavailable"


@dataclass(frozen=True, slots=True)
class Answer:
    """How a refusal is answered: over HTTP, and on a console's WebSocket."""

    status: int
    close: Close


# 1008 (POLICY) is the refusal retrying cannot help; a socket is told more where it can act.
_REFUSED = Answer(400, Close.POLICY)

REFUSALS: Mapping[type[Refusal], Answer] = {
    DomainError: _REFUSED,
    InvalidCommand: Answer(422, Close.POLICY),
    NotAuthorized: Answer(403, Close.POLICY),
    NotFound: Answer(404, Close.NO_SUCH_VIEW),
    IllegalTransition: Answer(409, Close.POLICY),
    IdempotencyConflict: Answer(409, Close.POLICY),
    AuthError: _REFUSED,
    BadCredentials: Answer(401, Close.SESSION_ENDED),
    TooManyAttempts: Answer(429, Close.POLICY),  # with Retry-After: its `retry_after`
    AuthRefused: Answer(403, Close.POLICY),
    LoginRequired: Answer(401, Close.SESSION_ENDED),  # a browser page: 303 to /login
    BearerInvalid: Answer(401, Close.SESSION_ENDED),  # revoked too: refused at once
    AckRefused: _REFUSED,
    TokenRefused: Answer(403, Close.POLICY),
    TokenMalformed: Answer(400, Close.POLICY),
    TokenExpired: Answer(410, Close.POLICY),
    UnknownNotice: Answer(404, Close.POLICY),
    AlreadyAcknowledged: Answer(409, Close.POLICY),
    PdfUnavailable: Answer(503, Close.POLICY),  # this server lacks Pango or a CJK font
}


def answer(refusal: Refusal | type[Refusal]) -> Answer:
    """The entry of the refusal's most specific class that has one."""
    cls = refusal if isinstance(refusal, type) else type(refusal)
    found = next((REFUSALS[c] for c in cls.__mro__ if c in REFUSALS), None)
    if found is None:
        raise LookupError(f"{cls.__name__} has no answer in server/errors.py REFUSALS")
    return found


def status_of(refusal: Refusal | type[Refusal]) -> int:
    return answer(refusal).status


def close_of(refusal: Refusal | type[Refusal]) -> Close:
    return answer(refusal).close


API_PREFIX = "/api/"


def is_api(conn: HTTPConnection) -> bool:
    """A JSON API route: it answers JSON whatever the client accepts."""
    return conn.url.path.startswith(API_PREFIX)


def wants_json(request: Request) -> bool:
    return (
        is_api(request)
        or request.headers.get("content-type", "").startswith("application/json")
        or "application/json" in request.headers.get("accept", "")
    )


def reader(conn: HTTPConnection) -> Translator:
    """The catalogue in the signed-in user's language (Chinese without a session)."""
    session = conn.scope.get("state", {}).get("session")
    language = normalize(session.user.language if session else DEFAULT_LANGUAGE)
    made = getattr(conn.app.state, "services", None)  # none yet while the app starts
    renderer = getattr(made, "renderer", None)
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


def unavailable_response(conn: HTTPConnection) -> Response:
    """503 "try again shortly", in the reader's language (Chinese when the session could not
    be read): the page's #flash for htmx, JSON for API clients, a short text for pages."""
    text = reader(conn)(UNAVAILABLE_KEY)
    headers = {"Retry-After": RETRY_AFTER}
    if "hx-request" in conn.headers and not is_api(conn):
        response = flash("unavailable", "database.unavailable", text, 503)
        response.headers.update(headers)
        return response
    if is_api(conn) or "text/html" not in conn.headers.get("accept", ""):
        body = {"error": "unavailable", "reason": "database.unavailable", "text": text}
        return JSONResponse(body, 503, headers)
    return PlainTextResponse(text, 503, headers)


class DatabaseGuard:
    """Pure ASGI, around everything that reads the database (the session lookup too): a
    failure `unavailable` recognises becomes 503 with Retry-After, or a WebSocket accepted
    and closed with 1013; one warning line, no traceback. Anything else passes on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        seen: set[str] = set()  # the message types sent and received so far

        async def receiving() -> Message:
            message = await receive()
            seen.add(message["type"])
            return message

        def sending(message: Message) -> Awaitable[None]:
            # not a coroutine of its own: the hub sends every frame through here, and the
            # server's own send is what is awaited (one step less per console per message)
            seen.add(message["type"])
            return send(message)

        try:
            await self.app(scope, receiving, sending)
        except Exception as exc:
            down = unavailable(exc)
            if down is None or "http.response.start" in seen:
                raise
            log.warning("database_unavailable", error=down.cause, path=loggable_path(scope["path"]))
            await _answer(HTTPConnection(scope), down, seen, receive, send)


async def _answer(
    conn: HTTPConnection, down: DatabaseUnavailable, seen: set[str], receive: Receive, send: Send
) -> None:
    if conn.scope["type"] == "http":
        await unavailable_response(conn)(conn.scope, receive, send)
        return
    if "websocket.close" in seen or "websocket.disconnect" in seen:
        return
    if "websocket.accept" not in seen:
        if "websocket.connect" not in seen:
            await receive()
        await send({"type": "websocket.accept"})
    reason = reader(conn)(UNAVAILABLE_KEY)
    await send({"type": "websocket.close", "code": int(Close.RESYNC), "reason": _short(reason)})


def _short(text: str, limit: int = 123) -> str:
    """A close reason fits in 123 bytes of UTF-8; a longer one is cut on a character."""
    while len(text.encode()) > limit:
        text = text[:-1]
    return text
