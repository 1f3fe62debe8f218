"""POST /incidents/{id}/export: the export as a download, recorded on the incident's timeline.

A POST (with CSRF and an idempotency key), never a GET: an export writes an event.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from incidents.errors import InvalidCommand, Named
from incidents.exports import FORMATS
from server.auth.protect import require_csrf, require_session
from server.export.run import export_incident, unit_names
from server.i18n import normalize
from server.incident.commands import idempotency_key, incident_id, read_fields
from server.incident.input import Fields, text
from server.services import services


def export_format(fields: Fields) -> str:
    fmt = text(fields, "format") or "pdf"
    if fmt not in FORMATS:
        raise InvalidCommand(
            "input.choice",
            f"format must be one of {', '.join(FORMATS)}",
            field="format",
            name=Named("field", "format"),
        )
    return fmt


async def export_route(request: Request) -> Response:
    session = require_session(request)
    await require_csrf(request)
    fields = await read_fields(request)
    fmt = export_format(fields)
    full = fields.get("full") in (True, "on", "true", "1")
    language = normalize(text(fields, "lang") or session.user.language)
    renderer = services(request).renderer
    done = await export_incident(
        services(request).store,
        incident_id(request),
        session.user.actor,
        fmt,
        full=full,
        key=idempotency_key(request, fields),
        t=renderer.translator(language),
        units=unit_names(services(request).library),
    )
    return Response(
        done.data,
        media_type=done.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{done.filename}"',
            "Cache-Control": "no-store",
            "X-Watchfloor-Head": done.head_hash,
        },
    )


def export_routes() -> list[Route]:
    return [Route("/incidents/{incident_id}/export", export_route, methods=["POST"])]
