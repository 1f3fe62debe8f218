"""What the hub pushes after each event is what changed, and exactly what a fresh page shows.

For a mix of commands, each step renders the page before and after (the snapshot a console
gets on connect) and the update the hub pushes. Every element whose own markup changed must
be in the update, drawn as the fresh page draws it; what did not change is not sent.
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from uuid import UUID

import pytest
import tinyhtml5

from incidents.checklist import SkipItem, TickItem, UntickItem
from incidents.commanders import Candidate
from incidents.domain import Command
from incidents.kinds import IncidentType, Level, Role, Status
from incidents.lifecycle import (
    AddNote,
    AssignCommander,
    ChangeLevel,
    ChangeStatus,
    CloseIncident,
    ReopenIncident,
    UpdateHeadcount,
)
from incidents.links import RecordLink
from incidents.notifications import RecordPhoneAcknowledgement
from incidents.plan import Bilingual, Plan, PlanItem, PlanPhase
from incidents.reports import FileReport, ReportKind
from incidents.resources import RequestResource
from incidents.state import Actor, IncidentState, Link
from server.i18n import Catalogue
from server.incident.render import Renderer, UserNames
from tests.support import DUTY, LEAD, STAFF, open_cmd
from tests.test_checklist import PLAN
from tests.test_domain import Log

RENDERER = Renderer(Catalogue.load(), "Asia/Shanghai", UserNames.fixed({"staff1": "李四"}))
OOB = "hx-swap-oob"
PLACED = "data-placed"  # a list whose new rows are pushed alone and placed by the console
LINKED = UUID("5b0c6a2e-1f4d-4c3a-9a57-0d1c2b3a4e5f")  # an incident opened from this one
REPORT = {"time": "10:05", "place": "一楼大厅", "scale": "7 人", "cause": "来访人晕倒 😟"}


def _first_notification(s: IncidentState) -> str:
    return s.notifications[0].id


# (what a person does, as whom): a tick that starts another item's deadline, a note in mixed
# scripts, the headcount, a level raise that adds an item, units, reports, closing, reopening.
STEPS: list[tuple[Callable[[IncidentState], Command], Actor]] = [
    (lambda s: AddNote("现场平稳 🙂 visitor calm"), DUTY),
    (lambda s: TickItem("call_120", "120 已出车"), STAFF),
    (lambda s: UpdateHeadcount(7, "又来了六人"), STAFF),
    (lambda s: AddNote("家属到场"), STAFF),
    (lambda s: RecordLink(Link(LINKED, IncidentType.MEDICAL, "二楼 😟 Room 2")), DUTY),
    (lambda s: AssignCommander("commander1", Candidate("commander1", Role.COMMANDER)), DUTY),
    (lambda s: ChangeLevel(Level.MAJOR, "人数增加"), LEAD),
    (lambda s: RecordPhoneAcknowledgement(_first_notification(s), "王警官"), DUTY),
    (lambda s: RequestResource("ambulance", "急救车"), LEAD),
    (lambda s: FileReport(ReportKind.FIRST, REPORT), DUTY),
    (lambda s: UntickItem("call_120", "误点"), STAFF),
    (lambda s: SkipItem("first_aid", "医生已到"), STAFF),
    (lambda s: ChangeStatus(Status.CONTAINED, "已控制"), LEAD),
    (lambda s: FileReport(ReportKind.FINAL, REPORT), DUTY),
    (lambda s: CloseIncident("已送医"), LEAD),
    (lambda s: ReopenIncident("家属再次来访"), LEAD),
]


def _parse(html: str) -> ET.Element:
    return tinyhtml5.parse(f"<!doctype html><html><body>{html}</body></html>")


def own_markup(el: ET.Element) -> str:
    """An element as drawn, with its children that have their own id left as placeholders
    (they are compared, and pushed, on their own) and without the swap attribute."""
    return ET.tostring(_own(el), encoding="unicode")


def _own(el: ET.Element) -> ET.Element:
    mine = ET.Element(el.tag, {k: v for k, v in el.attrib.items() if k != OOB})
    mine.text = el.text
    for child in el:
        if child.get("id") and PLACED in el.attrib:
            continue  # the console places these rows itself: see placed_rows
        part = ET.Element("part", {"id": child.get("id", "")}) if child.get("id") else _own(child)
        part.tail = child.tail
        mine.append(part)
    return mine


def by_id(html: str) -> dict[str, str]:
    return {el.get("id", ""): own_markup(el) for el in _parse(html).iter() if el.get("id")}


def timeline(html: str) -> list[str]:
    return [ET.tostring(li, encoding="unicode") for li in _parse(html).iter() if _is_line(li)]


def _is_line(el: ET.Element) -> bool:
    return el.tag.endswith("li") and "tl" in el.get("class", "").split()


def lists(html: str) -> dict[str, list[str]]:
    """Each list whose rows the console places: its rows' ids, in page order."""
    return {
        el.get("id", ""): [c.get("id", "") for c in el]
        for el in _parse(html).iter()
        if PLACED in el.attrib
    }


def placed_rows(before: str, update: str) -> dict[str, list[str]]:
    """The lists as the console leaves them (web/static/console.js placeListed): a list
    pushed whole replaces its rows; a row new to its list goes at its end."""
    rows = {**lists(before), **lists(update)}
    pushed = _parse(update).find(".//{*}body")
    for el in pushed if pushed is not None else ():
        name, new = el.get("data-list"), el.get("id", "")
        if name in rows and new not in rows[name]:
            rows[name].append(new)
    return rows


