"""The console's WebSocket: checked at the handshake, then fed by the hub until it goes."""

from __future__ import annotations

import asyncio
import contextlib

import structlog
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from incidents.errors import NotFound
from server.auth.protect import websocket_allowed
from server.hub import Console, Hub, View

log = structlog.get_logger(__name__)

CLOSE_POLICY = 1008  # origin or session refused: the browser must not retry blindly
CLOSE_BAD_VIEW = 4404


async def console_socket(websocket: WebSocket) -> None:
    session = websocket_allowed(websocket, websocket.app.state.allowed_origins)
    if session is None:
        await websocket.close(CLOSE_POLICY)
        return
    try:
        view = View.parse(websocket.query_params.get("view", "board"))
    except ValueError:
        await websocket.close(CLOSE_BAD_VIEW)
        return
    await websocket.accept()
    hub: Hub = websocket.app.state.hub
    console = Console(
        websocket.send_text,
        lambda code: websocket.close(code),
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
    except NotFound:
        await websocket.close(CLOSE_BAD_VIEW)
    except WebSocketDisconnect:
        pass
    finally:
        hub.detach(console)
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await pump


def live_routes() -> list[WebSocketRoute]:
    return [WebSocketRoute("/ws", console_socket)]
