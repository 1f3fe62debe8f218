"""After the incident: follow-up items with their statutory deadlines, under a moved clock."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from incidents.checklist import TickItem
from incidents.clock import ManualClock
from incidents.errors import IllegalTransition, IncidentClosed, InvalidCommand, NotAuthorized
from incidents.followup import (
    CompleteFollowup,
    ExtendReply,
    RecordInstruction,
    add_month,
    is_overdue,
)
from incidents.kinds import IncidentType, Status
from incidents.lifecycle import AddNote, ChangeStatus, CloseIncident, ReopenIncident
from incidents.reports import FileReport, ReportKind
from incidents.state import IncidentState
from incidents.store import EventStore
from playbooks.loader import default_dirs, load_library
from server.followup.routes import board_lines
from server.services import plans_from
from tests.export.support import FIRST_REPORT, OPEN, START, closed_medical, run
from tests.support import DUTY, LEAD, STAFF, open_cmd


def item(state: IncidentState, item_id: str):  # type: ignore[no-untyped-def]
    return next(f for f in state.followups if f.id == item_id)


def test_closing_adds_the_aftermath_items_with_the_statutory_deadlines() -> None:
    """On close: the result due a month after, the reply 60 days after acceptance."""
    state, _ = closed_medical()
    closed = state.closed_at
    assert closed is not None
    ids = [f.id for f in state.followups]
    assert {"register_matter", "unit_reports_result", "reply_to_visitor"} <= set(ids)
    assert item(state, "unit_reports_result").due_at == add_month(closed)
    assert item(state, "reply_to_visitor").due_at == START + timedelta(days=60)
    assert item(state, "reply_to_visitor").rule == "reply"


def test_reopening_and_closing_again_adds_nothing_twice() -> None:
    """A reopened incident closed again keeps one set of follow-up items."""
    state, events = closed_medical()
    m = timedelta(minutes=1)
    steps = [
        (LEAD, ReopenIncident("补登记"), timedelta(hours=1)),
        (LEAD, ChangeStatus(Status.CONTAINED, ""), timedelta(hours=1) + m),
        (LEAD, CloseIncident(""), timedelta(hours=1) + 2 * m),
    ]
    again, _ = run(steps, events=events)
    assert [f.id for f in again.followups] == [f.id for f in state.followups]


def test_acceptance_is_when_the_matter_was_registered() -> None:
    """A matter registered during the incident starts the reply's 60 days from that moment."""
    m = timedelta(minutes=1)
    state, _ = run(
        [
            (DUTY, OPEN, 0 * m),
            (DUTY, TickItem("register_matter", "登记编号 031"), 5 * m),
            (LEAD, ChangeStatus(Status.CONTAINED, ""), 6 * m),
            (DUTY, FileReport(ReportKind.FIRST, FIRST_REPORT), 6 * m),
            (DUTY, FileReport(ReportKind.FINAL, FIRST_REPORT), 6 * m),
            (LEAD, CloseIncident(""), 7 * m),
        ]
    )
    assert item(state, "reply_to_visitor").due_at == START + 5 * m + timedelta(days=60)
    assert "register_matter" not in [f.id for f in state.followups]  # done already


def test_a_month_is_a_calendar_month() -> None:
    """January 31st plus one month is the last day of February."""
    assert add_month(datetime(2026, 1, 31, 8, tzinfo=UTC)) == datetime(2026, 2, 28, 8, tzinfo=UTC)
    assert add_month(datetime(2026, 12, 5, tzinfo=UTC)) == datetime(2027, 1, 5, tzinfo=UTC)


def test_the_reply_may_be_extended_once_by_at_most_30_days_with_a_reason() -> None:
    """One extension moves the deadline; a second one, or one past 30 days, is refused."""
    state, events = closed_medical()
    before = item(state, "reply_to_visitor").due_at
    assert before is not None
    later = timedelta(days=50)
    with pytest.raises(InvalidCommand):
        run([(LEAD, ExtendReply(31, "情况复杂"), later)], events=events)
    with pytest.raises(InvalidCommand):
        run([(LEAD, ExtendReply(10, " "), later)], events=events)
    with pytest.raises(NotAuthorized):
        run([(DUTY, ExtendReply(10, "情况复杂"), later)], events=events)
    extended, events = run([(LEAD, ExtendReply(30, "需多部门会商"), later)], events=events)
    reply = item(extended, "reply_to_visitor")
    assert reply.due_at == before + timedelta(days=30)
    assert reply.extended_days == 30 and reply.extension_reason == "需多部门会商"
    with pytest.raises(IllegalTransition, match="already extended once"):
        run([(LEAD, ExtendReply(5, "再次延期"), later)], events=events)


