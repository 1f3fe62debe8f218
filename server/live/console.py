"""One connected console: what it watches, as whom, and its bounded outgoing queue."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from uuid import UUID

import structlog

from incidents.kinds import Role
from server.live.eager import run_eagerly

log = structlog.get_logger(__name__)

LIST_VIEWS = ("board", "phones")  # views of every open incident

# A page with no live part but its connection state (resources, follow-up, roster):
# it is told nothing of incidents, so no fragment arrives without a place to go.
QUIET = "quiet"

LISTS_KEY = "lists"  # View.key of the views of every incident

QUEUE_LIMIT = 64  # texts a console may fall behind before it is closed to resync


@dataclass(frozen=True, slots=True)
class View:
    kind: str  # "board", "phones", "incident", "phone" or "quiet"
    incident_id: UUID | None = None

    @classmethod
    def parse(cls, text: str) -> View:
        kind, _, rest = text.partition(":")
        if (kind in LIST_VIEWS or kind == QUIET) and not rest:
            return cls(kind)
        if kind in ("incident", "phone"):
            return cls(kind, UUID(rest))
        raise ValueError(f"unknown view {text!r}")

    @property
    def key(self) -> UUID | str:
        """What it watches: one incident, all of them (LISTS_KEY), or none (QUIET)."""
        if self.kind in LIST_VIEWS:
            return LISTS_KEY
        return self.incident_id or QUIET

    def watches(self, incident_id: UUID) -> bool:
        return self.kind in LIST_VIEWS or self.incident_id == incident_id


Group = tuple[View, str, Role]


@dataclass(eq=False)
class Console:
    """One socket. `group` is fixed for its life: the hub indexes consoles by it."""

    send: Callable[[str], Awaitable[None]]
    close: Callable[[int], Awaitable[None]]
    view: View
    language: str
    role: Role
    session_id: str
    queue: asyncio.Queue[str | None] = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))
    ready: bool = False
    seen: dict[UUID, int] = field(default_factory=dict)
    pending: list[tuple[UUID, int, int, str]] = field(default_factory=list)
    in_flight: asyncio.Future[None] | None = None
    group: Group = field(init=False)

    def __post_init__(self) -> None:
        # Only the incident page differs by role (the commander's controls).
        role = self.role if self.view.kind == "incident" else Role.VIEWER
        self.group = (self.view, self.language, role)

    def offer(self, text: str) -> bool:
        """Send now when nothing is ahead of it; else queue it. False: the queue is full."""
        if not self.queue.qsize() and (self.in_flight is None or self.in_flight.done()):
            try:
                self.in_flight = run_eagerly(self.send(text))
            except Exception:  # the socket is going away; its endpoint will detach it
                log.debug("send_failed", view=self.view.kind)
            return True
        try:
            self.queue.put_nowait(text)
        except asyncio.QueueFull:
            return False
        return True

    async def pump(self) -> None:
        """Send queued texts in order (after any send in flight) until told to stop (None)."""
        while (text := await self.queue.get()) is not None:
            if self.in_flight is not None:
                await asyncio.wait([self.in_flight])
            await self.send(text)
