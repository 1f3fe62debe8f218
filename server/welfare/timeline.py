"""The timeline's sentences for welfare checks (the parameters of `event.welfare_check_*`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from incidents.canonical import parse_time
from incidents.plan import PlanCheck
from incidents.state import IncidentState
from playbooks.durations import format_duration
from server.i18n import Translator


def _plan(state: IncidentState, check_id: str) -> PlanCheck | None:
    return state.plan.check(check_id) if state.plan else None


def _check(state: IncidentState, t: Translator, p: Mapping[str, Any]) -> dict[str, Any]:
    """The check by its title; the item that started or stopped it; why it was stopped."""
    pc = _plan(state, p["check"])
    item = state.plan_item(p["item"]) if p.get("item") else None
    because = t("welfare.because_item", item=item.text.get(t.language)) if item else ""
    reason = t("punct.colon") + p["reason"] if p.get("reason") else ""
    every = format_duration(pc.every, "en" if t.is_en else "zh") if pc else ""
    return {"check": pc.title.get(t.language) if pc else p["check"], "because": because} | {
        "reason": reason,
        "every": every,
    }


def answers_text(pc: PlanCheck | None, answers: Mapping[str, str], t: Translator) -> str:
    """ "意识清醒：是；饮水：否" / "Conscious: Yes; Drinking water: No", in plan order."""
    if pc is None:
        return t("punct.list").join(f"{k}{t('punct.colon')}{v}" for k, v in answers.items())
    said = []
    for obs in pc.observe:
        choice = obs.choice(answers.get(obs.id, ""))
        shown = choice.label.get(t.language) if choice else answers.get(obs.id, "—")
        said.append(f"{obs.label.get(t.language)}{t('punct.colon')}{shown}")
    return t("welfare.answers_sep").join(said)


def _recorded(state: IncidentState, t: Translator, p: Mapping[str, Any]) -> dict[str, Any]:
    pc = _plan(state, p["check"])
    late = t("welfare.timeline_late", time=t.time(parse_time(p["due_at"]))) if p["late"] else ""
    return {
        "check": pc.title.get(t.language) if pc else p["check"],
        "round": p["round"],
        "answers": answers_text(pc, p["answers"], t),
        "remark": f" — {p['remark']}" if p.get("remark") else "",
        "late": late,
    }


def _missed(state: IncidentState, t: Translator, p: Mapping[str, Any]) -> dict[str, Any]:
    pc = _plan(state, p["check"])
    return {
        "check": pc.title.get(t.language) if pc else p["check"],
        "round": p["round"],
        "due": t.time(parse_time(p["due_at"])),
    }


Params = Callable[[IncidentState, Translator, Mapping[str, Any]], Mapping[str, Any]]

PARAMS: dict[str, Params] = {
    "welfare_check_started": _check,
    "welfare_check_stopped": _check,
    "welfare_check_recorded": _recorded,
    "welfare_check_missed": _missed,
}