def page(log: Log) -> str:
    return RENDERER.incident_snapshot(log.s, log.events, "zh-CN", Role.COMMANDER, log.clock.now())


def play() -> list[tuple[str, str, str, str]]:
    """(what was done, page before, page after, the update pushed) for every step."""
    log = Log(PLAN)
    log.run(open_cmd(), DUTY)
    played = []
    for make, actor in STEPS:
        log.clock.advance(timedelta(minutes=1))
        before_seq, before = log.s.last_seq, page(log)
        log.run(make(log.s), actor)
        new = [e for e in log.events if e.seq > before_seq]
        now = log.clock.now()
        update = RENDERER.incident_update(log.s, new, "zh-CN", Role.COMMANDER, now)
        played.append((" ".join(e.kind for e in new), before, page(log), update))
    return played


@functools.cache
def played() -> list[tuple[str, str, str, str]]:
    return play()


@pytest.mark.parametrize("step", range(len(STEPS)))
def test_the_update_holds_every_change_as_a_fresh_page_draws_it(step: int) -> None:
    kinds, before, after, update = played()[step]
    was, now, sent = by_id(before), by_id(after), by_id(update)
    changed = {i for i, markup in now.items() if was.get(i) != markup and i != "timeline"}
    assert changed <= set(sent), f"{kinds}: changed but not pushed: {changed - set(sent)}"
    for element_id, markup in sent.items():
        assert markup == now[element_id], f"{kinds}: #{element_id} pushed stale"
    assert timeline(update) + timeline(before) == timeline(after)
    assert placed_rows(before, update) == lists(after), f"{kinds}: rows placed out of order"


def test_a_note_pushes_one_timeline_line_and_nothing_else() -> None:
    kinds, _, _, update = played()[0]
    assert kinds == "note_added"
    assert set(by_id(update)) == set()
    assert len(timeline(update)) == 1 and "现场平稳 🙂 visitor calm" in update
    assert len(update.encode()) < 1500


def test_a_tick_pushes_its_row_the_rows_it_starts_and_the_counter_not_the_list() -> None:
    kinds, _, _, update = played()[1]
    assert kinds.startswith("item_ticked")
    sent = set(by_id(update))
    assert {"item-call_120", "item-first_aid", "checklist-count"} <= sent
    assert "checklist" not in sent and "incident-header" not in sent


def test_the_board_and_the_phones_hear_of_a_tick_but_not_of_a_note() -> None:
    log = Log(PLAN)
    log.run(open_cmd(), DUTY)
    seq, now = log.s.last_seq, log.clock.now()
    log.run(AddNote("只是记录"), DUTY)
    note = [e for e in log.events if e.seq > seq]
    assert RENDERER.board_update(log.s, note, "zh-CN", now) == ""
    assert RENDERER.phone_list_update(log.s, note, "zh-CN", now) == ""
    assert RENDERER.phone_update(log.s, note, "zh-CN", now) == ""
    seq = log.s.last_seq
    log.run(TickItem("call_120"), STAFF)
    tick = [e for e in log.events if e.seq > seq]
    assert "1/2" in RENDERER.board_update(log.s, tick, "zh-CN", now)
    assert "1/2" in RENDERER.phone_update(log.s, tick, "zh-CN", now)


def _raised(plan: Plan) -> tuple[str, str, str]:
    """(page before, page after, the update) of a level raised to major on `plan`."""
    log = Log(plan)
    log.run(open_cmd(), DUTY)
    before_seq, before = log.s.last_seq, page(log)
    log.run(ChangeLevel(Level.MAJOR, "人数增加 📈"), LEAD)
    new = [e for e in log.events if e.seq > before_seq]
    update = RENDERER.incident_update(log.s, new, "zh-CN", Role.COMMANDER, log.clock.now())
    return before, page(log), update


def _item(item_id: str, phase: str, min_level: Level = Level.GENERAL) -> PlanItem:
    return PlanItem(
        item_id, phase, Bilingual(item_id, item_id), Role.DUTY_OFFICER, min_level=min_level
    )


NOW, LATER = (
    PlanPhase("now", Bilingual("立即", "Now")),
    PlanPhase("later", Bilingual("随后", "Later")),
)


def test_a_raised_level_pushes_the_rows_it_adds_each_to_its_place_not_the_list() -> None:
    """The added item sits in the plan between rows of both phases; a page draws it last in
    its own phase (items are drawn in the order they were added), and so does the console."""
    major = _item("tell_leader", "later", Level.MAJOR)
    items = (_item("a", "now"), _item("b", "later"), major, _item("c", "later"), _item("d", "now"))
    before, after, update = _raised(replace(PLAN, phases=(NOW, LATER), items=items))
    sent = set(by_id(update))
    assert "item-tell_leader" in sent and "checklist" not in sent
    placed = placed_rows(before, update)
    assert placed["phase-later"] == ["item-b", "item-c", "item-tell_leader"]
    assert placed == lists(after)
    assert not sent & {"item-a", "item-b", "item-c", "item-d"}  # the rows shown already stay


def test_an_item_in_a_phase_not_shown_yet_draws_the_list_whole() -> None:
    plan = replace(
        PLAN, phases=(NOW, LATER), items=(_item("a", "now"), _item("b", "later", Level.MAJOR))
    )
    before, after, update = _raised(plan)
    assert "checklist" in by_id(update) and "phase-later" in lists(update)
    assert placed_rows(before, update) == lists(after)
