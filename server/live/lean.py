"""Console sockets on the `websockets` asyncio server, beside uvicorn in the same process.

On uvicorn an idle console keeps, for its whole life, an ASGI task holding the frames of
every middleware, uvicorn's protocol state and Starlette's socket: about 37 KiB. Here the
app's own middleware runs once, at the handshake, over `admission` (the same decision the
uvicorn path makes: server/live/socket.py) and returns; what stays is the socket itself and
its Console, about what a bare `websockets` server costs (bench/connections.py).

Behind the proxy, `/ws` is routed to this port (server/deploy/nginx.conf.template); without
one, uvicorn's `/ws` serves the same consoles the same way (close codes, Origin, session).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import unquote

import structlog
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame, Opcode
from websockets.http11 import Request, Response
from websockets.protocol import State

from incidents.errors import NotFound
from server.auth.errors import AuthRefused
from server.database import unavailable
from server.errors import answer, close_of
from server.live.close_codes import Close
from server.live.hub import Hub
from server.live.socket import Admitted, Refused, admission
from server.settings import Settings

log = structlog.get_logger(__name__)

PATH = "/ws"
PING_EVERY, PONG_WITHIN = 10.0, 10.0  # heartbeats drop a dead socket within ~20 s (uvicorn too)
VERDICT = "watchfloor.verdict"  # the scope key the handshake's verdict is left under

Verdict = Admitted | Refused | Close


async def _handshake(scope: Scope, receive: Receive, send: Send) -> None:
    """The innermost app of the handshake: decide, accept nothing, keep nothing."""
    scope[VERDICT].append(admission(WebSocket(scope, receive, send)))


def middleware_over(app: ASGIApp, middleware: Sequence[Middleware]) -> ASGIApp:
    """`app` inside the same middleware as the Starlette app's, outermost first."""
    for cls, args, kwargs in reversed(middleware):
        app = cls(app, *args, **kwargs)
    return app


class LeanConsoles:
    """The console port: handshakes checked by the app's middleware, then fed by the hub."""

    def __init__(self, app: Any, middleware: Sequence[Middleware], hub: Hub) -> None:
        self.app, self.hub = app, hub  # app: the Starlette app (its state, for `services`)
        self.checked = middleware_over(_handshake, middleware)
        self.verdicts: dict[ServerConnection, Verdict] = {}

    async def serve(self, settings: Settings, host: str, port: int) -> Server:
        return await serve(
            self.console,
            host,
            port,
            process_request=self.process_request,
            compression="deflate" if settings.ws_deflate else None,
            server_header=None,
            ping_interval=PING_EVERY,  # the proxy's timeouts are longer (nginx.conf.template)
            ping_timeout=PONG_WITHIN,
            max_size=4096,  # consoles send us nothing but pongs
        )

    async def process_request(
        self, connection: ServerConnection, request: Request
    ) -> Response | None:
        """The handshake's answer: a response refuses it; None accepts it (then `console`)."""
        if request.path.partition("?")[0] != PATH:
            return connection.respond(answer(NotFound).status, "Not Found\n")
        verdict = await self._verdict(connection, request)
        if isinstance(verdict, Refused):  # before accept: a cross-site page, never retried
            return connection.respond(answer(verdict.refusal).status, "Forbidden\n")
        self.verdicts[connection] = verdict
        return None

    async def _verdict(self, connection: ServerConnection, request: Request) -> Verdict:
        """Run the middleware over the handshake: a verdict, or how the middleware ended it
        (the database away: accepted and closed 1013, as on uvicorn)."""
        found: list[Verdict] = []
        sent: list[Message] = []
        received: list[str] = []

        async def receive() -> Message:  # the client's connect, then (if asked again) its end
            received.append("websocket.disconnect" if received else "websocket.connect")
            return {"type": received[-1], "code": 1006}

        async def send(message: Message) -> None:
            sent.append(message)

        await self.checked(scope_of(self.app, connection, request, found), receive, send)
        if found:
            return found[0]
        closes = [m for m in sent if m["type"] == "websocket.close"]
        accepted = any(m["type"] == "websocket.accept" for m in sent)
        if accepted and closes:
            return Close(closes[0].get("code", Close.RESYNC))
        return Refused(AuthRefused)  # the middleware closed it before accept: 403, as uvicorn

    async def console(self, connection: ServerConnection) -> None:
        """One console, for as long as its socket is open."""
        verdict = self.verdicts.pop(connection, Close.RESYNC)
        if isinstance(verdict, Refused):  # answered 403 in `process_request`: not reached
            verdict = close_of(verdict.refusal)
        if isinstance(verdict, Close):
            await connection.close(verdict)
            return
        forget_handshake(connection)
        console = verdict.console(text_sender(connection), connection.close)
        del verdict  # the session and its user are not kept for the socket's life
        try:
            await self.hub.attach(console)
            await connection.wait_closed()
        except NotFound as missing:
            await connection.close(close_of(missing))
        except ConnectionClosed:
            pass  # the peer left while its snapshot was being sent
        except Exception as exc:
            if (down := unavailable(exc)) is None:
                raise
            log.warning("database_unavailable", error=down.cause, path=PATH)
            await connection.close(Close.RESYNC)
        finally:
            self.hub.detach(console)


