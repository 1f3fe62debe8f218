"""Resources a commander dispatches to an incident, and their state machine.

    requested → dispatched → en_route → on_scene → released
    (a step may be skipped forwards; anything not yet released may be released)

Each move is an event with its time and who; an ETA (minutes from the moment it is
given) can be set while the resource is on its way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, ClassVar

from incidents import validate
from incidents.authz import Action
from incidents.errors import IllegalTransition, InvalidCommand, Named, NotFound, Param
from incidents.events import Event, EventDraft
from incidents.plan import Bilingual
from incidents.state import DispatchState, IncidentState

REQUESTED, DISPATCHED, EN_ROUTE, ON_SCENE, RELEASED = (
    "requested",
    "dispatched",
    "en_route",
    "on_scene",
    "released",
)
STATUSES = (REQUESTED, DISPATCHED, EN_ROUTE, ON_SCENE, RELEASED)

# status -> the statuses it may move to
TRANSITIONS: dict[str, frozenset[str]] = {
    REQUESTED: frozenset({DISPATCHED, EN_ROUTE, ON_SCENE, RELEASED}),
    DISPATCHED: frozenset({EN_ROUTE, ON_SCENE, RELEASED}),
    EN_ROUTE: frozenset({ON_SCENE, RELEASED}),
    ON_SCENE: frozenset({RELEASED}),
    RELEASED: frozenset(),
}
# the same, in the order a resource goes through them (for buttons)
NEXT: dict[str, list[str]] = {k: [s for s in STATUSES if s in v] for k, v in TRANSITIONS.items()}
ON_THE_WAY = frozenset({REQUESTED, DISPATCHED, EN_ROUTE})
MAX_NOTE, MAX_ETA = 500, 24 * 60
OFFICE = "office"


@dataclass(frozen=True, slots=True)
class ResourceKind:
    id: str
    label: Bilingual
    unit: str  # the unit that provides it (units.yaml), or "office"


def _kind(kind_id: str, zh: str, en: str, unit: str) -> tuple[str, ResourceKind]:
    return kind_id, ResourceKind(kind_id, Bilingual(zh, en), unit)


# The office's registry of resources; a playbook may suggest others (they count as the office's).
REGISTRY: dict[str, ResourceKind] = dict(
    [
        _kind("security_team", "安保队", "Security team", OFFICE),
        _kind("police_car", "警车", "Police car", "police"),
        _kind("ambulance", "救护车", "Ambulance", "health"),
        _kind("interpreter", "翻译（含手语）", "Interpreter", OFFICE),
        _kind("counsellor", "心理疏导员", "Counsellor", "civil_affairs_bureau"),
        _kind("transport_vehicle", "公务车辆", "Transport vehicle", OFFICE),
        _kind(
            "department_rep", "责任部门代表", "Department representative", "responsible_department"
        ),
        _kind("fire_engine", "消防车", "Fire engine", "fire_rescue"),
    ]
)


def resource_kind(state: IncidentState | None, kind_id: str) -> ResourceKind | None:
    """The registry's entry, else the pinned playbook's suggestion of that id."""
    if kind_id in REGISTRY:
        return REGISTRY[kind_id]
    suggested = state.plan.resources if state and state.plan else ()
    found = next((r for r in suggested if r.id == kind_id), None)
    return ResourceKind(found.id, found.label, OFFICE) if found else None


def label(state: IncidentState | None, kind_id: str, language: str) -> str:
    kind = resource_kind(state, kind_id)
    return kind.label.get(language) if kind else kind_id


def shown(state: IncidentState, kind_id: str) -> Param:
    """A resource in a refusal: its label in both languages, or the id it was given."""
    kind = resource_kind(state, kind_id)
    return kind.label if kind else kind_id


@dataclass(frozen=True, slots=True)
class RequestResource:
    action: ClassVar[Action] = Action.DISPATCH_RESOURCE
    resource: str
    note: str = ""
    eta_minutes: int | None = None


@dataclass(frozen=True, slots=True)
class MoveResource:
    action: ClassVar[Action] = Action.MOVE_RESOURCE
    dispatch: str
    to: str
    eta_minutes: int | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class SetResourceEta:
    action: ClassVar[Action] = Action.MOVE_RESOURCE
    dispatch: str
    eta_minutes: int


def find(state: IncidentState, dispatch_id: str) -> DispatchState:
    found = next((d for d in state.dispatches if d.id == dispatch_id), None)
    if found is None:
        raise NotFound(
            "resource.dispatch_unknown",
            f"no dispatch {dispatch_id!r} on this incident",
            field="dispatch",
        )
    return found


def _eta(value: int | None) -> int | None:
    return None if value is None else validate.count(value, "eta_minutes", low=0, high=MAX_ETA)


def decide_request(state: IncidentState, cmd: RequestResource) -> list[EventDraft]:
    kind = resource_kind(state, cmd.resource)
    if kind is None:
        raise InvalidCommand(
            "resource.unknown", f"no resource {cmd.resource!r} in the registry", field="resource"
        )
    number = 1 + sum(d.resource == kind.id for d in state.dispatches)
    payload = {
        "dispatch": f"{kind.id}-{number}",
        "resource": kind.id,
        "unit": kind.unit,
        "note": validate.text(cmd.note, "note", max_len=MAX_NOTE, required=False),
        "eta_minutes": _eta(cmd.eta_minutes),
    }
    return [EventDraft("resource_requested", payload)]


def decide_move(state: IncidentState, cmd: MoveResource) -> list[EventDraft]:
    d = find(state, cmd.dispatch)
    if cmd.to not in STATUSES:
        raise InvalidCommand(
            "input.choice",
            f"to must be one of {', '.join(STATUSES)}",
            field="to",
            name=Named("field", "to"),
        )
    if cmd.to not in TRANSITIONS[d.status]:
        raise IllegalTransition(
            "resource.move",
            f"{d.id} is {d.status}: it cannot become {cmd.to}",
            field="to",
            resource=shown(state, d.resource),
            status=Named("resource.status", d.status),
            to=Named("resource.status", cmd.to),
        )
    eta = _eta(cmd.eta_minutes) if cmd.to in ON_THE_WAY else None
    note = validate.text(cmd.note, "note", max_len=MAX_NOTE, required=False)
    payload = {"dispatch": d.id, "resource": d.resource, "eta_minutes": eta, "note": note}
    return [EventDraft(f"resource_{cmd.to}", payload)]


def decide_eta(state: IncidentState, cmd: SetResourceEta) -> list[EventDraft]:
    d = find(state, cmd.dispatch)
    if d.status not in ON_THE_WAY:
        raise IllegalTransition(
            "resource.no_eta",
            f"{d.id} is {d.status}: no ETA to set",
            field="dispatch",
            resource=shown(state, d.resource),
            status=Named("resource.status", d.status),
        )
    payload = {"dispatch": d.id, "resource": d.resource, "eta_minutes": _eta(cmd.eta_minutes)}
    return [EventDraft("resource_eta_set", payload)]


# --- the fold ---------------------------------------------------------------


def _eta_at(e: Event, keep: DispatchState | None = None) -> Any:
    minutes = e.payload.get("eta_minutes")
    if minutes is None:
        return keep.eta_at if keep else None
    return e.occurred_at + timedelta(minutes=minutes)


def apply_requested(s: IncidentState, e: Event) -> IncidentState:
    p = e.payload
    d = DispatchState(
        p["dispatch"],
        p["resource"],
        p["unit"],
        REQUESTED,
        e.occurred_at,
        e.recorded_by,
        e.occurred_at,
        e.recorded_by,
        eta_at=_eta_at(e),
        note=p["note"],
        times={REQUESTED: e.occurred_at},
    )
    return replace(s, dispatches=(*s.dispatches, d))


def _moved(d: DispatchState, e: Event) -> DispatchState:
    to = e.kind.removeprefix("resource_")
    eta = _eta_at(e, d) if to in ON_THE_WAY else None
    times = {**d.times, to: d.times.get(to, e.occurred_at)}
    note = e.payload.get("note") or d.note
    return replace(
        d, status=to, at=e.occurred_at, by=e.recorded_by, eta_at=eta, times=times, note=note
    )


def _eta_set(d: DispatchState, e: Event) -> DispatchState:
    return replace(d, eta_at=_eta_at(e, d))


def _on_dispatch(
    change: Callable[[DispatchState, Event], DispatchState],
) -> Callable[[IncidentState, Event], IncidentState]:
    def apply(s: IncidentState, e: Event) -> IncidentState:
        did = e.payload["dispatch"]
        return replace(
            s, dispatches=tuple(change(d, e) if d.id == did else d for d in s.dispatches)
        )

    return apply


HANDLERS: dict[type[Any], Callable[[IncidentState, Any], list[EventDraft]]] = {
    RequestResource: decide_request,
    MoveResource: decide_move,
    SetResourceEta: decide_eta,
}
APPLIERS = {
    "resource_requested": apply_requested,
    "resource_eta_set": _on_dispatch(_eta_set),
    **{f"resource_{to}": _on_dispatch(_moved) for to in STATUSES if to != REQUESTED},
}
