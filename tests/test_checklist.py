"""The checklist and plan as the domain runs them: items, requires, level raises, pinning."""

from __future__ import annotations

from datetime import timedelta

import pytest

from incidents.checklist import BlockItem, SkipItem, TickItem, UntickItem
from incidents.errors import IllegalTransition, InvalidCommand, NotFound
from incidents.kinds import IncidentType, ItemStatus, Level, Role
from incidents.lifecycle import ChangeLevel, UpdateHeadcount
from incidents.plan import (
    Bilingual,
    Plan,
    PlanItem,
    PlanLevelRule,
    PlanNotification,
    PlanPhase,
)
from incidents.settle import item_due_at
from tests.support import DUTY, LEAD, STAFF, open_cmd
from tests.test_domain import Log


def t(zh: str) -> Bilingual:
    return Bilingual(zh, zh)


PLAN = Plan(
    "test",
    1,
    "a" * 64,
    t("测试"),
    Level.GENERAL,
    (PlanPhase("now", t("立即")),),
    (
        PlanItem(
            "call_120", "now", t("呼叫120"), Role.ONSITE_STAFF, due_after="opened", due_within=300
        ),
        PlanItem(
            "first_aid",
            "now",
            t("急救"),
            Role.ONSITE_STAFF,
            requires=("call_120",),
            due_after="item:call_120",
            due_within=600,
        ),
        PlanItem(
            "tell_leader",
            "now",
            t("报告领导"),
            Role.DUTY_OFFICER,
            min_level=Level.MAJOR,
            due_after="level:major",
            due_within=120,
        ),
    ),
    (
        PlanNotification("police", "police", "open", ("time", "place"), 600),
        PlanNotification("stability", "stability_office", "level:major", ("time",), 600),
        PlanNotification("hospital", "health", "item_done:call_120", ("time",), 300),
    ),
    first_report_within=900,
    followup_every=3600,
    level_rules=(PlanLevelRule(Level.CRITICAL, headcount_at_least=100),),
)


def opened() -> Log:
    log = Log(PLAN)
    log.run(open_cmd(IncidentType.COLLECTIVE_VISIT, 5), DUTY)
    return log


def kinds_of(log: Log, kind: str) -> list[dict[str, object]]:
    return [dict(e.payload) for e in log.events if e.kind == kind]


def test_opening_adds_the_levels_items_notifications_and_timers() -> None:
    """A general incident gets its general items, the on-open notifications, and timers."""
    log = opened()
    assert [i.id for i in log.s.checklist] == ["call_120", "first_aid"]
    assert [n["notification"] for n in kinds_of(log, "notification_planned")] == ["police"]
    timers = {t.id: t.due_at - log.s.opened_at for t in log.s.timers}
    assert timers == {"report:first": timedelta(seconds=900), "item:call_120": timedelta(minutes=5)}
    opened_event = log.events[0]
    assert opened_event.payload["plan"]["playbook_id"] == "test"
    assert opened_event.payload["plan"]["hash"] == "a" * 64


def test_raising_the_level_adds_its_items_once() -> None:
    """major adds 'tell the leader' and the stability office; down and up again adds nothing."""
    log = opened()
    log.run(ChangeLevel(Level.MAJOR, "更多人到场"))
    assert [i.id for i in log.s.checklist][-1] == "tell_leader"
    log.run(ChangeLevel(Level.GENERAL, "平息"))
    log.run(ChangeLevel(Level.MAJOR, "再次聚集"))
    assert [i.id for i in log.s.checklist].count("tell_leader") == 1
    assert [n.id for n in log.s.notifications] == ["police", "stability"]


def test_lowering_the_level_removes_no_done_work() -> None:
    """An item done at major stays done after the level goes back to general."""
    log = opened()
    log.run(ChangeLevel(Level.MAJOR, "更多人到场"))
    log.run(TickItem("tell_leader"), DUTY)
    log.run(ChangeLevel(Level.GENERAL, "平息"))
    assert log.s.item("tell_leader").status is ItemStatus.DONE  # type: ignore[union-attr]


def test_playbook_level_rule_raises_with_its_reason() -> None:
    """100 people: the playbook's rule raises the level to critical, saying so."""
    log = opened()
    log.run(UpdateHeadcount(100), STAFF)
    raises = kinds_of(log, "level_changed")
    assert [r["to"] for r in raises] == ["major", "critical"]
    assert (raises[1]["rule"], raises[1]["playbook"], raises[1]["headcount_at_least"]) == (
        "playbook_rule",
        "test",
        100,
    )
    assert log.s.item("tell_leader") is not None


def test_requires_is_respected() -> None:
    """First aid cannot be ticked before the ambulance is called; then it can."""
    log = opened()
    with pytest.raises(IllegalTransition, match="call_120"):
        log.run(TickItem("first_aid"), STAFF)
    log.run(TickItem("call_120", "120 在途"), STAFF)
    log.run(TickItem("first_aid"), STAFF)
    assert log.s.progress() == (2, 2)


def test_tick_records_who_when_and_note_and_triggers_notifications() -> None:
    """Ticking records the staff member, the time and the note; item_done notifies health."""
    log = opened()
    log.clock.advance(timedelta(minutes=2))
    log.run(TickItem("call_120", "120 已派车"), STAFF)
    item = log.s.item("call_120")
    assert item is not None
    assert (item.by, item.at, item.note) == ("staff1", log.clock.now(), "120 已派车")
    assert "hospital" in [n.id for n in log.s.notifications]
    first_aid = log.s.plan_item("first_aid")
    assert first_aid is not None
    assert item_due_at(log.s, first_aid) == log.clock.now() + timedelta(minutes=10)


def test_untick_skip_block_follow_the_table() -> None:
    """Untick needs a reason; a blocked item can be ticked; a done item cannot be blocked."""
    log = opened()
    log.run(BlockItem("call_120", "电话占线"), STAFF)
    log.run(TickItem("call_120"), STAFF)
    with pytest.raises(IllegalTransition):
        log.run(BlockItem("call_120", "again"), STAFF)
    with pytest.raises(InvalidCommand):
        log.run(UntickItem("call_120", ""), STAFF)
    log.run(SkipItem("first_aid", "家属已送医"), LEAD)
    with pytest.raises(IllegalTransition, match="first_aid"):
        log.run(UntickItem("call_120", "误点"), STAFF)
    log.run(UntickItem("first_aid", "误点"), STAFF)
    log.run(UntickItem("call_120", "误点"), STAFF)
    assert log.s.progress() == (0, 2)


def test_unknown_item_is_refused() -> None:
    """Ticking an item that is not on this incident's checklist names it."""
    with pytest.raises(NotFound, match="nope"):
        opened().run(TickItem("nope"), STAFF)
