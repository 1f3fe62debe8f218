"""Checklist commands: tick, untick, skip, block; who and when on every one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from incidents import evidence as ev
from incidents import validate
from incidents.authz import Action
from incidents.errors import IllegalTransition, InvalidCommand, Named, NotFound, Param
from incidents.events import Event, EventDraft
from incidents.kinds import ItemStatus
from incidents.state import IncidentState, ItemState

MAX_NOTE = 2000
MAX_COUNT = 1_000_000


@dataclass(frozen=True, slots=True)
class TickItem:
    action: ClassVar[Action] = Action.WORK_CHECKLIST
    item: str
    note: str = ""
    attachment: ev.Attachment | None = None  # a file kept as evidence with the tick
    count: int | None = None  # what was counted, when the item asks for a count


@dataclass(frozen=True, slots=True)
class UntickItem:
    action: ClassVar[Action] = Action.WORK_CHECKLIST
    item: str
    reason: str


@dataclass(frozen=True, slots=True)
class SkipItem:
    action: ClassVar[Action] = Action.WORK_CHECKLIST
    item: str
    reason: str


@dataclass(frozen=True, slots=True)
class BlockItem:
    action: ClassVar[Action] = Action.WORK_CHECKLIST
    item: str
    reason: str


_O, _D, _S, _B = ItemStatus.OPEN, ItemStatus.DONE, ItemStatus.SKIPPED, ItemStatus.BLOCKED

# event kind -> (the statuses it may start from, the status it leads to)
MOVES: dict[str, tuple[frozenset[ItemStatus], ItemStatus]] = {
    "item_ticked": (frozenset({_O, _B}), _D),
    "item_unticked": (frozenset({_D, _S, _B}), _O),
    "item_skipped": (frozenset({_O, _B}), _S),
    "item_blocked": (frozenset({_O}), _B),
}


def shown(state: IncidentState, item_id: str) -> Param:
    """A checklist item in a refusal: its text from the pinned plan, or its id."""
    plan_item = state.plan_item(item_id)
    return plan_item.text if plan_item else item_id


def _current(state: IncidentState, item_id: str) -> ItemState:
    item = state.item(item_id)
    if item is None:
        raise NotFound(
            "checklist.unknown_item",
            f"no checklist item {item_id!r} on this incident",
            field="item",
        )
    return item


def _move(state: IncidentState, item_id: str, kind: str, text_key: str, text: str) -> EventDraft:
    item = _current(state, item_id)
    allowed, to = MOVES[kind]
    if item.status not in allowed:
        raise IllegalTransition(
            "checklist.move",
            f"item {item_id} is {item.status}: it cannot become {to}",
            field="item",
            item=shown(state, item_id),
            status=Named("item", item.status),
            to=Named("item", to),
        )
    return EventDraft(kind, {"item": item_id, text_key: text})


def _unmet_requirements(state: IncidentState, item_id: str) -> list[str]:
    plan_item = state.plan_item(item_id)
    needed = plan_item.requires if plan_item else ()
    return [r for r in needed if not ((s := state.item(r)) and s.status.resolved)]


def _dependents_resolved(state: IncidentState, item_id: str) -> list[str]:
    found = []
    for item in state.checklist:
        plan_item = state.plan_item(item.id)
        if item.status.resolved and plan_item and item_id in plan_item.requires:
            found.append(item.id)
    return found


def decide_tick(state: IncidentState, cmd: TickItem) -> list[EventDraft]:
    note = validate.text(cmd.note, "note", max_len=MAX_NOTE, required=False)
    if unmet := _unmet_requirements(state, cmd.item):
        raise IllegalTransition(
            "checklist.unmet",
            f"first finish: {', '.join(unmet)}",
            field="item",
            items=tuple(shown(state, i) for i in unmet),
        )
    moved = _move(state, cmd.item, "item_ticked", "note", note)
    current = state.item(cmd.item)
    plan_item = state.plan_item(cmd.item)
    lacking = ev.missing(
        plan_item.evidence if plan_item else (),
        before=current.evidence if current else (),
        attachment=cmd.attachment,
        note=note,
        count=cmd.count,
    )
    ev.refuse_missing(cmd.item, shown(state, cmd.item), lacking)
    if cmd.count is not None:
        count = validate.count(cmd.count, "count", low=0, high=MAX_COUNT)
        moved = EventDraft(moved.kind, {**moved.payload, "count": count})
    if cmd.attachment is None:
        return [moved]
    return [ev.attached(ev.checked(cmd.attachment), item=cmd.item), moved]


def decide_skip(state: IncidentState, cmd: SkipItem) -> list[EventDraft]:
    reason = validate.text(cmd.reason, "reason", max_len=MAX_NOTE)
    return [_move(state, cmd.item, "item_skipped", "reason", reason)]


def decide_block(state: IncidentState, cmd: BlockItem) -> list[EventDraft]:
    reason = validate.text(cmd.reason, "reason", max_len=MAX_NOTE)
    return [_move(state, cmd.item, "item_blocked", "reason", reason)]


def decide_untick(state: IncidentState, cmd: UntickItem) -> list[EventDraft]:
    reason = validate.text(cmd.reason, "reason", max_len=MAX_NOTE)
    if dependents := _dependents_resolved(state, cmd.item):
        raise IllegalTransition(
            "checklist.dependents",
            f"{', '.join(dependents)} depend on this item: untick them first",
            field="item",
            items=tuple(shown(state, i) for i in dependents),
        )
    return [_move(state, cmd.item, "item_unticked", "reason", reason)]


def apply_added(s: IncidentState, e: Event) -> IncidentState:
    if s.item(e.payload["item"]):
        item = e.payload["item"]
        raise InvalidCommand(
            "checklist.added_twice", f"item {item} added twice", item=shown(s, item)
        )
    return replace(s, checklist=(*s.checklist, ItemState(e.payload["item"], e.occurred_at)))


def apply_move(s: IncidentState, e: Event) -> IncidentState:
    to = MOVES[e.kind][1]
    note = e.payload.get("note") or e.payload.get("reason") or ""
    items = tuple(
        replace(i, status=to, by=e.recorded_by, at=e.occurred_at, note=note)
        if i.id == e.payload["item"]
        else i
        for i in s.checklist
    )
    return replace(s, checklist=items)


HANDLERS: dict[type[Any], Callable[[IncidentState, Any], list[EventDraft]]] = {
    TickItem: decide_tick,
    UntickItem: decide_untick,
    SkipItem: decide_skip,
    BlockItem: decide_block,
}
APPLIERS = {"checklist_item_added": apply_added, **dict.fromkeys(MOVES, apply_move)}