def test_an_item_is_closed_only_with_evidence() -> None:
    """Completing a follow-up needs its evidence; done twice is refused."""
    _, events = closed_medical()
    day = timedelta(days=3)
    with pytest.raises(InvalidCommand):
        run([(DUTY, CompleteFollowup("register_matter", ""), day)], events=events)
    with pytest.raises(NotAuthorized):
        run([(STAFF, CompleteFollowup("register_matter", "登记编号 031"), day)], events=events)
    complete = CompleteFollowup("register_matter", "登记编号 031")
    state, events = run([(DUTY, complete, day)], events=events)
    done = item(state, "register_matter")
    assert done.done and done.evidence == "登记编号 031" and done.by == "duty1"
    with pytest.raises(IllegalTransition):
        run([(DUTY, CompleteFollowup("register_matter", "again"), day)], events=events)


def test_a_closed_incident_still_refuses_ordinary_commands() -> None:
    """Follow-up work is accepted after close; a note is not."""
    _, events = closed_medical()
    with pytest.raises(IncidentClosed):
        run([(STAFF, AddNote("补充"), timedelta(days=1))], events=events)


def test_a_leaders_instruction_is_delivered_the_same_day_and_checked_within_a_week() -> None:
    """An instruction at 16:00 office time: delivered by midnight, checked on site in 7 days."""
    _, events = closed_medical()
    at = timedelta(days=1, hours=6, minutes=30)  # 2026-03-03 16:00 in Shanghai
    state, _ = run([(LEAD, RecordInstruction("请信访局牵头督办"), at)], events=events)
    deliver, check = item(state, "instruction:1:deliver"), item(state, "instruction:1:check")
    assert deliver.due_at == datetime(2026, 3, 3, 16, 0, tzinfo=UTC)  # midnight +08:00
    assert check.due_at == START + at + timedelta(days=7)
    assert deliver.detail == "请信访局牵头督办"


async def test_the_board_turns_items_red_as_the_clock_moves(pool, clock: ManualClock) -> None:  # type: ignore[no-untyped-def]
    """Under a moved clock the board lists open items by due date, the overdue marked."""
    store = EventStore(pool, clock, plans=plans_from(load_library(default_dirs({}))))
    opened = await store.execute(None, open_cmd(IncidentType.MEDICAL), DUTY, uuid.uuid4().hex)
    iid = opened.incident_id
    await store.execute(iid, ChangeStatus(Status.CONTAINED, ""), LEAD, uuid.uuid4().hex)
    for kind in (ReportKind.FIRST, ReportKind.FINAL):
        await store.execute(iid, FileReport(kind, FIRST_REPORT), DUTY, uuid.uuid4().hex)
    closed = await store.execute(iid, CloseIncident("处置完毕"), LEAD, uuid.uuid4().hex)
    assert closed.state.followups
    lines = board_lines([closed.state], clock.now())
    assert not any(ln.overdue for ln in lines)
    clock.advance(timedelta(days=16))  # register_matter was due 15 days after opening
    lines = board_lines([await store.state(iid)], clock.now())
    overdue = {ln.item.id for ln in lines if ln.overdue}
    assert overdue == {"register_matter"}
    await store.execute(iid, ExtendReply(30, "需会商"), LEAD, uuid.uuid4().hex)
    clock.advance(timedelta(days=60))
    state = await store.state(iid)
    reply = item(state, "reply_to_visitor")
    assert not is_overdue(reply, clock.now())  # 76 days after opening: within 60 + 30
    clock.advance(timedelta(days=15))
    assert is_overdue(reply, clock.now())
