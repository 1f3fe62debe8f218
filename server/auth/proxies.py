"""Who is at the other end: the client address and scheme, through trusted proxies only.

A forwarding header (X-Forwarded-For, X-Forwarded-Proto) is anyone's to write, so it is
believed only from a direct peer named in WATCHFLOOR_TRUSTED_PROXIES (none by default). From
such a peer, uvicorn's ProxyHeadersMiddleware rewrites the scope: `client` becomes the
right-most address in X-Forwarded-For that is not itself a trusted proxy, and `scheme` the
forwarded one. Everything downstream (the sign-in limiter, the request log, the Secure
cookie) reads the scope, through `client_address` and `is_secure`, and so sees one answer.

The server must not apply forwarding headers itself: `watchfloor serve` (server/cli.py)
starts uvicorn with proxy_headers off, as uvicorn would otherwise trust loopback.
"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.types import Scope
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

UNKNOWN = "unknown"  # no peer address (a Unix socket, an in-process test transport)


def client_address(scope: Scope) -> str:
    """The client's address as the limiter and the logs know it."""
    client = scope.get("client")
    return str(client[0]) if client else UNKNOWN


def is_secure(scope: Scope) -> bool:
    """Whether the browser reached us over TLS (directly, or to a trusted proxy)."""
    return scope.get("scheme") in ("https", "wss")


def forwarding(trusted: tuple[str, ...]) -> list[Middleware]:
    """The middleware that applies forwarding headers from `trusted` peers; none if none."""
    if not trusted:
        return []
    return [Middleware(ProxyHeadersMiddleware, trusted_hosts=list(trusted))]
