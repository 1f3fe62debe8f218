"""A drill's incident is marked on its opening event and runs on its own, compressed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from incidents.domain import fold, process
from incidents.drills import EndDrill, PauseDrill, PlayInject, ResumeDrill, drill_seconds, plan_for
from incidents.errors import DomainError
from incidents.kinds import IncidentType, Role
from incidents.lifecycle import OpenIncident
from incidents.state import Actor, DrillMark
from playbooks.instantiate import to_plan
from playbooks.loader import default_dirs, load_library

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
AUTO = Actor("drill:auto", Role.COMMANDER)


def _open(speed: int) -> tuple[object, object]:
    plan = to_plan(load_library(default_dirs()).playbook(IncidentType.COLLECTIVE_VISIT))
    mark = DrillMark("collective_visit_grows", "run-1", speed=speed, by="commander1")
    cmd = OpenIncident(IncidentType.COLLECTIVE_VISIT, "大厅🏠", 12, "演练 drill 测试", drill=mark)
    done = process(None, cmd, AUTO, incident_id=uuid4(), now=T0, plan=plan_for(plan, mark))
    return plan, done


def test_the_opening_event_says_drill_and_the_plan_is_divided_by_the_speed() -> None:
    """drill: true and the speed are on the chain; every time of the plan is ÷ 60."""
    plan, done = _open(60)
    opened = done.events[0]  # type: ignore[attr-defined]
    assert opened.payload["drill"] is True and opened.payload["drill_speed"] == 60
    state = done.state  # type: ignore[attr-defined]
    assert state.drill.run == "run-1"
    assert state.plan.first_report_within == plan.first_report_within // 60  # type: ignore[attr-defined]
    police = next(n for n in state.plan.notifications if n.unit == "police")
    assert police.ack_within == 10  # 10m ÷ 60
    assert state.plan.hash != plan.hash  # type: ignore[attr-defined]


def test_the_drill_clock_runs_at_speed_and_stops_while_paused() -> None:
    """Two real seconds at speed 60 are two drill minutes; a pause holds the clock."""
    _, done = _open(60)
    state = done.state  # type: ignore[attr-defined]
    assert drill_seconds(state.drill, state.opened_at, T0 + timedelta(seconds=2)) == 120
    paused = process(state, PauseDrill(), AUTO, incident_id=state.id, now=T0 + timedelta(seconds=2))
    later = T0 + timedelta(seconds=10)
    assert drill_seconds(paused.state.drill, state.opened_at, later) == 120
    resumed = process(paused.state, ResumeDrill(), AUTO, incident_id=state.id, now=later)
    at = later + timedelta(seconds=1)
    assert drill_seconds(resumed.state.drill, state.opened_at, at) == 180


def test_injects_are_played_in_order_once() -> None:
    _, done = _open(60)
    state = done.state  # type: ignore[attr-defined]
    one = process(state, PlayInject(0, "note", True), AUTO, incident_id=state.id, now=T0)
    assert one.state.drill.played == 1
    with pytest.raises(DomainError):
        process(one.state, PlayInject(0, "note", True), AUTO, incident_id=state.id, now=T0)
    ended = process(one.state, EndDrill(), AUTO, incident_id=state.id, now=T0)
    assert ended.state.drill.ended_at == T0
    assert fold(done.events + one.events + ended.events) == ended.state  # type: ignore[operator]


def test_a_real_incident_is_no_drill_and_refuses_drill_commands() -> None:
    plan = to_plan(load_library(default_dirs()).playbook(IncidentType.MEDICAL))
    cmd = OpenIncident(IncidentType.MEDICAL, "大厅", 1, "晕倒")
    done = process(None, cmd, AUTO, incident_id=uuid4(), now=T0, plan=plan)
    assert done.state.drill is None and "drill" not in done.events[0].payload
    with pytest.raises(DomainError):
        process(done.state, PauseDrill(), AUTO, incident_id=done.state.id, now=T0)


def test_every_drill_event_reads_in_one_language() -> None:
    """The run's own events on the timeline: a sentence in the reader's language, by name."""
    from zoneinfo import ZoneInfo

    from server.i18n import Catalogue, Translator
    from server.incident.timeline import describe
    from tests.i18n_check import chinese_runs, english_words

    _, done = _open(60)
    state, events = done.state, list(done.events)  # type: ignore[attr-defined]
    commands = [
        PlayInject(0, "headcount", False, "告诉值班员：35人 😀", "Tell the duty officer: 35"),
        PlayInject(1, "ack", True),
        PauseDrill(),
        ResumeDrill(),
        EndDrill(stopped=True),
    ]
    for n, cmd in enumerate(commands, start=1):
        step = process(state, cmd, AUTO, incident_id=state.id, now=T0 + timedelta(seconds=n))
        state, events = step.state, events + step.events
    catalogue = Catalogue.load()
    drill_kinds = {"drill_inject", "drill_paused", "drill_resumed", "drill_ended"}
    shown = [e for e in events if e.kind in drill_kinds]
    assert {e.kind for e in shown} == drill_kinds
    for language in ("zh-CN", "en"):
        t = Translator(catalogue, language, ZoneInfo("Asia/Shanghai"))
        said = [describe(e, state, t) for e in shown]
        assert not any("event.unknown" in s or "drill:auto" in s for s in said), said
        typed = ["告诉值班员：35人 😀"]
        other = [english_words(s) if language == "zh-CN" else chinese_runs(s, typed) for s in said]
        assert other == [[]] * len(said), (language, said)
    zh = Translator(catalogue, "zh-CN", ZoneInfo("Asia/Shanghai"))
    assert describe(shown[0], state, zh) == (
        "演练脚本 演练注入 1：人数变化（提示演练人员：告诉值班员：35人 😀）"
    )
