"""The WebSocket hub: after each commit, push rendered fragments to every console watching.

Fan-out never sits on the request path: a POST publishes a Notice and returns; the hub
takes notices from the broker in its own task, reads the changes once, renders each
fragment once per (view, language, role) and offers the text to every console, each with
a bounded backlog. A console that falls behind (its backlog full) is closed with 1013 so
its browser reconnects and resyncs; it never holds up the others.

Snapshot, then stream: a console is registered first, then sent a snapshot at known
seqs; deltas that arrived meanwhile are kept and sent after it, those already covered
dropped. Each message carries (incident, prev, seq); the browser resyncs on a gap.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from uuid import UUID

import structlog

from incidents.clock import Clock
from incidents.events import Event
from incidents.state import IncidentState
from incidents.store import EventStore
from server.auth.errors import LoginRequired
from server.database import unavailable
from server.errors import close_of
from server.incident.render import Renderer
from server.live.broker import Broker, Notice, Resync
from server.live.close_codes import Close
from server.live.console import LIST_VIEWS, LISTS_KEY, QUIET, Console, Group, View

Snapshot = tuple[str, dict[UUID, int]]  # a page's text and the seq it shows of each incident

__all__ = ["Console", "Hub", "View"]

log = structlog.get_logger(__name__)

TIMELINE_LIMIT = 500  # the live page shows the latest events; the export has them all
SLICE = 0.001  # seconds of fan-out before other tasks get the loop: a task woken meanwhile
# runs within about three slices (asyncio runs it after the next slice), under 5 ms


# Views of every open incident: (render one incident's update, render the whole list).
LISTS = {
    "board": (Renderer.board_update, Renderer.board_snapshot),
    "phones": (Renderer.phone_list_update, Renderer.phone_list_snapshot),
}
assert tuple(LISTS) == LIST_VIEWS


def meta(incident_id: UUID, prev: int, seq: int) -> str:
    return (
        f'<span id="wf-seq" hidden hx-swap-oob="true" data-incident="{incident_id}" '
        f'data-prev="{prev}" data-seq="{seq}"></span>'
    )


def snapshot_meta(seqs: dict[UUID, int]) -> str:
    pairs = ",".join(f"{i}:{s}" for i, s in seqs.items())
    return f'<span id="wf-seq" hidden hx-swap-oob="true" data-snapshot="{pairs}"></span>'


class Hub:
    def __init__(self, store: EventStore, renderer: Renderer, clock: Clock) -> None:
        self.store, self.renderer, self.clock = store, renderer, clock
        self.consoles: set[Console] = set()
        # consoles by what they watch (View.key), then by group
        self._watchers: dict[UUID | str, dict[Group, set[Console]]] = {}
        self.known: dict[UUID, int] = {}
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._version = 0  # bumped by every fan-out: snapshots of an older version are stale
        self._snapshots: dict[tuple[Group, int], asyncio.Future[Snapshot]] = {}

    # --- consoles -----------------------------------------------------------------

    async def attach(self, console: Console) -> None:
        """Register first, then snapshot: nothing committed in between is missed."""
        self.consoles.add(console)
        groups = self._watchers.setdefault(console.view.key, {})
        groups.setdefault(console.group, set()).add(console)
        await self._snapshot(console)

    def detach(self, console: Console) -> None:
        self.consoles.discard(console)
        groups = self._watchers.get(console.view.key, {})
        if (members := groups.get(console.group)) is not None:
            members.discard(console)
            if not members:
                del groups[console.group]
            if not groups:
                del self._watchers[console.view.key]
        console.stop()

    async def _snapshot(self, console: Console) -> None:
        console.ready = False
        text, seqs = await self._render_snapshot(console)
        console.seen = seqs
        console.ready = True
        if not console.offer(text + snapshot_meta(seqs)):
            await self._drop(console)
            return
        pending, console.pending = console.pending, []
        for incident_id, prev, seq, delta in pending:
            self._deliver(console, incident_id, prev, seq, delta)

    async def _render_snapshot(self, console: Console) -> tuple[str, dict[UUID, int]]:
        """One read and one render per group and version, however many consoles ask at once
        (a reconnect storm); any fan-out since makes the cached snapshot stale."""
        key = (console.group, self._version)
        if key not in self._snapshots:
            self._snapshots = {k: v for k, v in self._snapshots.items() if k[1] == self._version}
            read = asyncio.ensure_future(self._read_snapshot(console.group))
            read.add_done_callback(lambda done: self._forget_failed(key, done))
            self._snapshots[key] = read
        text, seqs = await asyncio.shield(self._snapshots[key])
        return text, dict(seqs)

    def _forget_failed(self, key: tuple[Group, int], read: asyncio.Future[Snapshot]) -> None:
        """A read that failed (the database away, a pool exhausted) is not the snapshot: the
        next console of the group reads again rather than being handed the same failure."""
        if (read.cancelled() or read.exception()) and self._snapshots.get(key) is read:
            del self._snapshots[key]

    async def _read_snapshot(self, group: Group) -> Snapshot:
        """The group's snapshot; a database failure raised as DatabaseUnavailable here, where
        asyncpg's frames are still on its traceback: a shared future re-raised to many
        consoles loses them, and `unavailable` would no longer know the failure for ours."""
        try:
            return await self._read_group(group)
        except Exception as exc:
            if (down := unavailable(exc)) is not None and down is not exc:
                raise down from exc
            raise

    async def _read_group(self, group: Group) -> Snapshot:
        view, lang, role = group
        now = self.clock.now()
        if view.kind == QUIET:
            return "", {}
        if view.kind in LISTS:
            states = await self.store.incidents()
            text = LISTS[view.kind][1](self.renderer, states, lang, now)
            return text, {s.id: s.last_seq for s in states}
        assert view.incident_id is not None
        state, events = await self.store.changes(view.incident_id, limit=TIMELINE_LIMIT)
        if view.kind == "phone":
            text = self.renderer.phone_update(state, None, lang, now)
        else:
            text = self.renderer.incident_snapshot(state, events, lang, role, now)
        return text, {state.id: state.last_seq}

    async def _drop(self, console: Console) -> None:
        """A console that cannot keep up: close it so it reconnects and resyncs."""
        log.info("console_dropped", view=console.view.kind, reason="backlog_full")
        self.detach(console)
        with contextlib.suppress(Exception):
            await console.close(Close.RESYNC)

    # --- fan-out ------------------------------------------------------------------

    async def run(self, broker: Broker) -> None:
        """Take notices from the broker for as long as the app runs."""
        async for message in broker.listen():
            try:
                if isinstance(message, Resync):
                    await self.resync_all()
                else:
                    await self.handle(message)
            except Exception:  # one bad notice must not stop the live board
                log.exception("fanout_failed")

    async def handle(self, notice: Notice) -> None:
        async with self._lock:
            known = self.known.get(notice.incident_id)
            if known is not None and known >= notice.last_seq:
                return
            if known is None:  # first notice here: start where the slowest watcher is
                prev = notice.first_seq - 1
                floor = min([prev, *self._seen_by_watchers(notice.incident_id)])
            else:
                prev = floor = known
            committed = self.store.committed(notice.incident_id, floor, notice.last_seq)
            state, events = committed or await self.store.changes(
                notice.incident_id, after_seq=floor
            )
            self.known[notice.incident_id] = state.last_seq
            await self.fan_out(state, events, prev)

    def _seen_by_watchers(self, incident_id: UUID) -> list[int]:
        return [
            c.seen[incident_id]
            for c in self.consoles
            if c.ready and incident_id in c.seen and c.view.watches(incident_id)
        ]

    async def fan_out(self, state: IncidentState, events: Sequence[Event], prev: int) -> None:
        """Render once per (group, starting seq), normally one start for all, and offer the
        same text to each console of the group; the loop is given back every SLICE."""
        self._version += 1
        floor = events[0].seq - 1 if events else state.last_seq
        last, incident_id = state.last_seq, state.id
        yield_at = time.perf_counter() + SLICE
        for group, consoles in self._groups_watching(incident_id):
            rendered: dict[int, str] = {}
            for console in consoles:
                since = max(floor, console.seen.get(incident_id, prev) if console.ready else prev)
                if since >= last:
                    continue
                if (text := rendered.get(since)) is None:
                    delta = [e for e in events if e.seq > since]
                    # the marker goes last: a fragment that starts with <tr> parses in table
                    # context
                    text = self._render_delta(group, state, delta) + meta(incident_id, since, last)
                    rendered[since] = text
                self._deliver(console, incident_id, since, last, text)
                if time.perf_counter() >= yield_at:
                    await asyncio.sleep(0)
                    yield_at = time.perf_counter() + SLICE

    def _groups_watching(self, incident_id: UUID) -> Iterator[tuple[Group, list[Console]]]:
        """Each group watching the incident, with its consoles as they are now (a console that
        leaves while the fan-out yields is skipped by `_deliver`)."""
        for key in (LISTS_KEY, incident_id):
            for group, members in list(self._watchers.get(key, {}).items()):
                yield group, list(members)

    def _render_delta(self, group: Group, state: IncidentState, events: Sequence[Event]) -> str:
        view, lang, role = group
        now = self.clock.now()
        if view.kind in LISTS:
            return LISTS[view.kind][0](self.renderer, state, events, lang, now)
        if view.kind == "phone":
            return self.renderer.phone_update(state, events, lang, now)
        return self.renderer.incident_update(state, events, lang, role, now)

    def _deliver(self, console: Console, incident_id: UUID, prev: int, seq: int, text: str) -> None:
        if console not in self.consoles:
            return  # detached while the fan-out gave the loop away
        if not console.ready:
            console.pending.append((incident_id, prev, seq, text))
            return
        if seq <= console.seen.get(incident_id, -1):
            return  # the snapshot already covered it
        if console.offer(text):
            console.seen[incident_id] = seq
        else:
            self._tasks.add(task := asyncio.get_running_loop().create_task(self._drop(console)))
            task.add_done_callback(self._tasks.discard)

    # --- healing ------------------------------------------------------------------

    async def resync_all(self) -> None:
        """Notices may have been lost: give every console a fresh snapshot."""
        log.info("resync_all", consoles=len(self.consoles))
        self.known.clear()
        self._version += 1
        for console in list(self.consoles):
            await self._snapshot(console)

    async def heal(self, heads: Iterable[tuple[UUID, int]]) -> int:
        """Catch up on incidents whose head is past what this node pushed (missed notices)."""
        behind = [(i, s) for i, s in heads if s > self.known.get(i, 0)]
        for incident_id, seq in behind:
            await self.handle(Notice(incident_id, self.known.get(incident_id, 0) + 1, seq))
        return len(behind)

    async def close_ended_sessions(self, active: Callable[[set[str]], Awaitable[set[str]]]) -> int:
        """Close the sockets of sessions that ended (logout, disabled user)."""
        ids = {c.session_id for c in self.consoles}
        if not ids:
            return 0
        alive = await active(ids)
        # only those asked about: a console that connected meanwhile was not checked yet
        ended = [c for c in self.consoles if c.session_id in ids and c.session_id not in alive]
        for console in ended:
            self.detach(console)
            with contextlib.suppress(Exception):
                await console.close(close_of(LoginRequired))
        return len(ended)
