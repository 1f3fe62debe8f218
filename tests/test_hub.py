"""The hub on a real store: one render per group, slow consoles dropped, snapshot then stream."""

from __future__ import annotations

import asyncio
import re
import time
import uuid

import asyncpg
import pytest

from incidents.clock import ManualClock
from incidents.events import Event
from incidents.kinds import Role
from incidents.lifecycle import AddNote
from incidents.state import IncidentState
from incidents.store import EventStore, Outcome
from server.database import DatabaseUnavailable, bounded_pool
from server.i18n import Catalogue
from server.incident.render import Renderer
from server.live.broker import Notice
from server.live.close_codes import Close
from server.live.hub import Console, Hub, View
from server.settings import DatabaseTimeouts
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


def key() -> str:
    return uuid.uuid4().hex


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
    await console.sent()
    deltas = [META.search(t) for t in sent[1:]]
    assert [(int(m[1]), int(m[2])) for m in deltas if m] == [(2, 4)]
    assert "data-snapshot" in sent[0]


async def test_each_group_gets_its_own_text_and_quiet_or_other_pages_get_nothing(
    store: EventStore, clock: ManualClock
) -> None:
    """Consoles of one page share one text; the English one gets its own; a quiet page and
    the page of another incident are sent nothing; a console that left, nothing more."""
    hub = Hub(store, Renderer(Catalogue.load(), "Asia/Shanghai"), clock)
    opened = await store.execute(None, open_cmd(), DUTY, uuid.uuid4().hex)
    other = await store.execute(None, open_cmd(), DUTY, uuid.uuid4().hex)
    sent: dict[str, list[str]] = {k: [] for k in ("zh1", "zh2", "en", "quiet", "other", "gone")}
    page = View("incident", opened.incident_id)
    consoles = {
        "zh1": make_console(page, sent["zh1"], []),
        "zh2": make_console(page, sent["zh2"], []),
        "en": make_console(page, sent["en"], []),
        "quiet": make_console(View("quiet"), sent["quiet"], []),
        "other": make_console(View("incident", other.incident_id), sent["other"], []),
        "gone": make_console(View("board"), sent["gone"], []),
    }
    consoles["en"].language = "en"
    consoles["en"].__post_init__()  # its group follows its language
    for console in consoles.values():
        await hub.attach(console)
    hub.detach(consoles["gone"])
    note = await store.execute(opened.incident_id, AddNote("现场 🚑 ok"), STAFF, uuid.uuid4().hex)
    await hub.handle(notice(note))
    for console in consoles.values():
        await console.sent()
    deltas = {k: v[1:] for k, v in sent.items()}  # after each snapshot
    assert len(deltas["zh1"]) == 1 and deltas["zh1"] == deltas["zh2"]
    assert f'data-incident="{opened.incident_id}"' in deltas["zh1"][0]
    assert "现场 🚑 ok" in deltas["zh1"][0] and "现场 🚑 ok" in deltas["en"][0]
    assert len(deltas["en"]) == 1 and deltas["en"] != deltas["zh1"]
    assert deltas["quiet"] == deltas["other"] == deltas["gone"] == []
    assert consoles["gone"] not in hub.consoles


async def test_a_long_fan_out_gives_the_loop_back_and_keeps_each_consoles_order(
    store: EventStore, clock: ManualClock
) -> None:
    """Consoles whose sends take time: other tasks run before the fan-out ends (the loop is
    not held for the whole of it), and every console still gets every seq once, in order."""
    hub = Hub(store, Renderer(Catalogue.load(), "Asia/Shanghai"), clock)
    ticks: list[int] = []
    sent: list[list[str]] = [[] for _ in range(12)]

    def slow_console(out: list[str]) -> Console:
        async def send(text: str) -> None:
            busy_until = time.perf_counter() + 0.001  # a busy socket: 12 outlast a slice
            while time.perf_counter() < busy_until:
                pass
            out.append(text)

        async def close(code: int) -> None:
            raise AssertionError(f"closed with {code}")

        return Console(send, close, View("board"), "zh-CN", Role.DUTY_OFFICER, "s")

    consoles = [slow_console(out) for out in sent]
    opened = await store.execute(None, open_cmd(), DUTY, uuid.uuid4().hex)
    for console in consoles:
        await hub.attach(console)

    async def ticker() -> None:
        while True:
            ticks.append(sum(map(len, sent)))  # how far the fan-out had got
            await asyncio.sleep(0)

    running = asyncio.create_task(ticker())
    for n in range(3):
        note = await store.execute(opened.incident_id, AddNote(f"第{n}条"), STAFF, key())
        await hub.handle(notice(note))
    running.cancel()
    seqs = [[int(m[2]) for t in out[1:] if (m := META.search(t))] for out in sent]
    assert all(s == seqs[0] and s == sorted(set(s)) and len(s) == 3 for s in seqs), seqs
    # the ticker ran while part of a fan-out had been sent, not only between fan-outs
    assert any(t % len(consoles) for t in ticks), ticks


