"""A drill script's node tree to a DrillScript; every problem recorded in the Ctx."""

from __future__ import annotations

from collections.abc import Mapping

from incidents.kinds import IncidentType
from playbooks.drill_schema import DrillScript, Inject, InjectKind, Opening, Target
from playbooks.fields import (
    NO_TEXT,
    Ctx,
    Fields,
    Node,
    as_duration,
    as_id,
    as_int,
    as_str,
    as_text,
    enum_of,
    join,
    list_of,
    mapping,
)
from playbooks.schema import Playbook, Unit

as_type = enum_of(IncidentType, "incident type")
as_kind = enum_of(InjectKind, "inject")
as_target = enum_of(Target, "target")
OPENING_KEYS = ("location", "headcount", "summary")
# The keys each kind of inject needs beside at, do and play/prompt.
ARGUMENTS: dict[InjectKind, tuple[str, ...]] = {
    InjectKind.HEADCOUNT: ("headcount",),
    InjectKind.LINKED: ("linked",),
    InjectKind.ACK: ("unit",),
    InjectKind.NO_ANSWER: ("unit",),
    InjectKind.NOTE: ("note",),
    InjectKind.TICK: ("item",),
    InjectKind.REPORT: (),
    InjectKind.CONTAINED: (),
}
ALL_ARGUMENTS = ("headcount", "linked", "unit", "note", "item")


def read_drill(ctx: Ctx, root: Node, source_hash: str) -> DrillScript:
    f = mapping(ctx, root, "", ("id", "version", "title", "incident", "injects", "ends"))
    return DrillScript(
        id=f.get("id", as_id, ""),
        version=f.get("version", as_int, 0),
        title=f.get("title", as_text, NO_TEXT),
        opening=f.get("incident", read_opening, _NO_OPENING),
        injects=f.get("injects", list_of(read_inject, non_empty=True), ()),
        ends=f.get("ends", as_duration, 0),
        source_hash=source_hash,
    )


_NO_OPENING = Opening(IncidentType.OTHER, "", 1, "")


def read_opening(ctx: Ctx, node: Node, path: str) -> Opening:
    f = mapping(ctx, node, path, ("type", *OPENING_KEYS), ("demands",))
    return Opening(
        type=f.get("type", as_type, IncidentType.OTHER),
        location=f.get("location", as_str, ""),
        headcount=f.get("headcount", as_int, 1),
        summary=f.get("summary", as_str, ""),
        demands=f.get("demands", as_str, ""),
    )


def read_inject(ctx: Ctx, node: Node, path: str) -> Inject:
    f = mapping(ctx, node, path, ("at", "do"), ("play", "prompt", "in", *ALL_ARGUMENTS))
    kind = f.get("do", as_kind, InjectKind.NOTE)
    if not ctx.failed(join(path, "do")):
        _check_arguments(ctx, f, kind)
    _check_play(ctx, f)
    return Inject(
        at=f.get("at", as_duration, 0),
        do=kind,
        auto="play" in f.nodes,
        prompt=f.optional("prompt", as_text),
        target=f.get("in", as_target, Target.MAIN),
        headcount=f.get("headcount", as_int, 0),
        unit=f.get("unit", as_id, ""),
        item=f.get("item", as_id, ""),
        note=f.get("note", as_str, ""),
        linked=f.optional("linked", read_opening),
    )


def _check_arguments(ctx: Ctx, f: Fields, kind: InjectKind) -> None:
    wanted = ARGUMENTS[kind]
    for key in wanted:
        if key not in f.nodes:
            ctx.report(join(f.path, key), f"required key {key!r} is missing for do: {kind}")
    for key in ALL_ARGUMENTS:
        if key in f.nodes and key not in wanted:
            ctx.report(join(f.path, key), f"{key!r} does not belong to do: {kind}", f.nodes[key])


def _check_play(ctx: Ctx, f: Fields) -> None:
    """Exactly one of `play: auto` and `prompt`."""
    play = f.nodes.get("play")
    if play is not None and getattr(play, "value", None) != "auto":
        ctx.report(join(f.path, "play"), "play takes only the value auto", play)
    if ("play" in f.nodes) == ("prompt" in f.nodes):
        ctx.report(f.path, "an inject has either play: auto or a prompt for the trainer, not both")


def check_drill(
    ctx: Ctx,
    drill: DrillScript,
    playbooks: Mapping[IncidentType, Playbook],
    units: Mapping[str, Unit],
) -> None:
    """References to the library (items, units, playbooks) and the order of the times."""
    last = 0
    for i, inject in enumerate(drill.injects):
        path = f"injects[{i}]"
        if inject.at < last:
            ctx.report(join(path, "at"), "injects are listed in time order")
        last = max(last, inject.at)
        _check_references(ctx, drill, inject, path, playbooks, units)
    if drill.ends and drill.ends < last:
        ctx.report("ends", "the drill ends after its last inject")
    if drill.opening.type not in playbooks:
        ctx.report("incident.type", f"no playbook for {drill.opening.type}")


def _check_references(
    ctx: Ctx,
    drill: DrillScript,
    inject: Inject,
    path: str,
    playbooks: Mapping[IncidentType, Playbook],
    units: Mapping[str, Unit],
) -> None:
    if inject.unit and inject.unit not in units:
        ctx.report(join(path, "unit"), f"unknown unit {inject.unit!r}")
    kind = drill.opening.type
    if inject.target is Target.LINKED:
        linked = [j.linked for j in drill.injects if j.linked is not None]
        kind = linked[0].type if linked else kind
    playbook = playbooks.get(kind)
    if inject.item and playbook is not None and inject.item not in {i.id for i in playbook.items()}:
        ctx.report(join(path, "item"), f"the {kind} playbook has no item {inject.item!r}")
