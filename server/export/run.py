"""Running an export: record it as an event, read the chain up to it, render the format.

The `exported` event is appended first (through EventStore.execute, so a retried key
exports again without a second event), then the events up to and including it are read:
the export carries the record of itself, and its head hash is that event's hash.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from functools import partial
from multiprocessing import get_context
from typing import TypeVar
from uuid import UUID

import structlog

from incidents.authz import authorize
from incidents.domain import Command
from incidents.exports import ExportIncident, ExportIncidentFull
from incidents.plan import Bilingual
from incidents.state import Actor
from incidents.store import EventStore
from playbooks.catalog import Library
from server.export import as_csv, as_json, as_markdown
from server.export.model import build_report
from server.export.paused_gc import paused_gc
from server.export.pdf_ready import missing, unavailable
from server.export.view import ExportView, view_of
from server.i18n import Translator

log = structlog.get_logger(__name__)

T = TypeVar("T")
Progress = Callable[[str, int, int], None]  # (stage, done, total)

# Rendering (a PDF of 250 events takes 1-3 s of pure Python) runs in worker processes, not
# on the event loop nor in a thread (which would still hold the GIL away from the loop), so
# no socket on the node stalls; two at once at most, the rest wait their turn in line.
RENDERS_AT_ONCE = 2
_renderers = ProcessPoolExecutor(RENDERS_AT_ONCE, mp_context=get_context("spawn"))


def _fresh_pool() -> ProcessPoolExecutor:
    """A pool whose worker died (killed, out of memory) refuses all work: make a new one."""
    global _renderers
    _renderers = ProcessPoolExecutor(RENDERS_AT_ONCE, mp_context=get_context("spawn"))
    return _renderers


MEDIA = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "pdf": "application/pdf",
}


@dataclass(frozen=True, slots=True)
class Exported:
    data: bytes
    filename: str
    media_type: str
    events: int
    head_hash: str


def unit_names(library: Library | None) -> dict[str, Bilingual]:
    if library is None:
        return {}
    return {uid: Bilingual(u.name.zh, u.name.en) for uid, u in library.units.items()}


def command_for(fmt: str, *, full: bool) -> Command:
    return ExportIncidentFull(fmt) if full else ExportIncident(fmt)


def render(
    fmt: str,
    view: ExportView,
    t: Translator,
    units: Mapping[str, Bilingual],
    *,
    exported_by: str,
) -> bytes:
    """The export's bytes in one format, from its view of the events (the collector paused)."""
    with paused_gc():
        if fmt == "json":
            at = view.events[-1].occurred_at
            doc = as_json.export_document(view, exported_at=at, exported_by=exported_by)
            return as_json.to_bytes(doc)
        report = build_report(view, units)
        if fmt == "csv":
            return as_csv.render_csv(report, t, view.fields).encode("utf-8")
        if fmt == "md":
            return as_markdown.render_markdown(report, t, units).encode("utf-8")
        from server.export import as_pdf  # WeasyPrint loads only for PDFs

        return as_pdf.render_pdf(report, t, units)


async def render_aside(
    fmt: str,
    view: ExportView,
    t: Translator,
    units: Mapping[str, Bilingual],
    *,
    exported_by: str,
) -> bytes:
    """`render` in a worker process; what it is sent is copied into plain, picklable dicts."""
    plain = replace(t, names=dict(t.names))
    return await _aside(partial(render, fmt, view, plain, dict(units), exported_by=exported_by))


async def _aside(work: Callable[[], T]) -> T:
    """`work` in a renderer process; a pool whose worker died is made again, once."""
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(_renderers, work)
    except BrokenProcessPool:
        log.warning("export_renderer_restarted")
        return await loop.run_in_executor(_fresh_pool(), work)


async def check_can_render(fmt: str) -> None:
    """Refuse a PDF, naming the packages, where this machine cannot lay one out."""
    if fmt != "pdf":
        return
    lacking = await _aside(missing)  # asked where PDFs are made: a renderer process
    if lacking:
        log.warning("pdf_unavailable", packages=list(lacking))
        raise unavailable(lacking)


async def export_incident(
    store: EventStore,
    incident_id: UUID,
    actor: Actor,
    fmt: str,
    *,
    full: bool,
    key: str,
    t: Translator,
    units: Mapping[str, Bilingual],
    progress: Progress | None = None,
) -> Exported:
    """Record the export, then render it; refused (NotAuthorized…) before anything is read."""
    note = progress or (lambda stage, done, total: None)
    command = command_for(fmt, full=full)
    authorize(actor.role, command.action)  # first: a role that may not export learns nothing
    await check_can_render(fmt)  # before the export is recorded: no event of a file not made
    outcome = await store.execute(incident_id, command, actor, key)
    head = max(e.seq for e in outcome.events)
    note("read", 0, head)
    events = [e for e in await store.events(incident_id) if e.seq <= head]
    note("read", len(events), head)
    note("render", 0, len(events))
    view = view_of(events, redact=not full)
    data = await render_aside(fmt, view, t, units, exported_by=actor.user_id)
    note("render", len(events), len(events))
    kind = "redacted" if not full else "full"
    name = f"incident-{incident_id}-{kind}.{fmt}"
    return Exported(data, name, MEDIA[fmt], len(events), events[-1].hash)