def forget_handshake(connection: ServerConnection) -> None:
    """Drop the handshake's headers, read once already: a console never needs them again,
    and they are the largest thing an idle socket would keep (about 3 KiB)."""
    for message in (connection.request, connection.response):
        if message is not None:
            message.headers = Headers()


def scope_of(app: Any, connection: ServerConnection, request: Request, found: list[Any]) -> Scope:
    """The ASGI scope uvicorn would make of this handshake."""
    path, _, query = request.path.partition("?")
    host, port = connection.local_address[:2]
    client_host, client_port = connection.remote_address[:2]
    headers = [
        (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in request.headers.raw_items()
    ]
    return {
        "type": "websocket",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "scheme": "ws",
        "server": (host, port),
        "client": (client_host, client_port),
        "root_path": "",
        "path": unquote(path),
        "raw_path": path.encode("latin-1"),
        "query_string": query.encode("latin-1"),
        "headers": headers,
        "subprotocols": [],
        "state": {},
        "app": app,
        VERDICT: found,
    }


class LastFramed:
    """The last text sent, as UTF-8 and as a whole text frame. The hub offers one text to
    every console of a group in turn, so it is encoded and framed once per group; a server's
    frame is unmasked, so without a per-socket extension (deflate) it is the same bytes for
    every socket, written as they are (what `websockets.broadcast` does, framed once)."""

    def __init__(self) -> None:
        self.text, self.data, self.frame = "", b"", b""

    def __call__(self, text: str) -> LastFramed:
        if text is not self.text:
            self.text, self.data = text, text.encode()
            self.frame = Frame(Opcode.TEXT, self.data).serialize(mask=False)
        return self


FRAMED = LastFramed()


def text_sender(connection: ServerConnection) -> Callable[[str], Awaitable[None] | None]:
    """Write the text's frame now; None, unless the socket's write buffer is over its
    high-water mark (flow control): then what to await before the next text (its `drain`),
    which is what makes a console fall behind and queue."""

    def send_text(text: str) -> Awaitable[None] | None:
        protocol = connection.protocol
        if protocol.state is not State.OPEN:
            raise ConnectionError("the console's socket is closing")  # the hub detaches it
        if protocol.extensions:  # deflate: each socket compresses with its own context
            protocol.send_text(FRAMED(text).data)
            connection.send_data()
        else:  # nothing is pending in the protocol: `websockets` writes each action at once
            connection.transport.write(FRAMED(text).frame)
        return connection.drain() if connection.paused else None

    return send_text
