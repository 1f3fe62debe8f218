"""What the welfare panel shows of each check of the plan: running or not, when the next
observation is due and missed, whether the last one was missed, and the last answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from incidents.plan import PlanCheck
from incidents.state import CheckRecord, CheckState, IncidentState
from incidents.welfare import check_state, pending


@dataclass(frozen=True, slots=True)
class CheckView:
    plan: PlanCheck
    state: CheckState | None
    due_at: datetime | None = None  # while it runs
    missed_at: datetime | None = None  # due plus the grace

    @property
    def running(self) -> bool:
        return self.due_at is not None

    @property
    def overdue(self) -> bool:
        """Recorded as missed, and none recorded since: red."""
        return self.running and self.state is not None and self.state.overdue

    @property
    def last(self) -> CheckRecord | None:
        return self.state.records[-1] if self.state and self.state.records else None


def check_views(state: IncidentState) -> tuple[CheckView, ...]:
    """Every check of the pinned plan, in plan order."""
    if state.plan is None:
        return ()
    running = {p.plan.id: p for p in pending(state)}
    views = []
    for pc in state.plan.checks:
        p = running.get(pc.id)
        cs = check_state(state, pc.id)
        views.append(CheckView(pc, cs, p.due_at, p.missed_at) if p else CheckView(pc, cs))
    return tuple(views)
