"""Checks across a whole playbook: unique ids, references, requires cycles, level sense.

Runs after parse_playbook.py, on the model, and reports at the paths the readers
marked. Values that were already refused (placeholders) are skipped, so one
mistake is reported once.
"""

from __future__ import annotations

import graphlib
from collections.abc import Iterable, Iterator, Mapping

from playbooks.durations import format_duration
from playbooks.fields import Ctx, join, suggest
from playbooks.schema import (
    Escalation,
    Item,
    ItemDone,
    Notification,
    Opened,
    Playbook,
    Unit,
    UnitKind,
)
from playbooks.validate_checks import check_checks

ALWAYS_TOLD = (UnitKind.PETITION_BUREAU, UnitKind.POLICE)
MAX_CYCLES = 100


def check_playbook(
    ctx: Ctx, playbook: Playbook, units: Mapping[str, Unit], *, whole: bool = True
) -> None:
    """Report every cross-reference problem of `playbook` given the units registry.

    With `whole=False` (lines were left out to read past a syntax error) the checks
    that need every item and notification (references, levels, who is told) are
    skipped: what is missing may be in the lines left out.
    """
    items = _unique_items(ctx, playbook)
    _check_unique(ctx, ((f"phases[{i}]", p.id) for i, p in enumerate(playbook.phases)), "phase")
    notifications = enumerate(playbook.notifications)
    _check_unique(ctx, ((f"notifications[{i}]", n.id) for i, n in notifications), "notification")
    resources = enumerate(playbook.resources)
    _check_unique(ctx, ((f"resources[{i}]", r.id) for i, r in resources), "resource")
    _check_cycles(ctx, items)
    _check_level_rules(ctx, playbook)
    for i, notification in enumerate(playbook.notifications):
        _check_notification(ctx, f"notifications[{i}]", notification, units)
    check_checks(ctx, playbook, units, items, whole)
    if whole:
        _check_references(ctx, playbook, items)
        _check_always_told(ctx, playbook, units)


def _check_references(ctx: Ctx, playbook: Playbook, items: Mapping[str, tuple[str, Item]]) -> None:
    """Items named by requires, due.after and on: item_done exist, at a level that fits."""
    for path, item in iter_items(playbook):
        _check_item(ctx, path, item, items)
    for i, notification in enumerate(playbook.notifications):
        trigger = notification.on
        if isinstance(trigger, ItemDone) and trigger.item_id not in items:
            message = f"unknown item {trigger.item_id!r}{suggest(trigger.item_id, items)}"
            ctx.report(f"notifications[{i}].on", message)


def iter_items(playbook: Playbook) -> Iterator[tuple[str, Item]]:
    """Every item with its path, e.g. ("phases[0].items[2]", item)."""
    for p, phase in enumerate(playbook.phases):
        for i, item in enumerate(phase.items):
            yield f"phases[{p}].items[{i}]", item


def _unique_items(ctx: Ctx, playbook: Playbook) -> dict[str, tuple[str, Item]]:
    """Items by id with their paths (first of each id); duplicates are reported."""
    first = _check_unique(ctx, ((path, item.id) for path, item in iter_items(playbook)), "item")
    by_path = dict(iter_items(playbook))
    return {item_id: (path, by_path[path]) for item_id, path in first.items()}


def _check_unique(ctx: Ctx, entries: Iterable[tuple[str, str]], what: str) -> dict[str, str]:
    """Paths by id, first seen; a later use of the same id is reported."""
    first: dict[str, str] = {}
    for path, ident in entries:
        if ident in first:
            line = ctx.mark_of(join(first[ident], "id"))[0]
            where = f"line {line} ({first[ident]})"
            ctx.report(join(path, "id"), f"duplicate {what} id {ident!r}; first used at {where}")
        elif ident:
            first[ident] = path
    return first


def _check_item(ctx: Ctx, path: str, item: Item, items: Mapping[str, tuple[str, Item]]) -> None:
    for k, target in enumerate(item.requires):
        _check_item_ref(ctx, f"{path}.requires[{k}]", target, item, items)
    if item.due is not None and isinstance(item.due.after, ItemDone):
        _check_item_ref(ctx, f"{path}.due.after", item.due.after.item_id, item, items)


