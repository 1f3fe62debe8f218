"""Which parts of a page an event changes: the hub renders those, not the page.

A note changes one timeline line; a tick its row, the rows whose deadline it starts, and the
counter. A raised level adds rows to lists the page already has (items, units told): those
rows alone are pushed, each naming its list (`data-list`), at whose end the console puts it
(rows are only ever added last); a list the page lacks (an item in a phase not shown yet,
the first unit told) is drawn whole. A kind missing from the table changes everything: a new kind is
drawn whole until someone says less, never drawn stale.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from incidents.events import Event
from incidents.plan import Plan
from incidents.state import IncidentState


class Part(Enum):
    HEADER = "header"
    CONTROLS = "controls"  # the commander's panel
    NOTIFICATIONS = "notifications"  # the whole panel: a unit added
    NOTICES = "notices"  # only the units' rows named, and the panel's title
    RESOURCES = "resources"  # the whole panel, its request forms too
    DISPATCHES = "dispatches"  # only the list of what was asked for, and the title
    REPORTS = "reports"
    CHECKLIST = "checklist"  # the whole list: items added, or every deadline may move
    ITEMS = "items"  # only the rows named, and the counter
    PHONE = "phone"  # the phone's whole checklist (it reorders on every tick)
    BOARD = "board"  # the incident's row on the board and its entry on the phones' list
    WELFARE = "welfare"  # the welfare checks' panel (the phone draws it in its checklist)
    EVIDENCE = "evidence"  # the attachments' panel (thumbnails)


ALL = frozenset(Part)
_ITEM = frozenset({Part.ITEMS, Part.PHONE, Part.BOARD})
_NOTIFY = frozenset({Part.NOTICES, Part.BOARD})
_RESOURCE = frozenset({Part.DISPATCHES, Part.BOARD})
_REPORT = frozenset({Part.REPORTS, Part.BOARD})
_ONLY_TIMELINE: frozenset[Part] = frozenset()
_WELFARE = frozenset({Part.WELFARE, Part.PHONE, Part.BOARD})  # a missed check: the row is red

PARTS: dict[str, frozenset[Part]] = {
    "note_added": _ONLY_TIMELINE,
    "instruction_recorded": _ONLY_TIMELINE,
    "injury_reported": _ONLY_TIMELINE,
    "exported": _ONLY_TIMELINE,
    "followup_added": _ONLY_TIMELINE,
    "followup_done": _ONLY_TIMELINE,
    "reply_extended": _ONLY_TIMELINE,
    "item_ticked": _ITEM,
    "item_unticked": _ITEM,
    "item_skipped": _ITEM,
    "item_blocked": _ITEM,
    "checklist_item_added": _ITEM,  # its row placed in its phase's list
    "headcount_updated": frozenset({Part.HEADER, Part.PHONE, Part.BOARD}),
    "commander_assigned": frozenset({Part.HEADER, Part.CONTROLS}),
    "conflict_declared": frozenset({Part.HEADER, Part.CONTROLS}),
    "level_changed": frozenset({Part.HEADER, Part.CONTROLS, Part.ITEMS, Part.PHONE, Part.BOARD}),
    "notification_planned": _NOTIFY,  # its row placed at the end of the list
    "notification_sent": _NOTIFY,
    "notification_delivered": _NOTIFY,
    "notification_failed": _NOTIFY,
    "notification_escalated": _NOTIFY,
    "notification_alerted": _NOTIFY,
    "notification_resent": _NOTIFY,
    "notification_acknowledged": _NOTIFY,
    "resource_requested": _RESOURCE,
    "resource_dispatched": _RESOURCE,
    "resource_en_route": _RESOURCE,
    "resource_on_scene": _RESOURCE,
    "resource_eta_set": _RESOURCE,
    "resource_released": _RESOURCE,
    "report_filed": _REPORT,
    "report_overdue": _REPORT,
    "incident_linked": frozenset({Part.HEADER, Part.BOARD}),  # the link shown in both
    **dict.fromkeys(
        [f"welfare_check_{k}" for k in ("started", "stopped", "recorded", "missed")], _WELFARE
    ),
    "evidence_attached": frozenset({Part.EVIDENCE}),  # its line, and the panel's thumbnails
    "timer_set": frozenset({Part.BOARD}),  # items' deadlines are derived, not read from timers
    "drill_inject": _ONLY_TIMELINE,
    "drill_paused": _ONLY_TIMELINE,
    "drill_resumed": _ONLY_TIMELINE,
    "drill_ended": frozenset({Part.HEADER, Part.BOARD}),
    # opened, status_changed (closing changes every form): everything
}


@dataclass(frozen=True, slots=True)
class Changed:
    parts: frozenset[Part]
    items: frozenset[str]  # the rows to redraw when only ITEMS (not CHECKLIST) changed
    notices: frozenset[str]  # the same for NOTICES (not NOTIFICATIONS)

    def __contains__(self, part: Part) -> bool:
        return part in self.parts


def changed(events: Sequence[Event], state: IncidentState) -> Changed:
    parts: set[Part] = set()
    rows: set[str] = set()
    told: set[str] = set()
    for e in events:
        parts |= PARTS.get(e.kind, ALL)
        if e.kind.startswith("item_") or e.kind == "checklist_item_added":
            rows.add(str(e.payload["item"]))
        if e.kind.startswith("notification_"):
            told.add(str(e.payload["notification"]))
        if e.kind == "level_changed":  # a deadline may now run from the new level
            rows |= level_anchored(state.plan)
    if _opens_a_phase(events, state):
        parts.add(Part.CHECKLIST)
    if _first_told(events, state):
        parts.add(Part.NOTIFICATIONS)
    parts -= {narrow for narrow, wide in NARROWER.items() if wide in parts}
    ticked = {e.payload["item"] for e in events if e.kind.startswith("item_")}
    items = frozenset(rows) | waiting_on(ticked, state.plan)
    return Changed(frozenset(parts), items, frozenset(told))


# A part drawn whole holds its narrow one: when both changed, only the whole is drawn.
NARROWER = {
    Part.ITEMS: Part.CHECKLIST,
    Part.NOTICES: Part.NOTIFICATIONS,
    Part.DISPATCHES: Part.RESOURCES,
}


def waiting_on(items: Iterable[str], plan: Plan | None) -> frozenset[str]:
    """The items whose deadline runs from one of `items` being done."""
    anchors = {f"item:{i}" for i in items}
    return frozenset(p.id for p in (plan.items if plan else ()) if p.due_after in anchors)


def level_anchored(plan: Plan | None) -> frozenset[str]:
    """The items whose deadline runs from a level being reached."""
    return frozenset(
        p.id for p in (plan.items if plan else ()) if (p.due_after or "").startswith("level:")
    )


def _opens_a_phase(events: Sequence[Event], state: IncidentState) -> bool:
    """An item added to a phase that had none on the page: the phase's list is drawn whole."""
    added = {e.payload["item"] for e in events if e.kind == "checklist_item_added"}
    if not added:
        return False
    phase = {p.id: p.phase for p in (state.plan.items if state.plan else ())}
    shown = {phase.get(i.id) for i in state.checklist if i.id not in added}
    return any(phase.get(i) not in shown for i in added)


def _first_told(events: Sequence[Event], state: IncidentState) -> bool:
    """Units told for the first time: the panel had no list yet, so it is drawn whole."""
    planned = sum(e.kind == "notification_planned" for e in events)
    return planned > 0 and planned == len(state.notifications)
