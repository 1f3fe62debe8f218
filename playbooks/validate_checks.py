"""Checks across a playbook's welfare checks: unique ids, the items and units they name."""

from __future__ import annotations

from collections.abc import Mapping

from playbooks.fields import Ctx, suggest
from playbooks.schema import Check, Playbook, Unit


def check_checks(
    ctx: Ctx,
    playbook: Playbook,
    units: Mapping[str, Unit],
    items: Mapping[str, object],
    whole: bool,
) -> None:
    """Report duplicate ids, unknown units, and (when the file was read whole) unknown items."""
    seen: dict[str, int] = {}
    for i, check in enumerate(playbook.checks):
        path = f"checks[{i}]"
        if check.id in seen:
            ctx.report(
                f"{path}.id", f"duplicate check id {check.id!r}; first at checks[{seen[check.id]}]"
            )
        seen.setdefault(check.id, i)
        _observations(ctx, path, check)
        for k, unit in enumerate(check.notify_on_missed):
            if unit not in units:
                ctx.report(
                    f"{path}.on_missed.notify[{k}]", f"unknown unit {unit!r}{suggest(unit, units)}"
                )
        if whole:
            _items(ctx, path, check, items)


def _observations(ctx: Ctx, path: str, check: Check) -> None:
    seen: set[str] = set()
    for k, obs in enumerate(check.observe):
        if obs.id and obs.id in seen:
            ctx.report(f"{path}.observe[{k}].id", f"duplicate observation id {obs.id!r}")
        seen.add(obs.id)


def _items(ctx: Ctx, path: str, check: Check, items: Mapping[str, object]) -> None:
    for key, named in (("starts_with", check.starts_with), ("stops_with", check.stops_with)):
        for k, item in enumerate(named):
            if item and item not in items:
                ctx.report(f"{path}.{key}[{k}]", f"unknown item {item!r}{suggest(item, items)}")
    for k, item in enumerate(check.stops_with):
        if item and item in check.starts_with:
            ctx.report(f"{path}.stops_with[{k}]", f"item {item!r} both starts and stops the check")
