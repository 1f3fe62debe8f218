"""The hub on a real store: one render per group, slow consoles dropped, snapshot then stream."""

from __future__ import annotations

import asyncio
import re
import uuid

from incidents.clock import ManualClock
from incidents.kinds import Role
from incidents.lifecycle import AddNote
from incidents.store import EventStore, Outcome
from server.i18n import Catalogue
from server.incident.render import Renderer
from server.live.broker import Notice
from server.live.close_codes import Close
from server.live.hub import Console, Hub, View
from tests.support import DUTY, STAFF, open_cmd

META = re.compile(r'data-incident="[^"]+" data-prev="(\d+)" data-seq="(\d+)"')


def make_console(view: View, sent: list[str], closed: list[int], *, stuck: bool = False) -> Console:
    gate = asyncio.Event()

    async def send(text: str) -> None:
        if stuck:
            await gate.wait()  # a phone on a dead network: its sends never finish
        sent.append(text)

    async def close(code: int) -> None:
        closed.append(code)

    return Console(send, close, view, "zh-CN", Role.DUTY_OFFICER, uuid.uuid4().hex)


def notice(outcome: Outcome) -> Notice:
    return Notice(outcome.incident_id, outcome.events[0].seq, outcome.events[-1].seq)


async def test_slow_console_is_dropped_and_never_holds_up_the_others(
    store: EventStore, clock: ManualClock
) -> None:
    """A console that stops reading is closed with 1013; the others get every seq, in order."""
    hub = Hub(store, Renderer(Catalogue.load(), "Asia/Shanghai"), clock)
    fast_sent: list[str] = []
    slow_closed: list[int] = []
    fast = make_console(View("board"), fast_sent, [])
    slow = make_console(View("board"), [], slow_closed, stuck=True)
    for console in (fast, slow):
        await hub.attach(console)
    pumps = [asyncio.create_task(c.pump()) for c in (fast, slow)]
    opened = await store.execute(None, open_cmd(), DUTY, uuid.uuid4().hex)
    await hub.handle(notice(opened))
    for n in range(100):
        note = await store.execute(opened.incident_id, AddNote(f"n{n}"), STAFF, uuid.uuid4().hex)
        await hub.handle(notice(note))
        await asyncio.sleep(0)
    await asyncio.sleep(0.05)
    assert slow_closed == [Close.RESYNC]
    assert slow not in hub.consoles
    seqs = [(int(m[1]), int(m[2])) for text in fast_sent if (m := META.search(text))]
    assert [s for _, s in seqs] == list(range(seqs[0][1], 102 + 1))
    assert all(prev == seq - 1 for prev, seq in seqs[1:])
    for pump in pumps:
        pump.cancel()
    await asyncio.gather(*pumps, return_exceptions=True)


async def test_out_of_order_notices_are_healed_from_the_database(
    store: EventStore, clock: ManualClock
) -> None:
    """Notices arriving late or out of order never reach a console as a gap or a duplicate."""
    hub = Hub(store, Renderer(Catalogue.load(), "Asia/Shanghai"), clock)
    sent: list[str] = []
    console = make_console(View("board"), sent, [])
    opened = await store.execute(None, open_cmd(), DUTY, uuid.uuid4().hex)
    await hub.attach(console)
    first = await store.execute(opened.incident_id, AddNote("a"), STAFF, uuid.uuid4().hex)
    second = await store.execute(opened.incident_id, AddNote("b"), STAFF, uuid.uuid4().hex)
    await hub.handle(notice(second))
    await hub.handle(notice(first))
    await hub.handle(notice(second))
    console.queue.put_nowait(None)
    await console.pump()
    deltas = [META.search(t) for t in sent[1:]]
    assert [(int(m[1]), int(m[2])) for m in deltas if m] == [(2, 4)]
    assert "data-snapshot" in sent[0]
