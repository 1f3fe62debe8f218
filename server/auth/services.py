"""What sign-in needs of the app's services, and how a request reaches it.

The app keeps one typed object on `app.state.services` (server/services.py); sign-in asks
only for this part of it, so that it can be served on its own (tests/auth/support.py).
"""

from __future__ import annotations

from typing import Protocol

from starlette.requests import HTTPConnection
from starlette.templating import Jinja2Templates

from server.auth.api_tokens import ApiTokenStore
from server.auth.ratelimit import LoginLimiter
from server.auth.sessions import SessionStore
from server.auth.users import UserStore


class AuthServices(Protocol):
    @property
    def templates(self) -> Jinja2Templates: ...
    @property
    def users(self) -> UserStore: ...
    @property
    def sessions(self) -> SessionStore: ...
    @property
    def login_limiter(self) -> LoginLimiter: ...
    @property
    def api_tokens(self) -> ApiTokenStore: ...


def auth_services(conn: HTTPConnection) -> AuthServices:
    found: AuthServices | None = getattr(conn.app.state, "services", None)
    if found is None:
        raise RuntimeError("the app's services are made in its lifespan, which has not run")
    return found
