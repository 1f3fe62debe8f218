"""The console's WebSocket: checked at the handshake, then fed by the hub until it goes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog
from starlette.routing import WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from incidents.errors import NotFound
from server.auth.errors import CrossSite, LoginRequired
from server.auth.protect import current_session, websocket_origin_allowed
from server.errors import close_of
from server.live.close_codes import Close, close
from server.live.hub import Console, Hub, View
from server.services import services

log = structlog.get_logger(__name__)


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
    if not websocket_origin_allowed(websocket, services(websocket).settings.allowed_origins):
        await websocket.close(close_of(CrossSite))
        return
    await websocket.accept()  # from here on the page is told why, by a code it acts on
    session = current_session(websocket)
    if session is None:
        log.info("websocket_session_ended")
        await close(websocket, close_of(LoginRequired))
        return
    try:
        view = View.parse(websocket.query_params.get("view", "board"))
    except ValueError:
        await close(websocket, close_of(NotFound))
        return
    hub: Hub = services(websocket).hub
    console = Console(
        text_sender(frames),
        lambda code: close(websocket, Close(code)),
        view,
        session.user.language,
        session.user.role,
        session.id_hash,
    )
    with structlog.contextvars.bound_contextvars(user_id=session.user.id):
        await _serve(websocket, hub, console)


async def _serve(websocket: WebSocket, hub: Hub, console: Console) -> None:
    pump = asyncio.create_task(console.pump())
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
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await pump


def live_routes() -> list[WebSocketRoute]:
    return [WebSocketRoute("/ws", ConsoleSocket())]
