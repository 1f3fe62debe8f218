"""The console's WebSocket on uvicorn (`/ws`): checked at the handshake, then fed by the hub.

What a handshake is told is decided once, in `admission`, for this path and the lean one
(server/live/lean.py): a cross-site page is refused before accept; a page without a session
or with no such view is accepted and closed with the code it acts on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog
from starlette.routing import WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from incidents.errors import NotFound, Refusal
from server.auth.errors import CrossSite, LoginRequired
from server.auth.protect import current_session, websocket_origin_allowed
from server.auth.sessions import Session
from server.errors import close_of
from server.live.close_codes import Close, close
from server.live.hub import Console, Hub, View
from server.services import services

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Admitted:
    """A handshake that may watch `view` as the session's user."""

    session: Session
    view: View

    def console(
        self,
        send: Callable[[str], Awaitable[None] | None],
        close: Callable[[int], Awaitable[None]],
    ) -> Console:
        user = self.session.user
        return Console(send, close, self.view, user.language, user.role, self.session.id_hash)


@dataclass(frozen=True, slots=True)
class Refused:
    """A handshake refused before accept (a page of another site): it is never retried."""

    refusal: type[Refusal]


def admission(websocket: WebSocket) -> Admitted | Refused | Close:
    """What the handshake is told: Refused before accept; a Close is sent once accepted, so
    the page learns why and acts on it."""
    if not websocket_origin_allowed(websocket, services(websocket).settings.allowed_origins):
        return Refused(CrossSite)
    session = current_session(websocket)
    if session is None:
        log.info("websocket_session_ended")
        return close_of(LoginRequired)
    try:
        view = View.parse(websocket.query_params.get("view", "board"))
    except ValueError:
        return close_of(NotFound)
    return Admitted(session, view)


class ConsoleSocket:
    """The /ws endpoint as a plain ASGI app: it keeps the ASGI `send` for the hub's texts."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await console_socket(WebSocket(scope, receive, send), frames=send)


def text_sender(send: Send) -> Callable[[str], Awaitable[None]]:
    """Send a text straight to the server: one ASGI call per console per message, without
    Starlette's per-message state checks (the hub sends only while the socket is open; a
    send on a closed one fails, and the console's endpoint detaches it). It returns the
    server's send to be awaited rather than awaiting it in a coroutine of its own."""

    def send_text(text: str) -> Awaitable[None]:
        return send({"type": "websocket.send", "text": text})

    return send_text


async def console_socket(websocket: WebSocket, frames: Send) -> None:
    verdict = admission(websocket)
    if isinstance(verdict, Refused):
        await websocket.close(close_of(verdict.refusal))
        return
    await websocket.accept()  # from here on the page is told why, by a code it acts on
    if isinstance(verdict, Close):
        await close(websocket, verdict)
        return
    console = verdict.console(text_sender(frames), lambda code: close(websocket, Close(code)))
    with structlog.contextvars.bound_contextvars(user_id=verdict.session.user.id):
        await _serve(websocket, services(websocket).hub, console)


async def _serve(websocket: WebSocket, hub: Hub, console: Console) -> None:
    try:
        await hub.attach(console)
        while True:  # the console sends nothing we act on; we only notice it leave
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
    except NotFound as missing:
        await close(websocket, close_of(missing))
    except WebSocketDisconnect:
        pass  # the peer left while its snapshot was being sent
    finally:
        hub.detach(console)


def live_routes() -> list[WebSocketRoute]:
    return [WebSocketRoute("/ws", ConsoleSocket())]
