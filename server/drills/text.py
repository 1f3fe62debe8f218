"""The review in words: Markdown, for `watchfloor drill run`, the export and the page's rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from incidents.drill_review import KeyTime, Review, Unanswered
from incidents.state import IncidentState
from playbooks.drill_schema import DrillScript
from server.i18n import Translator


def clock(seconds: int | None) -> str:
    """Drill-clock seconds as m:ss (— for never)."""
    if seconds is None:
        return "—"
    minutes, rest = divmod(seconds, 60)
    return f"{minutes}:{rest:02d}"


@dataclass(frozen=True, slots=True)
class Row:
    """One key time, in words."""

    what: str
    incident: str
    at: str
    target: str
    verdict: str  # on_time, late, missed, done (no target)
    previous: str
    time: KeyTime


class Words:
    """Names for what a review holds, from the run's incidents and the reader's language."""

    def __init__(self, t: Translator, states: Mapping[UUID, IncidentState]) -> None:
        self.t, self.states = t, states

    def incident(self, incident_id: UUID) -> str:
        s = self.states.get(incident_id)
        if s is None:
            return ""
        linked = self.t("drill.review.linked") if s.drill and not s.drill.main else ""
        return f"{self.t(f'type.{s.type.value}')}{linked}"

    def what(self, k: KeyTime) -> str:
        if k.kind == "ack":
            return self.t("drill.review.kind.ack", unit=self.t.name("unit", k.ref))
        if k.kind == "item":
            s = self.states.get(k.incident)
            item = s.plan_item(k.ref) if s else None
            return item.text.get(self.t.language) if item else k.ref
        return self.t(f"drill.review.kind.{k.kind}")

    def verdict(self, k: KeyTime) -> str:
        if k.missed:
            return "missed"
        if k.target is None:
            return "done"
        return "late" if k.late else "on_time"

    def row(self, k: KeyTime) -> Row:
        return Row(
            self.what(k),
            self.incident(k.incident),
            clock(k.seconds),
            clock(k.target),
            self.verdict(k),
            clock(k.previous),
            k,
        )

    def unanswered(self, u: Unanswered) -> str:
        t = self.t
        steps = t("punct.list_sep").join(
            t("drill.review.step", step=t.name("notify.step", s.step), at=clock(s.seconds))
            for s in u.steps
        )
        answer = (
            t("drill.review.answered_late", at=clock(u.answered))
            if u.answered is not None
            else t("drill.review.never_answered")
        )
        return t(
            "drill.review.unanswered_line",
            unit=t.name("unit", u.unit),
            incident=self.incident(u.incident),
            at=clock(u.planned),
            steps=steps or t("drill.review.no_escalation"),
            answer=answer,
        )


def markdown(review: Review, words: Words, script: DrillScript | None) -> str:
    t = words.t
    title = script.title.get("en" if t.is_en else "zh") if script else review.script
    lines = [
        f"# {t('drill.review.title')}: {title}",
        "",
        t(
            "drill.review.facts",
            speed=review.speed,
            start=t.time(review.started_at),
            end=t.time(review.ended_at) if review.ended_at else t("drill.review.running"),
        ),
        "",
        f"## {t('drill.review.key_times')}",
        "",
        "| " + " | ".join(t(f"drill.review.col.{c}") for c in COLUMNS) + " |",
        "| " + " | ".join("---" for _ in COLUMNS) + " |",
    ]
    for row in map(words.row, review.times):
        cells = (row.what, row.incident, row.at, row.target, _verdict(t, row), row.previous)
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    lines += ["", f"## {t('drill.review.late_or_missed')}", ""]
    bad = [words.row(k) for k in review.times if k.late or k.missed]
    lines += [
        "- " + t("drill.review.late_line", what=r.what, incident=r.incident, verdict=_verdict(t, r))
        for r in bad
    ] or [t("drill.review.none")]
    lines += ["", f"## {t('drill.review.unanswered')}", ""]
    lines += [f"- {words.unanswered(u)}" for u in review.unanswered] or [t("drill.review.none")]
    if review.previous_run is None:
        lines += ["", t("drill.review.no_previous")]
    return "\n".join(lines) + "\n"


COLUMNS = ("what", "incident", "at", "target", "verdict", "previous")


def _verdict(t: Translator, row: Row) -> str:
    return t(f"drill.review.verdict.{row.verdict}")
