"""Bytes the hub pushes to an incident page per command, over a realistic mix of commands.

Pure: the domain and the renderer, no database or socket (what is measured is what the hub
renders and frames, not how fast). Each command of the mix is one commit, so one push; its
size is set beside the page's snapshot, which is what a whole-page push would send.

    python -m bench.push_bytes [COMMANDS]
"""

from __future__ import annotations

import random
import statistics
import sys
from collections.abc import Callable
from datetime import timedelta
from uuid import uuid4

from bench.common import write_result
from bench.summary import figure, record
from incidents.checklist import TickItem
from incidents.clock import ManualClock
from incidents.domain import Command, process
from incidents.errors import Refusal
from incidents.events import Event
from incidents.kinds import IncidentType, ItemStatus, Level, Role
from incidents.lifecycle import AddNote, ChangeLevel, OpenIncident, UpdateHeadcount
from incidents.notifications import RecordDelivery, RecordPhoneAcknowledgement
from incidents.reports import FileReport, ReportKind
from incidents.resources import RequestResource
from incidents.state import Actor, IncidentState
from playbooks.loader import default_dirs, load_library
from server.i18n import Catalogue
from server.incident.render import Renderer
from server.live.hub import meta
from server.services import plans_from

DUTY = Actor("duty1", Role.DUTY_OFFICER)
STAFF = Actor("staff1", Role.ONSITE_STAFF)
LEAD = Actor("commander1", Role.COMMANDER)
SYSTEM = Actor("dispatcher", Role.SYSTEM)
TARGET = 1500  # bytes: issue 15, "bytes pushed when one note is added"
REPORT = {"time": "10:05", "place": "一楼大厅", "scale": "约 30 人", "cause": "反映拖欠工资 🙏"}

Pick = Callable[[IncidentState, random.Random], tuple[Command, Actor] | None]


def tick(s: IncidentState, rnd: random.Random) -> tuple[Command, Actor] | None:
    open_items = [i.id for i in s.checklist if i.status is ItemStatus.OPEN]
    return (TickItem(rnd.choice(open_items), "已办 done"), STAFF) if open_items else None


def note(s: IncidentState, rnd: random.Random) -> tuple[Command, Actor] | None:
    return AddNote(f"现场情况第 {rnd.randrange(100)} 条 · calm 🙂"), DUTY


def phone_ack(s: IncidentState, rnd: random.Random) -> tuple[Command, Actor] | None:
    waiting = [n.id for n in s.notifications if not n.acknowledged]
    return (RecordPhoneAcknowledgement(rnd.choice(waiting), "王警官"), DUTY) if waiting else None


def delivered(s: IncidentState, rnd: random.Random) -> tuple[Command, Actor] | None:
    """The dispatcher's word that a unit's system took the message."""
    waiting = [n for n in s.notifications if n.status.value in ("planned", "sent")]
    if not waiting:
        return None
    n = rnd.choice(waiting)
    return RecordDelivery(
        n.id, rnd.randrange(10**6), "delivered", n.unit, "值班室", "webhook", 1
    ), SYSTEM


def headcount(s: IncidentState, rnd: random.Random) -> tuple[Command, Actor] | None:
    return UpdateHeadcount(s.headcount + rnd.randrange(1, 4), "又来几人"), STAFF


def resource(s: IncidentState, rnd: random.Random) -> tuple[Command, Actor] | None:
    return RequestResource("police_car", "请求增援"), LEAD


def report(s: IncidentState, rnd: random.Random) -> tuple[Command, Actor] | None:
    kind = ReportKind.FOLLOWUP if s.reports else ReportKind.FIRST
    return FileReport(kind, REPORT), DUTY


def raise_level(s: IncidentState, rnd: random.Random) -> tuple[Command, Actor] | None:
    up = {Level.GENERAL: Level.MAJOR, Level.MAJOR: Level.CRITICAL}.get(s.level)
    return (ChangeLevel(up, "情况升级"), LEAD) if up else None


# What the people at an incident do, and how often (a live incident's log, roughly).
MIX: list[tuple[Pick, int]] = [
    (tick, 30),
    (note, 20),
    (delivered, 15),
    (phone_ack, 10),
    (headcount, 12),
    (resource, 5),
    (report, 5),
    (raise_level, 3),
]


def play(commands: int, seed: int = 7) -> tuple[list[int], list[int], dict[str, list[int]]]:
    """(bytes per push, snapshot bytes at the same moment, bytes per push by kind)."""
    rnd = random.Random(seed)
    plans = plans_from(load_library(default_dirs({})))
    renderer = Renderer(Catalogue.load(), "Asia/Shanghai")
    pushed: list[int] = []
    whole: list[int] = []
    by_kind: dict[str, list[int]] = {}
    while len(pushed) < commands:
        state, events, clock = _open(plans, renderer)
        for _ in range(60):  # an incident's life, then the next one
            pick = rnd.choices([p for p, _ in MIX], [w for _, w in MIX])[0]
            chosen = pick(state, rnd)
            if chosen is None:
                continue
            clock.advance(timedelta(seconds=rnd.randrange(5, 90)))
            try:
                done = process(
                    state,
                    chosen[0],
                    chosen[1],
                    incident_id=state.id,
                    now=clock.now(),
                    plan=state.plan,
                )
            except Refusal:  # an item whose prerequisite is open: refused, nothing pushed
                continue
            prev, state = state.last_seq, done.state
            events += done.events
            size = _push(renderer, state, done.events, prev, clock)
            pushed.append(size)
            by_kind.setdefault(type(chosen[0]).__name__, []).append(size)
            page = renderer.incident_snapshot(
                state, events[-500:], "zh-CN", Role.COMMANDER, clock.now()
            )
            whole.append(len(page.encode()))
    return pushed, whole, by_kind


def _open(
    plans: Callable[[IncidentType], object], renderer: Renderer
) -> tuple[IncidentState, list[Event], ManualClock]:
    clock = ManualClock()
    kind = IncidentType.COLLECTIVE_VISIT
    cmd = OpenIncident(kind, "一楼大厅", 12, "集体访 12 人", "反映拖欠工资", "窗口 3")
    done = process(None, cmd, DUTY, incident_id=uuid4(), now=clock.now(), plan=plans(kind))  # type: ignore[arg-type]
    return done.state, list(done.events), clock


def _push(
    renderer: Renderer, state: IncidentState, events: list[Event], prev: int, clock: ManualClock
) -> int:
    html = renderer.incident_update(state, events, "zh-CN", Role.COMMANDER, clock.now())
    return len((html + meta(state.id, prev, state.last_seq)).encode())


def quantile(values: list[int], q: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    commands = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    pushed, whole, by_kind = play(commands)
    median, p99, page = statistics.median(pushed), quantile(pushed, 0.99), statistics.median(whole)
    write_result(
        "push_bytes",
        {
            "commands": len(pushed),
            "push_bytes_per_event_median": median,
            "push_bytes_per_event_p99": p99,
            "snapshot_bytes_median": page,
            "target_bytes": TARGET,
            "by_command_median": {k: statistics.median(v) for k, v in sorted(by_kind.items())},
            "by_command_n": {k: len(v) for k, v in sorted(by_kind.items())},
        },
    )
    # the baseline: the page as a whole-page push would send it, at the same moments
    record(
        {
            "push_bytes_per_event_median": figure(median, TARGET, page),
            "push_bytes_per_event_p99": figure(p99, TARGET, quantile(whole, 0.99)),
        }
    )


if __name__ == "__main__":
    main()
