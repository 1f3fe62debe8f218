"""Request protection: the session on every request, cross-site refusals, CSRF, roles.

`AuthMiddleware` resolves the cookie into `scope["state"]["session"]` (a `Session` or None,
read in handlers as `request.state.session`) and refuses state-changing requests that come
from another site. Handlers then call `require_session`, `require_role`, `require_csrf`;
WebSocket endpoints call `websocket_origin_allowed` before accepting.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from urllib.parse import quote

import structlog
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

from incidents.kinds import Role
from server.auth.api_tokens import token_session
from server.auth.cookies import session_token
from server.auth.errors import (
    AuthRefused,
    BearerInvalid,
    BearerNotAccepted,
    BearerRevoked,
    CrossSite,
    CsrfFailed,
    Forbidden,
    LoginRequired,
)
from server.auth.origins import cross_site_reason, is_allowed_origin, parse_origins
from server.auth.services import auth_services
from server.auth.sessions import Session
from server.errors import flash, is_api, reader, status_of
from server.forms import read_form
from server.logs import loggable_path
from server.refusal import refusal_text

log = structlog.get_logger(__name__)

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class AuthMiddleware:
    """Pure ASGI: put the session in scope state; refuse cross-site unsafe requests with 403.

    Reads the app's `SessionStore` (server/auth/services.py) when a request carries a cookie.
    """

    def __init__(self, app: ASGIApp, allowed_origins: Iterable[str] = ()) -> None:
        self.app = app
        self.allowed_origins = parse_origins(allowed_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "http" and scope["method"] in UNSAFE_METHODS:
            reason = cross_site_reason(scope, self.allowed_origins)
            if reason is not None:
                log.warning("cross_site_refused", reason=reason, path=loggable_path(scope["path"]))
                refused = CrossSite("cross-site request refused")
                await refusal_response(HTTPConnection(scope), refused)(scope, receive, send)
                return
        try:
            session = await _resolve(scope)
        except AuthRefused as refused:  # a bad API token: before any route runs
            log.warning("bearer_refused", code=refused.code, path=loggable_path(scope["path"]))
            await refusal_response(HTTPConnection(scope), refused)(scope, receive, send)
            return
        scope.setdefault("state", {})["session"] = session
        with structlog.contextvars.bound_contextvars(user_id=session.user.id if session else None):
            await self.app(scope, receive, send)


async def _resolve(scope: Scope) -> Session | None:
    conn = HTTPConnection(scope)
    bearer = bearer_token(conn) if scope["type"] == "http" else None
    if bearer is not None:
        return await _bearer_session(conn, bearer)
    token = session_token(conn)
    if token is None:
        return None
    return await auth_services(conn).sessions.lookup(token)


def bearer_token(conn: HTTPConnection) -> str | None:
    """The token of `Authorization: Bearer <token>`, or None for no header or another scheme."""
    scheme, _, token = conn.headers.get("authorization", "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


async def _bearer_session(conn: HTTPConnection, raw: str) -> Session:
    """An API token opens /api/ routes only: a page never takes one in place of a sign-in."""
    if not is_api(conn):
        raise BearerNotAccepted("API tokens are accepted on /api/ routes only")
    found = await auth_services(conn).api_tokens.lookup(raw)
    if found is None:
        raise BearerInvalid("the API token is not valid")
    if found.revoked_at is not None:
        raise BearerRevoked("the API token was revoked")
    return token_session(found)


def current_session(conn: HTTPConnection) -> Session | None:
    """The request's session, or None; fails loudly when AuthMiddleware is not installed."""
    state = conn.scope.get("state", {})
    if "session" not in state:
        raise RuntimeError("AuthMiddleware is not installed: no session was resolved")
    session: Session | None = state["session"]
    return session


def wants_html(conn: HTTPConnection) -> bool:
    """A browser navigating to a page (not htmx, not an API client)."""
    return "text/html" in conn.headers.get("accept", "") and "hx-request" not in conn.headers