def counting_reads(store: EventStore) -> list[int]:
    """Count the hub's reads of an incident from the database (the store's own `changes`)."""
    reads: list[int] = []
    read = store.changes

    async def changes(incident_id: uuid.UUID, **kw: int) -> tuple[IncidentState, list[Event]]:
        reads.append(1)
        return await read(incident_id, **kw)

    store.changes = changes  # type: ignore[method-assign]
    return reads


async def test_the_node_that_wrote_a_command_pushes_it_without_reading_it_back(
    store: EventStore, clock: ManualClock, pool: asyncpg.Pool
) -> None:
    """This node's commit is pushed from its outcome; another node's is read from PostgreSQL,
    and both reach the console in order, each once."""
    hub = Hub(store, Renderer(Catalogue.load(), "Asia/Shanghai"), clock)
    sent: list[str] = []
    opened = await store.execute(None, open_cmd(), DUTY, uuid.uuid4().hex)
    console = make_console(View("incident", opened.incident_id), sent, [])
    await hub.attach(console)
    await hub.handle(notice(opened))
    reads = counting_reads(store)

    here = await store.execute(opened.incident_id, AddNote("本节点 🙂"), STAFF, uuid.uuid4().hex)
    await hub.handle(notice(here))
    assert reads == [] and "本节点 🙂" in sent[-1]

    other = EventStore(pool, clock)  # a second node on the same database
    there = await other.execute(opened.incident_id, AddNote("另一节点"), STAFF, uuid.uuid4().hex)
    await hub.handle(notice(there))
    assert reads == [1] and "另一节点" in sent[-1]
    seqs = [(int(m[1]), int(m[2])) for text in sent if (m := META.search(text))]
    assert [s for _, s in seqs[-2:]] == [here.state.last_seq, there.state.last_seq]
    assert all(prev == seq - 1 for prev, seq in seqs[-2:])


async def test_a_snapshot_that_could_not_be_read_is_read_again_for_the_next_console(
    database_url: str, clock: ManualClock
) -> None:
    """Every connection busy (a reconnect storm): the console that asked is told the database
    is unavailable (it is closed with 1013 and comes back); the next console of the same
    page gets a snapshot, not the same failure handed on."""
    timeouts = DatabaseTimeouts(connect=1.0, acquire=0.2, command=1.0)
    pool = await bounded_pool(database_url, timeouts, max_size=1, server_settings=None)
    try:
        store = EventStore(pool, clock)
        await store.execute(None, open_cmd(), DUTY, key())
        hub = Hub(store, Renderer(Catalogue.load(), "Asia/Shanghai"), clock)
        first, sent = make_console(View("board"), [], []), list[str]()
        async with pool.acquire():  # the only connection, held
            with pytest.raises(DatabaseUnavailable):
                await hub.attach(first)
            hub.detach(first)
            late = make_console(View("board"), [], [])
            with pytest.raises(DatabaseUnavailable):  # the same read, still failing
                await hub.attach(late)
            hub.detach(late)
        second = make_console(View("board"), sent, [])
        await hub.attach(second)
        assert "一楼大厅" in sent[0] and "data-snapshot" in sent[0]
    finally:
        await pool.close()
