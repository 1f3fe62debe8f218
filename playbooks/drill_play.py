"""What a drill script asks for now: the injects due on the drill's clock, and the command
each one's automated actor makes. Pure: the server's runner executes what this decides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from incidents.checklist import TickItem
from incidents.domain import Command
from incidents.drills import PlayInject, drill_seconds
from incidents.kinds import NotificationStatus, Status
from incidents.lifecycle import AddNote, ChangeStatus, UpdateHeadcount
from incidents.notifications import AcknowledgeNotification
from incidents.state import DrillMark, IncidentState
from playbooks.drill_schema import DrillScript, Inject, InjectKind


@dataclass(frozen=True, slots=True)
class Due:
    """Where the run stands at a moment: the injects to play now, and whether it is over."""

    injects: tuple[int, ...]
    over: bool


def due(script: DrillScript, mark: DrillMark, opened_at: datetime, now: datetime) -> Due:
    if mark.ended_at is not None or mark.paused_at is not None:
        return Due((), False)
    clock = drill_seconds(mark, opened_at, now)
    ready = tuple(
        n for n in range(mark.played, len(script.injects)) if script.injects[n].at <= clock
    )
    ready = tuple(n for i, n in enumerate(ready) if n == mark.played + i)  # in order, no gaps
    played = mark.played + len(ready)
    return Due(ready, played == len(script.injects) and clock >= script.ends)


def played(inject: Inject, n: int) -> PlayInject:
    """The record of inject `n` on the drill's first incident."""
    prompt = inject.prompt
    return PlayInject(
        n, inject.do.value, inject.auto, prompt.zh if prompt else "", prompt.en if prompt else ""
    )


def pending_notification(state: IncidentState, unit: str) -> str | None:
    """The unit's first notification on the incident that is still unanswered."""
    return next(
        (
            n.id
            for n in state.notifications
            if n.unit == unit and n.status is not NotificationStatus.ACKNOWLEDGED
        ),
        None,
    )


def action(inject: Inject, target: IncidentState, reason: str, by: str) -> Command | None:
    """The automated actor's command on the incident it targets (None: nothing to do);
    `reason` for changes, `by` as who answered for a unit. The first report and the linked
    opening need the server's help (fields, a link)."""
    kind = inject.do
    if kind is InjectKind.HEADCOUNT and inject.headcount != target.headcount:
        return UpdateHeadcount(inject.headcount, reason)
    if kind is InjectKind.NOTE:
        return AddNote(inject.note)
    if kind is InjectKind.TICK:
        return TickItem(inject.item)
    if kind is InjectKind.ACK:
        pending = pending_notification(target, inject.unit)
        return None if pending is None else AcknowledgeNotification(pending, "api", by)
    if kind is InjectKind.CONTAINED and target.status is not Status.CONTAINED:
        return ChangeStatus(Status.CONTAINED, reason)
    return None
