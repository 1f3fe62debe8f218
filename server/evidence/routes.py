"""An attached file over HTTP: the original and its thumbnail, only for the roles that may
see evidence (incidents/authz.py), only under the incident that attached it."""

from __future__ import annotations

from urllib.parse import quote
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from incidents.authz import Action, authorize
from incidents.errors import NotFound
from incidents.state import AttachmentState
from server.auth.protect import require_session
from server.evidence import store
from server.evidence.sniff import CONTENT_TYPES, THUMBNAILED
from server.services import services

# Nothing in a stored file runs here: no script, no plugin, no frame, whatever it holds.
_SANDBOX = (
    "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'"
)


def _not_found() -> NotFound:
    return NotFound("evidence.not_found", "no such file on this incident")


async def _attached(request: Request) -> tuple[AttachmentState, store.StoredFile]:
    """The file as this incident attached it, for a role that may see it; else 403 / 404."""
    session = require_session(request)
    authorize(session.user.role, Action.VIEW_EVIDENCE)
    try:
        incident_id = UUID(request.path_params["incident_id"])
    except ValueError:
        raise _not_found() from None
    state = await services(request).store.state(incident_id)
    record = state.attachment(request.path_params["sha256"])
    found = await store.read(services(request).pool, record.sha256) if record else None
    if record is None or found is None:
        raise _not_found()
    return record, found


def _headers(record: AttachmentState, inline: bool) -> dict[str, str]:
    name = record.name or f"{record.sha256[:12]}"
    how = "inline" if inline else "attachment"
    return {
        "Content-Disposition": f"{how}; filename*=UTF-8''{quote(name, safe='')}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": _SANDBOX,
        "Cache-Control": "private, no-store",
    }


async def original(request: Request) -> Response:
    record, found = await _attached(request)
    kind = found.content_type if found.content_type in CONTENT_TYPES else "application/octet-stream"
    inline = kind in THUMBNAILED  # a photo opens in the tab; anything else is downloaded
    return Response(bytes(found.content), media_type=kind, headers=_headers(record, inline))


async def thumb(request: Request) -> Response:
    record, found = await _attached(request)
    small = None
    if found.content_type in THUMBNAILED:
        small = await services(request).thumbnails.of(record.sha256, bytes(found.content))
    if small is None:
        raise _not_found()
    return Response(small, media_type="image/jpeg", headers=_headers(record, True))


def evidence_routes() -> list[Route]:
    return [
        Route("/incidents/{incident_id}/evidence/{sha256}", original),
        Route("/incidents/{incident_id}/evidence/{sha256}/thumb", thumb),
    ]
