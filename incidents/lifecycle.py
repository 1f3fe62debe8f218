"""Opening an incident and the commands that move it: level, status, headcount, notes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import ClassVar
from uuid import UUID

from incidents import evidence as ev
from incidents import validate
from incidents.authz import Action
from incidents.canonical import GENESIS_HASH
from incidents.commanders import Candidate, check_candidate
from incidents.drills import opened_fields as drill_fields
from incidents.drills import opened_mark
from incidents.errors import IllegalTransition, InvalidCommand, Named
from incidents.events import Event, EventDraft
from incidents.kinds import IncidentType, Level, Status
from incidents.levels import level_floor
from incidents.links import checked_link, opened_fields, opened_from
from incidents.plan import Plan
from incidents.state import DrillMark, IncidentState, Link

MAX_TEXT, MAX_LONG_TEXT, MAX_HEADCOUNT = 200, 4000, 100_000


@dataclass(frozen=True, slots=True)
class OpenIncident:
    action: ClassVar[Action] = Action.OPEN
    type: IncidentType
    location: str
    headcount: int
    summary: str
    demands: str = ""
    reporter: str = ""
    level: Level | None = None
    injured: bool = False
    commander: str = ""  # explicit, or the leader on duty (filled in by the server)
    commander_source: str = ""  # "roster" when it is the leader on duty
    candidate: Candidate | None = None  # what the user directory says of an explicit commander
    linked_to: UUID | None = None  # the incident this one is opened from
    linked_from: Link | None = None  # what the store says of it (filled in by the server)
    drill: DrillMark | None = None  # opened by a drill (incidents/drills.py)

    def server_filled(self) -> tuple[str, ...]:
        """Fields the server filled in, left out of the idempotency fingerprint: a retry
        across a shift handover is the same request."""
        roster = ("commander", "commander_source") if self.commander_source == "roster" else ()
        return ("candidate", "linked_from", *roster)


@dataclass(frozen=True, slots=True)
class ReportInjury:
    """Someone is hurt or ill: health must be told, and the playbook may raise the level."""

    action: ClassVar[Action] = Action.UPDATE_HEADCOUNT
    text: str


@dataclass(frozen=True, slots=True)
class ChangeLevel:
    action: ClassVar[Action] = Action.CHANGE_LEVEL
    to: Level
    reason: str


@dataclass(frozen=True, slots=True)
class ChangeStatus:
    action: ClassVar[Action] = Action.CHANGE_STATUS
    to: Status
    reason: str = ""


@dataclass(frozen=True, slots=True)
class CloseIncident:
    action: ClassVar[Action] = Action.CLOSE
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ReopenIncident:
    action: ClassVar[Action] = Action.REOPEN
    reason: str


@dataclass(frozen=True, slots=True)
class UpdateHeadcount:
    action: ClassVar[Action] = Action.UPDATE_HEADCOUNT
    headcount: int
    reason: str = ""


@dataclass(frozen=True, slots=True)
class AddNote:
    action: ClassVar[Action] = Action.ADD_NOTE
    text: str
    attachment: ev.Attachment | None = None  # a file kept as evidence: then the text may be empty


@dataclass(frozen=True, slots=True)
class AssignCommander:
    action: ClassVar[Action] = Action.ASSIGN_COMMANDER
    user_id: str
    candidate: Candidate | None = None  # filled in by the server from the user directory

    def server_filled(self) -> tuple[str, ...]:
        return ("candidate",)


# Status changes a commander may make; closed is left only by a reopen.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.REPORTED: frozenset({Status.RESPONDING, Status.CONTAINED}),
    Status.RESPONDING: frozenset({Status.CONTAINED}),
    Status.CONTAINED: frozenset({Status.RESPONDING}),
    Status.CLOSED: frozenset(),
}
CLOSABLE = frozenset({Status.RESPONDING, Status.CONTAINED})


def level_change(state_level: Level, to: Level, reason: str) -> EventDraft:
    return EventDraft(
        "level_changed", {"from": state_level.value, "to": to.value, "reason": reason}
    )


def floor_raise(kind: IncidentType, level: Level, headcount: int) -> list[EventDraft]:
    """A level_changed event when the headcount lifts the level floor above the level."""
    floor = level_floor(kind, headcount)
    if floor is None or floor.level.rank <= level.rank:
        return []
    payload = {"from": level.value, "to": floor.level.value, **floor.why(headcount)}
    return [EventDraft("level_changed", payload)]


def decide_open(cmd: OpenIncident, plan: Plan) -> list[EventDraft]:
    level = cmd.level or plan.default_level
    payload = {
        "type": cmd.type.value,
        "level": level.value,
        "location": validate.text(cmd.location, "location", max_len=MAX_TEXT),
        "headcount": validate.count(cmd.headcount, "headcount", low=1, high=MAX_HEADCOUNT),
        "summary": validate.text(cmd.summary, "summary", max_len=MAX_LONG_TEXT, multiline=True),
        "demands": validate.text(
            cmd.demands, "demands", max_len=MAX_LONG_TEXT, required=False, multiline=True
        ),
        "reporter": validate.text(cmd.reporter, "reporter", max_len=MAX_TEXT, required=False),
        "injured": bool(cmd.injured),
        "plan": plan.to_payload(),
    }
    if link := checked_link(cmd.linked_to, cmd.linked_from):
        payload |= opened_fields(link)
    if cmd.drill is not None:
        payload |= drill_fields(cmd.drill)
    return [
        EventDraft("opened", payload),
        *floor_raise(cmd.type, level, cmd.headcount),
        *initial_commander(cmd),
    ]


def initial_commander(cmd: OpenIncident) -> list[EventDraft]:
    """The commander named at open: explicit, or the leader on duty (marked as such)."""
    if not cmd.commander:
        return []
    user = validate.text(cmd.commander, "commander", max_len=MAX_TEXT)
    if cmd.commander_source != "roster":  # the roster's leader on duty is vetted by the roster
        check_candidate(user, cmd.candidate, "commander")
    payload: dict[str, object] = {"from": None, "to": user}
    if cmd.commander_source:
        payload["source"] = validate.text(cmd.commander_source, "commander_source", max_len=20)
    return [EventDraft("commander_assigned", payload)]


def decide_level(state: IncidentState, cmd: ChangeLevel) -> list[EventDraft]:
    reason = validate.text(cmd.reason, "reason", max_len=MAX_TEXT)
    if cmd.to is state.level:
        raise InvalidCommand(
            "level.same", f"the level is already {cmd.to}", field="to", level=Named("level", cmd.to)
        )
    floor = level_floor(state.type, state.headcount)
    if floor is not None and cmd.to.rank < floor.level.rank:
        raise IllegalTransition(
            "level.floor",
            f"cannot lower below {floor.level}: {state.headcount} people, "
            f"{floor.threshold} or more is at least {floor.level}",
            field="to",
            level=Named("level", floor.level),
            headcount=state.headcount,
            threshold=floor.threshold,
        )
    return [level_change(state.level, cmd.to, reason)]


def status_change(state: IncidentState, to: Status, reason: str) -> EventDraft:
    return EventDraft(
        "status_changed", {"from": state.status.value, "to": to.value, "reason": reason}
    )


def decide_status(state: IncidentState, cmd: ChangeStatus) -> list[EventDraft]:
    reason = validate.text(cmd.reason, "reason", max_len=MAX_TEXT, required=False)
    if cmd.to not in TRANSITIONS[state.status]:
        raise IllegalTransition(
            "status.illegal",
            f"status cannot go from {state.status} to {cmd.to}",
            field="to",
            status=Named("status", state.status),
            to=Named("status", cmd.to),
        )
    return [status_change(state, cmd.to, reason)]


def decide_close(state: IncidentState, cmd: CloseIncident) -> list[EventDraft]:
    reason = validate.text(cmd.reason, "reason", max_len=MAX_TEXT, required=False)
    if state.status not in CLOSABLE:
        raise IllegalTransition(
            "close.not_allowed",
            f"an incident that is {state.status} cannot be closed",
            status=Named("status", state.status),
        )
    return [status_change(state, Status.CLOSED, reason)]


def decide_reopen(state: IncidentState, cmd: ReopenIncident) -> list[EventDraft]:
    reason = validate.text(cmd.reason, "reason", max_len=MAX_TEXT)
    if state.status is not Status.CLOSED:
        raise IllegalTransition("reopen.not_closed", "only a closed incident can be reopened")
    return [status_change(state, Status.RESPONDING, reason)]


def decide_headcount(state: IncidentState, cmd: UpdateHeadcount) -> list[EventDraft]:
    count = validate.count(cmd.headcount, "headcount", low=1, high=MAX_HEADCOUNT)
    reason = validate.text(cmd.reason, "reason", max_len=MAX_TEXT, required=False)
    if count == state.headcount:
        raise InvalidCommand(
            "headcount.same", f"the headcount is already {count}", field="headcount", n=count
        )
    update = EventDraft(
        "headcount_updated", {"from": state.headcount, "to": count, "reason": reason}
    )
    return [update, *floor_raise(state.type, state.level, count)]


def decide_note(state: IncidentState, cmd: AddNote) -> list[EventDraft]:
    with_file = cmd.attachment is not None
    text = validate.text(
        cmd.text, "text", max_len=MAX_LONG_TEXT, multiline=True, required=not with_file
    )
    if cmd.attachment is not None:  # one event: the file and what was written of it
        return [ev.attached(ev.checked(cmd.attachment), note=text)]
    return [EventDraft("note_added", {"text": text})]


def decide_injury(state: IncidentState, cmd: ReportInjury) -> list[EventDraft]:
    text = validate.text(cmd.text, "text", max_len=MAX_LONG_TEXT, multiline=True)
    return [EventDraft("injury_reported", {"text": text})]


def decide_commander(state: IncidentState, cmd: AssignCommander) -> list[EventDraft]:
    user = validate.text(cmd.user_id, "user_id", max_len=MAX_TEXT)
    if user == state.commander:
        raise InvalidCommand(
            "commander.same",
            f"{user} is already the commander",
            field="user_id",
            user=Named("user", user),
        )
    check_candidate(user, cmd.candidate, "user_id")
    return [EventDraft("commander_assigned", {"from": state.commander, "to": user})]


# --- the fold ---------------------------------------------------------------


def apply_opened(_: IncidentState | None, e: Event) -> IncidentState:
    p = e.payload
    return IncidentState(
        id=e.incident_id,
        type=IncidentType(p["type"]),
        level=Level(p["level"]),
        status=Status.REPORTED,
        location=p["location"],
        headcount=p["headcount"],
        summary=p["summary"],
        demands=p["demands"],
        reporter=p["reporter"],
        opened_at=e.occurred_at,
        updated_at=e.occurred_at,
        last_seq=0,
        head_hash=GENESIS_HASH,
        plan=Plan.from_payload(p["plan"]),
        injured=p.get("injured", False),
        level_reached={Level(p["level"]): e.occurred_at},
        status_reached={Status.REPORTED: e.occurred_at},
        linked_to=opened_from(p),
        drill=opened_mark(p),
    )


def apply_status(s: IncidentState, e: Event) -> IncidentState:
    to = Status(e.payload["to"])
    reached = {to: e.occurred_at, **s.status_reached}  # the first time counts
    closed_at = e.occurred_at if to is Status.CLOSED else None
    return replace(s, status=to, closed_at=closed_at, status_reached=reached)


def apply_level(s: IncidentState, e: Event) -> IncidentState:
    to = Level(e.payload["to"])
    return replace(s, level=to, level_reached={to: e.occurred_at, **s.level_reached})


Applier = Callable[[IncidentState, Event], IncidentState]

APPLIERS: dict[str, Applier] = {
    "level_changed": apply_level,
    "status_changed": apply_status,
    "headcount_updated": lambda s, e: replace(s, headcount=e.payload["to"]),
    "note_added": lambda s, e: replace(s, note_count=s.note_count + 1),
    "injury_reported": lambda s, e: replace(s, injured=True),
    "commander_assigned": lambda s, e: replace(s, commander=e.payload["to"]),
}
