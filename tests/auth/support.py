"""A small console for HTTP tests: the sign-in routes, the middleware and three protected routes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.templating import Jinja2Templates
from starlette.websockets import WebSocket

import web
from incidents.kinds import Role
from server.auth import AuthRefused, LoginLimiter, SessionStore, UserStore
from server.auth.protect import (
    AuthMiddleware,
    auth_refused_handler,
    require_csrf,
    require_role,
    require_session,
    websocket_allowed,
)
from server.auth.routes import auth_routes
from tests.auth.conftest import PASSWORD

TEMPLATES = Path(web.__file__).parent / "templates"
PARTNER = "https://partner.example.org"


async def board(request: Request) -> Response:
    """A page that needs sign-in; like the real board, it carries the CSRF token."""
    session = require_session(request)
    return JSONResponse({"user": session.user.id, "csrf": session.csrf_token})


async def raise_level(request: Request) -> Response:
    """A command only a commander or a duty officer may send."""
    await require_csrf(request)
    session = require_role(request, Role.COMMANDER, Role.DUTY_OFFICER)
    return PlainTextResponse(f"done by {session.user.id}")


async def live(websocket: WebSocket) -> None:
    session = websocket_allowed(websocket, [PARTNER])
    if session is None:
        await websocket.close(code=1008)
        return
    await websocket.accept()
    await websocket.send_text(session.user.id)
    await websocket.close()


def console(users: UserStore, sessions: SessionStore, limiter: LoginLimiter) -> Starlette:
    app = Starlette(
        routes=[
            *auth_routes(),
            Route("/board", board),
            Route("/incidents/raise", raise_level, methods=["POST"]),
            WebSocketRoute("/live", live),
        ],
        middleware=[Middleware(AuthMiddleware, allowed_origins=[PARTNER])],
        exception_handlers={AuthRefused: auth_refused_handler},
    )
    app.state.services = SignIn(Jinja2Templates(directory=TEMPLATES), users, sessions, limiter)
    return app


@dataclass(frozen=True, slots=True)
class SignIn:
    """The part of the app's services sign-in uses (server/auth/services.py), on its own."""

    templates: Jinja2Templates
    users: UserStore
    sessions: SessionStore
    login_limiter: LoginLimiter


async def sign_in(
    client: httpx.AsyncClient, login: str = "duty1", password: str = PASSWORD, **extra: str
) -> httpx.Response:
    return await client.post("/login", data={"username": login, "password": password, **extra})


async def csrf_token(client: httpx.AsyncClient) -> str:
    token: str = (await client.get("/board")).json()["csrf"]
    return token


def set_cookie(response: httpx.Response) -> str:
    (header,) = response.headers.get_list("set-cookie")
    return header
