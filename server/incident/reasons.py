"""The reasons the record keeps as codes, said in the reader's language.

A level the domain or the playbook raised records its rule and numbers, a failed notice
its error code (incidents/levels.py, incidents/settle.py, server/notify/channels.py).
An event recorded before that holds an English sentence: it is shown as recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from incidents.levels import HEADCOUNT_FLOOR
from incidents.settle import PLAYBOOK_RULE
from incidents.state import IncidentState
from server.i18n import Translator


def level_reason(state: IncidentState, t: Translator, p: Mapping[str, Any]) -> str:
    """Why the level changed: the rule that fired, or the commander's own words."""
    level = t(f"level.{p['to']}")
    if p.get("rule") == HEADCOUNT_FLOOR:
        return t(
            "level.rule.headcount_floor", n=p["headcount"], threshold=p["threshold"], level=level
        )
    if p.get("rule") == PLAYBOOK_RULE:
        return t(
            "level.rule.playbook",
            playbook=_playbook(state, t, p),
            conditions=_conditions(t, p),
            level=level,
        )
    return str(p.get("reason", ""))


def _playbook(state: IncidentState, t: Translator, p: Mapping[str, Any]) -> str:
    plan = state.plan
    return (
        plan.title.get(t.language) if plan and plan.playbook_id == p["playbook"] else p["playbook"]
    )


def _conditions(t: Translator, p: Mapping[str, Any]) -> str:
    said = (
        [t("level.rule.at_least", n=p["headcount_at_least"])] if p.get("headcount_at_least") else []
    )
    said += [t("level.rule.injured")] if p.get("injured") else []
    return t("punct.and").join(said) or t("level.rule.always")


def failure(t: Translator, p: Mapping[str, Any]) -> str:
    """Why a notice did not go through: its error code said plainly, or the error recorded."""
    code = p.get("error_code")
    if code and t.catalogue.has(t.language, f"notify.failure.{code}"):
        return t(f"notify.failure.{code}", status=p.get("error_status") or "")
    return str(p.get("error", ""))
