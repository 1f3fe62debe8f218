"""The phone view as an installable web app: its manifest and its service worker.

The worker's script lives in web/static/sw.js but is served from /m/sw.js, with a
Service-Worker-Allowed header so its scope can be "/m" (the list itself, not only /m/…).
Both answers are public: a browser asks for them without a session (the manifest) or
after sign-out (the worker's update check).
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

import web
from server.i18n import Translator, normalize
from server.services import services

STATIC = Path(web.__file__).parent / "static"
SCOPE = "/m"
ICONS = [
    {"src": "/static/icon-192.png", "sizes": "192x192", "type": "image/png"},
    {"src": "/static/icon-512.png", "sizes": "512x512", "type": "image/png"},
    {"src": "/static/icon.svg", "sizes": "any", "type": "image/svg+xml"},
]


def manifest(t: Translator) -> dict[str, object]:
    """The manifest in the translator's language (the name on the home screen)."""
    return {
        "name": t("pwa.name"),
        "short_name": t("pwa.short_name"),
        "lang": t.language,
        "start_url": SCOPE,
        "scope": SCOPE,
        "display": "standalone",
        "background_color": "#14203a",
        "theme_color": "#14203a",
        "icons": ICONS,
    }


async def manifest_file(request: Request) -> Response:
    t = services(request).renderer.translator(normalize(request.query_params.get("lang")))
    headers = {"Cache-Control": "no-cache"}
    return JSONResponse(manifest(t), media_type="application/manifest+json", headers=headers)


async def worker(request: Request) -> Response:
    # no-cache: a new release's worker is picked up at the next visit, not a day later
    headers = {"Cache-Control": "no-cache", "Service-Worker-Allowed": SCOPE}
    return FileResponse(STATIC / "sw.js", media_type="text/javascript", headers=headers)


def pwa_routes() -> list[Route]:
    return [
        Route(f"{SCOPE}/manifest.webmanifest", manifest_file),
        Route(f"{SCOPE}/sw.js", worker),
    ]
