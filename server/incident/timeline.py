"""Timeline entries as sentences in the reader's language."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from incidents import resources as rs
from incidents.canonical import parse_time
from incidents.events import Event
from incidents.links import link_from, opened_from
from incidents.state import IncidentState, Link
from server.i18n import Translator
from server.incident.reasons import failure, level_reason
from server.welfare.timeline import PARAMS as WELFARE_PARAMS


def _item(state: IncidentState, t: Translator, item_id: str) -> str:
    item = state.plan_item(item_id)
    return item.text.get(t.language) if item else item_id


def _level(s: IncidentState, t: Translator, p: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "from": t(f"level.{p['from']}"),
        "to": t(f"level.{p['to']}"),
        "reason": level_reason(s, t, p),
    }


def _status(t: Translator, p: Mapping[str, Any]) -> dict[str, Any]:
    reason = t("punct.colon") + p["reason"] if p.get("reason") else ""
    return {"from": t(f"status.{p['from']}"), "to": t(f"status.{p['to']}"), "reason": reason}


def _delivery(t: Translator, p: Mapping[str, Any]) -> dict[str, Any]:
    """A delivery attempt: the channel by its name, a failure by what went wrong."""
    said = {**p, "channel": t.name("notify.channel", p["channel"])}
    return said | ({"error": failure(t, p)} if "error" in p else {})


def _acknowledged(t: Translator, p: Mapping[str, Any]) -> dict[str, Any]:
    by = t.who(p.get("by")) or t("notify.by_unknown")
    return {**p, "via": t.name("notify.via", p["via"]), "by": by}


def _followup(state: IncidentState, t: Translator, p: Mapping[str, Any]) -> str:
    item = state.plan_item(p["item"])
    return item.text.get(t.language) if item else str(p["item"])


def _due(t: Translator, p: Mapping[str, Any]) -> str:
    return t.time(parse_time(p["due_at"])) if p.get("due_at") else "—"


def _far_due(t: Translator, p: Mapping[str, Any]) -> str:
    """A deadline weeks ahead (follow-up, reply): with its year."""
    return t.date(parse_time(p["due_at"])) if p.get("due_at") else "—"


def _resource(state: IncidentState, t: Translator, p: Mapping[str, Any]) -> dict[str, Any]:
    eta = p.get("eta_minutes")
    return {
        "resource": rs.label(state, p["resource"], t.language),
        "eta": "" if eta is None else t("resource.timeline_eta", n=eta),
    }


def _report(t: Translator, p: Mapping[str, Any]) -> dict[str, Any]:
    late = t("report.timeline_late", time=_due(t, p)) if p.get("late") else ""
    return {"kind": t(f"report.kind.{p['kind']}"), "number": p["number"], "late": late}


def file_size(t: Translator, size: int) -> str:
    """A file's size as a person reads it: KB below a megabyte, else MB with one decimal."""
    if size < 1024 * 1024:
        return t("evidence.size_kb", n=max(1, round(size / 1024)))
    return t("evidence.size_mb", n=f"{size / (1024 * 1024):.1f}")


def _evidence(state: IncidentState, t: Translator, p: Mapping[str, Any]) -> dict[str, Any]:
    item = (
        t("event.evidence_attached.item", item=_item(state, t, p["item"])) if p.get("item") else ""
    )
    return {
        "kind": t(f"evidence.{p['kind']}"),
        "name": p.get("file_name") or t("evidence.unnamed"),
        "size": file_size(t, int(p["size"])),
        "item": item,
        "note": f" — {p['note']}" if p.get("note") else "",
    }


Params = Callable[[IncidentState, Translator, Mapping[str, Any]], Mapping[str, Any]]

