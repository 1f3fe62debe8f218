"""Which sites may send state-changing requests: the console's own origin, plus configured ones.

An origin is compared in one normal form: `scheme://host[:port]`, lowercase, default port left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import Scope

_WEB_SCHEME = {"http": "http", "https": "https", "ws": "http", "wss": "https"}
_DEFAULT_PORT = {"http": 80, "https": 443}


def normalize_origin(value: str | None) -> str | None:
    """`scheme://host[:port]` of a URL or an origin; None when it is not an http(s) one."""
    if not value:
        return None
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = _WEB_SCHEME.get(parts.scheme.lower()), parts.hostname
    if scheme is None or not host:
        return None
    host = f"[{host}]" if ":" in host else host
    if port not in (None, _DEFAULT_PORT[scheme]):
        host = f"{host}:{port}"
    return f"{scheme}://{host}"


def parse_origins(values: Iterable[str]) -> frozenset[str]:
    """Configured extra origins in normal form; a value that is not an origin is an error."""
    found = set()
    for value in values:
        origin = normalize_origin(value)
        if origin is None:
            raise ValueError(f"not an http(s) origin: {value!r}")
        found.add(origin)
    return frozenset(found)


def own_origin(scope: Scope) -> str | None:
    """The origin the request was addressed to (scheme, and the Host the browser sent)."""
    host = Headers(scope=scope).get("host")
    if host is None and scope.get("server"):
        name, port = scope["server"]
        host = f"{name}:{port}" if port else name
    return normalize_origin(f"{scope.get('scheme', 'http')}://{host}") if host else None


def is_allowed_origin(scope: Scope, origin: str | None, extra: frozenset[str]) -> bool:
    normal = normalize_origin(origin)
    return normal is not None and (normal == own_origin(scope) or normal in extra)


def cross_site_reason(scope: Scope, extra: frozenset[str]) -> str | None:
    """Why a state-changing request looks cross-site, or None when it does not.

    Current browsers send Origin with every POST, PUT, PATCH and DELETE. A request with neither
    Origin nor Referer is let through here; the CSRF token check still guards it.
    """
    headers = Headers(scope=scope)
    fetch_site = headers.get("sec-fetch-site", "").lower()
    if fetch_site == "cross-site":
        return "sec_fetch_site"
    claimed = headers.get("origin") or headers.get("referer")
    if claimed == "null" and fetch_site == "same-origin":
        # A page with a strict referrer policy makes the browser send `Origin: null`; the
        # browser's own Sec-Fetch-Site, which no page can forge, still says where it came from.
        return None
    if claimed is not None and not is_allowed_origin(scope, claimed, extra):
        return "origin"
    return None
