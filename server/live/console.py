"""One connected console: what it watches, as whom, and its bounded outgoing backlog."""

from __future__ import annotations

import asyncio
from collections import deque
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


@dataclass(eq=False, slots=True)
class Console:
    """One socket. `group` is fixed for its life: the hub indexes consoles by it.

    Its outgoing side costs nothing while sends finish at once, as they nearly always do:
    a text waits in `backlog` (made then) only behind a send that had to wait for the
    network, and the send's own completion sends the next. An idle console holds no queue
    and no task of its own, so it costs what its socket costs (bench/connections.py)."""

    send: Callable[[str], Awaitable[None] | None]  # None: sent already, nothing to await
    close: Callable[[int], Awaitable[None]]
    view: View
    language: str
    role: Role
    session_id: str
    ready: bool = False
    seen: dict[UUID, int] = field(default_factory=dict)
    pending: list[tuple[UUID, int, int, str]] = field(default_factory=list)
    in_flight: asyncio.Future[None] | None = None
    backlog: deque[str] | None = None
    group: Group = field(init=False)

    def __post_init__(self) -> None:
        # Only the incident page differs by role (the commander's controls).
        role = self.role if self.view.kind == "incident" else Role.VIEWER
        self.group = (self.view, self.language, role)

    def offer(self, text: str) -> bool:
        """Send now when nothing is ahead of it; else keep it in order behind the send in
        flight. False: QUEUE_LIMIT texts are waiting already (the hub closes it to resync)."""
        if self.in_flight is None:
            self._start(text)
            return True
        if self.backlog is None:
            self.backlog = deque()
        if len(self.backlog) >= QUEUE_LIMIT:
            return False
        self.backlog.append(text)
        return True

    def stop(self) -> None:
        """The socket is gone: nothing more is sent, and a send that waits is given up."""
        self.backlog = None
        if self.in_flight is not None:
            self.in_flight.cancel()

    async def sent(self) -> None:
        """Wait until every text offered so far has been handed to the socket."""
        while self.in_flight is not None:
            await asyncio.wait([self.in_flight])
            await asyncio.sleep(0)  # its completion callback starts the next one

    def _start(self, text: str) -> None:
        try:
            waiting = self.send(text)
            self.in_flight = None if waiting is None else run_eagerly(waiting)
        except Exception:  # the socket is going away; its endpoint will detach it
            log.debug("send_failed", view=self.view.kind)
            self.in_flight = None
        if self.in_flight is not None:
            self.in_flight.add_done_callback(self._next)

    def _next(self, done: asyncio.Future[None]) -> None:
        """A send that had to wait is done: send what queued behind it, in order."""
        self.in_flight = None
        if done.cancelled() or done.exception() is not None:
            self.backlog = None  # the socket failed; its endpoint detaches it
            return
        while self.backlog and self.in_flight is None:
            self._start(self.backlog.popleft())
        if not self.backlog:
            self.backlog = None