PARAMS: dict[str, Params] = {
    "opened": lambda s, t, p: {
        **p,
        "type": t(f"type.{p['type']}"),
        "people": t("count.people", n=p["headcount"]),
        "incident": _other(t, opened_from(p)),
    },
    "incident_linked": lambda s, t, p: {"incident": _other(t, link_from(p))},
    "level_changed": lambda s, t, p: _level(s, t, p),
    "status_changed": lambda s, t, p: _status(t, p),
    "checklist_item_added": lambda s, t, p: {"item": _item(s, t, p["item"])},
    "item_ticked": lambda s, t, p: {
        "item": _item(s, t, p["item"]),
        "note": (f" — {p['note']}" if p.get("note") else "") + _count(t, p),
    },
    "evidence_attached": _evidence,
    "item_unticked": lambda s, t, p: {**p, "item": _item(s, t, p["item"])},
    "item_skipped": lambda s, t, p: {**p, "item": _item(s, t, p["item"])},
    "item_blocked": lambda s, t, p: {**p, "item": _item(s, t, p["item"])},
    "timer_set": lambda s, t, p: {
        "timer": _item(s, t, p["ref"]) if p["kind"] == "item_due" else t(f"timer.{p['kind']}"),
        "time": t.time(parse_time(p["due_at"])),
    },
    "exported": lambda s, t, p: {
        "format": t.name("export.format_short", p["format"]),
        "redacted": t("event.exported.redacted") if p.get("redacted") else "",
    },
    **dict.fromkeys(
        ["notification_sent", "notification_delivered", "notification_failed"],
        lambda s, t, p: _delivery(t, p),
    ),
    "notification_escalated": lambda s, t, p: {**p, "step": t.name("notify.step", p["step"])},
    "notification_acknowledged": lambda s, t, p: _acknowledged(t, p),
    "followup_added": lambda s, t, p: {"item": _followup(s, t, p), "due": _far_due(t, p)},
    "followup_done": lambda s, t, p: {**p, "item": _followup(s, t, p)},
    "reply_extended": lambda s, t, p: {
        **p,
        "due": _far_due(t, p),
        "days": t("count.days", n=p["days"]),
    },
    **dict.fromkeys(
        [f"resource_{to}" for to in rs.STATUSES] + ["resource_eta_set"],
        lambda s, t, p: _resource(s, t, p),
    ),
    "report_filed": lambda s, t, p: _report(t, p),
    "report_overdue": lambda s, t, p: {"kind": t(f"report.kind.{p['kind']}"), "due": _due(t, p)},
    "commander_assigned": lambda s, t, p: _commander(t, p),
    "conflict_declared": lambda s, t, p: {**p, "user_id": t.who(p.get("user_id"))},
    **WELFARE_PARAMS,
    "drill_inject": lambda s, t, p: _inject(t, p),
    "drill_ended": lambda s, t, p: {"reason": t(f"drill.end.{p['reason']}")},
}


def _count(t: Translator, p: Mapping[str, Any]) -> str:
    return f" — {t('evidence.count')} {p['count']}" if p.get("count") is not None else ""


def _inject(t: Translator, p: Mapping[str, Any]) -> dict[str, Any]:
    prompt = p.get("prompt")
    shown = t("drill.prompted", text=prompt["en" if t.is_en else "zh"]) if prompt else ""
    return {"n": p["n"] + 1, "do": t(f"drill.do.{p['do']}"), "prompt": shown}


def _commander(t: Translator, p: Mapping[str, Any]) -> dict[str, Any]:
    """Who commands now; marked when the roster chose them, 'nobody' when no one does."""
    to = t.who(p["to"]) or t("roster.nobody")
    by_roster = t("roster.by_roster") if p.get("source") == "roster" else ""
    return {**p, "from": t.who(p.get("from")), "to": to + by_roster}


def _other(t: Translator, link: Link | None) -> str:
    """Another incident by what and where it is, never by its id."""
    return f"{t(f'type.{link.type.value}')} · {link.location}" if link else ""


def _as_is(state: IncidentState, t: Translator, p: Mapping[str, Any]) -> Mapping[str, Any]:
    return p


def _key(event: Event) -> str:
    if event.kind == "commander_assigned" and event.payload.get("source") == "recusal":
        return "roster.event.commander_stepped_down"
    if event.kind == "opened" and event.payload.get("linked_to"):
        return "event.opened_linked"
    return f"event.{event.kind}"


def describe(event: Event, state: IncidentState, t: Translator) -> str:
    """One readable sentence for a timeline entry."""
    key = _key(event)
    if key not in t.catalogue.texts[t.language]:
        return t("event.unknown", who=t.who(event.recorded_by), kind=event.kind)
    build = PARAMS.get(event.kind, _as_is)
    params = {**build(state, t, event.payload), "who": t.who(event.recorded_by)}
    if isinstance(params.get("unit"), str):
        params["unit"] = t.name("unit", params["unit"])
    try:
        return t(key, **params)
    except (KeyError, IndexError):  # a payload older than its sentence: say what we can
        return t("event.unknown", who=t.who(event.recorded_by), kind=event.kind)