def _check_item_ref(
    ctx: Ctx, path: str, target: str, item: Item, items: Mapping[str, tuple[str, Item]]
) -> None:
    if not target:
        return
    if target == item.id:
        ctx.report(path, f"item {target!r} refers to itself")
    elif target not in items:
        ctx.report(path, f"unknown item {target!r}{suggest(target, items)}")
    elif items[target][1].min_level.rank > item.min_level.rank:
        level = items[target][1].min_level
        message = f"{target!r} only appears from level {level}, this item from {item.min_level}"
        ctx.report(path, f"{message}; give this item min_level: {level}")


def _check_cycles(ctx: Ctx, items: Mapping[str, tuple[str, Item]]) -> None:
    """Report each cycle in `requires`, naming it, at the first item of the cycle."""
    graph = {
        i: {r for r in item.requires if r in items and r != i} for i, (_, item) in items.items()
    }
    order = list(graph)
    for _ in range(MAX_CYCLES):
        cycle = _find_cycle(graph, order)
        if cycle is None:
            return
        path, item = items[cycle[0]]
        where = f"{path}.requires[{item.requires.index(cycle[1])}]"
        ctx.report(where, f"requires cycle: {' → '.join(cycle)}")
        graph[cycle[0]].discard(cycle[1])
    ctx.report("phases", f"more than {MAX_CYCLES} requires cycles; fix these first")


def _find_cycle(graph: Mapping[str, set[str]], order: list[str]) -> list[str] | None:
    """A cycle [a, b, …, a] where each item requires the next, starting at the earliest item."""
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as err:
        ring = list(reversed(err.args[1]))[:-1]
        start = min(range(len(ring)), key=lambda k: order.index(ring[k]))
        ring = ring[start:] + ring[:start]
        return [*ring, ring[0]]
    return None


def _check_level_rules(ctx: Ctx, playbook: Playbook) -> None:
    default = playbook.default_level
    for i, rule in enumerate(playbook.level_rules):
        path = f"level_rules[{i}].raise_to"
        if ctx.failed(path) or ctx.failed("default_level") or rule.raise_to.rank > default.rank:
            continue
        ctx.report(path, f"raise_to {rule.raise_to} is not above default_level {default}")


def _check_notification(
    ctx: Ctx,
    path: str,
    notification: Notification,
    units: Mapping[str, Unit],
) -> None:
    _check_unit(ctx, join(path, "unit"), notification.unit, units)
    if notification.escalation is not None:
        for k, unit in enumerate(notification.escalation.then):
            _check_unit(ctx, f"{path}.escalation.then[{k}]", unit, units)
        _check_escalation_times(ctx, path, notification.ack_within, notification.escalation)


def _check_unit(ctx: Ctx, path: str, unit: str, units: Mapping[str, Unit]) -> None:
    if unit and unit not in units:
        ctx.report(path, f"unknown unit {unit!r}{suggest(unit, units)}")


def _check_escalation_times(ctx: Ctx, path: str, ack: int, esc: Escalation) -> None:
    """ack_within ≤ renotify_after ≤ alert_after, all counted from sending."""
    if 0 in (ack, esc.renotify_after, esc.alert_after):
        return
    if esc.renotify_after < ack:
        message = f"renotify_after ({format_duration(esc.renotify_after)}) is before ack_within"
        ctx.report(f"{path}.escalation.renotify_after", f"{message} ({format_duration(ack)})")
    if esc.alert_after < esc.renotify_after:
        message = f"alert_after ({format_duration(esc.alert_after)}) is before renotify_after"
        ctx.report(
            f"{path}.escalation.alert_after", f"{message} ({format_duration(esc.renotify_after)})"
        )


def _check_always_told(ctx: Ctx, playbook: Playbook, units: Mapping[str, Unit]) -> None:
    """DOMAIN.md: the petition bureau and the police are always told, on open."""
    if ctx.failed("notifications"):
        return
    told = {
        units[n.unit].kind for n in playbook.notifications if n.on == Opened() and n.unit in units
    }
    for kind in ALWAYS_TOLD:
        if kind not in told:
            message = f"no notification on open to a unit of kind {kind}"
            ctx.report(
                "notifications", f"{message}; the petition bureau and the police are always told"
            )
