"""What the pages derive from an incident: the phone's order, silent units, actions taken."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from incidents.checklist import TickItem
from incidents.kinds import Role
from incidents.notifications import AcknowledgeNotification, Escalate
from incidents.state import Actor
from server.i18n import Catalogue, Translator
from server.incident.render import board_row, phone_order, silent_units
from server.incident.timeline import describe
from server.live.hub import View
from server.notify.message import FIELDS
from tests.support import STAFF
from tests.test_timeline import opened, translator

TIMERS = Actor("system:timers", Role.SYSTEM)


def test_phone_shows_open_steps_first_in_plan_order() -> None:
    """The phone lists what is left to do first, in plan order; done steps follow."""
    log = opened()
    first = [i.id for i in phone_order(log.s)]
    log.run(TickItem(first[0]), STAFF)
    after = [i.id for i in phone_order(log.s)]
    assert after == [*first[1:], first[0]]


def test_a_unit_escalating_then_alerted_is_named_once_with_a_louder_alarm() -> None:
    """Police silent: named once on the row; the alarm key changes when the alert comes."""
    log = opened()
    assert silent_units(log.s) == ()
    log.run(Escalate("police", "renotify"), TIMERS)
    (police,) = silent_units(log.s)
    assert police.unit == "police" and police.alarms[0].endswith(":police:escalated")
    log.run(Escalate("police", "alert"), TIMERS)
    assert silent_units(log.s)[0].alarms[0].endswith(":police:alerted")
    assert board_row(log.s, log.clock.now()).silent == silent_units(log.s)
    log.run(AcknowledgeNotification("police", "link", "张警官"), Actor("unit:police", Role.SYSTEM))
    assert silent_units(log.s) == ()


def test_escalation_steps_read_as_words() -> None:
    """The timeline says 已再次发送, not renotify."""
    log = opened()
    log.run(Escalate("police", "renotify"), TIMERS)
    text = describe(log.events[-1], log.s, translator("zh-CN"))
    assert text == "公安机关未按时回执：已再次发送", text
    assert "sent again" in describe(log.events[-1], log.s, translator("en"))


def test_actions_taken_names_the_steps_done_with_notes_or_none_yet() -> None:
    """已采取的措施: 尚无 before anything is done; then each step done, with its note."""
    log = opened()
    t = translator("zh-CN")
    assert FIELDS["actions_taken"](log.s, t) == "尚无"
    log.run(TickItem("call_120", "120 已出车"), STAFF)
    assert FIELDS["actions_taken"](log.s, t) == "呼叫120（120 已出车）"
    assert FIELDS["actions_taken"](log.s, translator("en")).endswith("(120 已出车)")


def test_a_deadline_after_today_shows_its_year() -> None:
    """Today's deadline: 12-31 23:00; one in the new year: 2027-01-02 09:00."""
    t = Translator(Catalogue.load(), "zh-CN", ZoneInfo("Asia/Shanghai"))
    now = datetime(2026, 12, 31, 10, 0, tzinfo=UTC)
    assert t.deadline(datetime(2026, 12, 31, 15, 0, tzinfo=UTC), now) == "12-31 23:00"
    assert t.deadline(datetime(2027, 1, 2, 1, 0, tzinfo=UTC), now) == "2027-01-02 09:00"


def test_a_quiet_page_watches_no_incident() -> None:
    """/resources, /followup, /roster: their socket is told of no incident (no orphan rows)."""
    log = opened()
    assert not View.parse("quiet").watches(log.s.id)
    assert View.parse("board").watches(log.s.id)