def login_url(conn: HTTPConnection) -> str:
    """/login, coming back to this page after sign-in when it is one a browser can return to."""
    if conn.scope.get("method", "GET") not in ("GET", "HEAD") or conn.url.path == "/login":
        return "/login"
    here = conn.url.path + (f"?{conn.url.query}" if conn.url.query else "")
    return "/login?next=" + quote(here, safe="")


def require_session(conn: HTTPConnection) -> Session:
    """The signed-in session, or LoginRequired: a redirect to /login for pages, 401 otherwise."""
    session = current_session(conn)
    if session is not None:
        return session
    raise LoginRequired("please sign in")


def require_role(conn: HTTPConnection, *roles: Role) -> Session:
    """The session when its user has one of `roles`; 403 for any other role."""
    session = require_session(conn)
    if session.user.role not in roles:
        log.warning("role_refused", user_id=session.user.id, role=session.user.role.value)
        raise Forbidden("your role may not do this")
    return session


async def require_csrf(request: Request) -> None:
    """403 unless the X-CSRF-Token header or the csrf_token form field is the session's token."""
    session = require_session(request)
    if session.bearer:  # a system's token comes in a header no other site can make a browser send
        return
    given = request.headers.get(CSRF_HEADER) or await _form_token(request)
    if not given or not hmac.compare_digest(given.encode(), session.csrf_token.encode()):
        log.warning("csrf_refused", user_id=session.user.id, path=loggable_path(request.url.path))
        raise CsrfFailed("the form has expired: reload the page and retry")


async def _form_token(request: Request) -> str | None:
    if not request.headers.get("content-type", "").startswith(_FORM_TYPES):
        return None
    return next(iter((await read_form(request)).get(CSRF_FIELD, [])), None)


def websocket_origin_allowed(websocket: WebSocket, allowed_origins: Iterable[str] = ()) -> bool:
    """Whether a WebSocket handshake comes from this site or an allowed origin."""
    origin = websocket.headers.get("origin")
    if not is_allowed_origin(websocket.scope, origin, parse_origins(allowed_origins)):
        log.warning("websocket_origin_refused", path=websocket.url.path)
        return False
    return True


def websocket_allowed(websocket: WebSocket, allowed_origins: Iterable[str] = ()) -> Session | None:
    """The session for a WebSocket handshake from an allowed origin; None: close the socket."""
    if not websocket_origin_allowed(websocket, allowed_origins):
        return None
    return current_session(websocket)


def refusal_response(conn: HTTPConnection, exc: AuthRefused) -> Response:
    """The response for a refusal: a short text for pages, the page's flash for htmx, JSON
    for the rest; what a person reads is `refusal.auth.<code>`, in their language. A browser
    page without a session is sent to /login instead, and htmx is told to go there."""
    signing_in = isinstance(exc, LoginRequired) and not is_api(conn)
    if signing_in and wants_html(conn):
        return Response(status_code=303, headers={"Location": login_url(conn)})
    status, text = status_of(exc), refusal_text(reader(conn), exc.reason, {})
    if wants_html(conn) and not is_api(conn):
        return PlainTextResponse(text, status)
    if "hx-request" in conn.headers and not is_api(conn):
        response = flash(exc.code, exc.reason, text, status)
        if signing_in:
            response.headers["HX-Redirect"] = "/login"
        return response
    body = {"error": exc.code, "reason": exc.reason, "message": exc.message, "text": text}
    headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'} if _bad_bearer(exc) else {}
    return JSONResponse(body, status, headers)


def _bad_bearer(exc: AuthRefused) -> bool:
    return isinstance(exc, BearerInvalid)


async def auth_refused_handler(request: Request, exc: Exception) -> Response:
    """Starlette exception handler: `exception_handlers={AuthRefused: auth_refused_handler}`."""
    assert isinstance(exc, AuthRefused)
    return refusal_response(request, exc)
