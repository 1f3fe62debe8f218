"""The report's welfare checks: every check recorded or missed, in time order, as table rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from incidents.state import IncidentState
from server.i18n import Translator
from server.welfare.timeline import answers_text


@dataclass(frozen=True, slots=True)
class CheckRow:
    at: datetime
    check: str  # its title, in the reader's language
    round: int
    by: str  # a user id; "" for a missed check
    answers: str
    remark: str
    late: bool = False
    missed: bool = False


def check_rows(state: IncidentState, t: Translator) -> list[CheckRow]:
    rows = []
    for cs in state.welfare:
        pc = state.plan.check(cs.id) if state.plan else None
        title = pc.title.get(t.language) if pc else cs.id
        for r in cs.records:
            answers = answers_text(pc, r.answers, t)
            rows.append(CheckRow(r.at, title, r.round, r.by, answers, r.remark, r.late))
        rows += [CheckRow(due, title, n, "", "", "", missed=True) for n, due in cs.missed]
    return sorted(rows, key=lambda row: (row.at, row.round))
