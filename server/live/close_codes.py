"""WebSocket close codes: the one table of what the server sends when it ends a console's socket.

web/static/console.js acts on each (tests/test_close_codes.py keeps the two in step).
A refusal the browser should act on is sent after accepting the handshake: a handshake
refused before accept reaches the page only as 1006, which it can only retry, forever.
"""

from __future__ import annotations

import contextlib
from enum import IntEnum

from starlette.websockets import WebSocket, WebSocketDisconnect


class Close(IntEnum):
    RESYNC = 1013  # behind, or a dependency is down: reconnect, and the snapshot resyncs
    POLICY = 1008  # a handshake from another site: refused before accept, never retried
    SESSION_ENDED = 4401  # signed out, expired or disabled: the page goes to the login screen
    NO_SUCH_VIEW = 4404  # no such incident or view: retrying cannot help


async def close(websocket: WebSocket, code: Close) -> None:
    """Close the socket; a peer that already left has nothing to be told (not an error)."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
        await websocket.close(int(code))
