"""The session cookie: `__Host-wf_session` over https (Secure, Path=/, no Domain), else
`wf_session`; always HttpOnly and SameSite=Lax. Each scheme reads only its own name, so a
cookie planted over plain http cannot stand in for the https one. Behind a proxy, https is
what a trusted proxy forwards (server/auth/proxies.py), never what any client claims."""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.responses import Response
from starlette.types import Scope

from server.auth.proxies import is_secure
from server.auth.sessions import ABSOLUTE_TIMEOUT

PLAIN_COOKIE = "wf_session"
SECURE_COOKIE = "__Host-wf_session"


def cookie_name(scope: Scope) -> str:
    return SECURE_COOKIE if is_secure(scope) else PLAIN_COOKIE


def session_token(conn: HTTPConnection) -> str | None:
    return conn.cookies.get(cookie_name(conn.scope)) or None


def set_session_cookie(response: Response, conn: HTTPConnection, token: str) -> None:
    secure = is_secure(conn.scope)
    response.set_cookie(
        cookie_name(conn.scope),
        token,
        max_age=int(ABSOLUTE_TIMEOUT.total_seconds()),
        path="/",
        secure=secure,
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response, conn: HTTPConnection) -> None:
    response.delete_cookie(
        cookie_name(conn.scope), path="/", secure=is_secure(conn.scope), httponly=True
    )
