"""The headers every response carries: a CSP that allows script, style and sockets from this
site only (no inline script, no eval; the phone's service worker and manifest from here too),
no framing, no sniffing, referrers kept in the site."""

from __future__ import annotations

import re

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'; connect-src 'self' {sockets}"
)
HOST = re.compile(r"[A-Za-z0-9.\-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?")
FIXED = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def policy(scope: Scope) -> str:
    """The CSP; sockets named by host, since not every browser lets 'self' cover ws:."""
    host = Headers(scope=scope).get("host", "")
    sockets = f"ws://{host} wss://{host}" if HOST.fullmatch(host) else ""  # never ; or '

    return POLICY.format(sockets=sockets).strip()


class SecurityHeaders:
    """Pure ASGI: add the headers to every HTTP response that does not set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in {**FIXED, "Content-Security-Policy": policy(scope)}.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, with_headers)
