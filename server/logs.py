"""structlog set-up: JSON in production, readable in development; ids bound per request.

Log lines carry ids (request, incident, user), kinds and counts, never a visitor's
details: no payloads, summaries, demands or notes.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

import structlog
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.auth.proxies import client_address

# nginx's figure for "the client closed the request": logged, never answered.
CLIENT_CLOSED = 499


def configure_logging(*, production: bool, level: str = "info") -> None:
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if production
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping()[level.upper()]
        ),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )


class RequestLogMiddleware:
    """Binds a request id for everything logged while handling it; one line per request.

    A client that goes away mid-body (the handler's read raises ClientDisconnect) is no
    server error: its line says 499, with no traceback, and nothing has been written, as
    a command runs only once its whole body is read."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = structlog.get_logger("http")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":  # long-lived: bind the id, but never wrap each frame
            request_id = _incoming_id(scope) or uuid.uuid4().hex
            with structlog.contextvars.bound_contextvars(request_id=request_id):
                self.log.info(
                    "websocket", path=loggable_path(scope["path"]), client=client_address(scope)
                )
                await self.app(scope, receive, send)
            return
        request_id = _incoming_id(scope) or uuid.uuid4().hex
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            except ClientDisconnect:
                status = CLIENT_CLOSED  # no one is left to answer
            finally:
                self.log.info(
                    "request",
                    method=scope.get("method", "WS"),
                    path=loggable_path(scope["path"]),
                    client=client_address(scope),  # as trusted proxies forwarded it, if any
                    status=status,
                    ms=round((time.perf_counter() - started) * 1000, 1),
                )


SECRET_IN_PATH = re.compile(r"^(/ack/)[^/]+")  # an acknowledgement link's token is a key


def loggable_path(path: str) -> str:
    """The path as it may be logged: a token in it is a secret, so it is left out."""
    return SECRET_IN_PATH.sub(r"\1…", path)


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text: str = value.decode("latin-1")
            if 8 <= len(text) <= 64 and text.replace("-", "").isalnum():
                return text
    return None
