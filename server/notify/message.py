"""The report a unit receives (信息报告内容), in the contact's language, with its ack link.

Time, place, scale, people involved, cause, demands, what has been done, how it may
develop, anything else — only the fields the playbook's notification asks for. The text
holds a visitor's words (summary, demands): it is sent, never logged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from incidents.kinds import ItemStatus
from incidents.state import IncidentState
from playbooks.schema import ALL_REPORT_FIELDS, Unit
from server.i18n import Catalogue, Translator, normalize
from server.notify.delivery import Delivery
from server.notify.tokens import TTL, AckClaim, issue


@dataclass(frozen=True, slots=True)
class Message:
    subject: str
    fields: tuple[tuple[str, str, str], ...]  # (field, label, value) in the plans' order
    ack_url: str
    ack_prompt: str
    language: str
    truncated: str = ""  # the mark after a text cut to a channel's limit
    drill: bool = False  # a drill's message (its subject starts with 【演练】)

    @property
    def text(self) -> str:
        body = "\n".join(f"{label}: {value}" for _, label, value in self.fields)
        return f"{self.subject}\n\n{body}\n\n{self.ack_prompt} {self.ack_url}"

    def payload(self, d: Delivery) -> dict[str, Any]:
        """The webhook's JSON body."""
        return {
            "incident_id": str(d.incident_id),
            "notification": d.notification,
            "unit": d.unit,
            "round": d.round,
            "idempotency_key": d.key,
            "language": self.language,
            "subject": self.subject,
            "fields": {field: value for field, _, value in self.fields},
            "text": self.text,
            "ack_url": self.ack_url,
            "drill": self.drill,
        }


def _actions(s: IncidentState, t: Translator) -> str:
    """What was done on the spot: each step ticked done, with its note; else a clear "none yet"."""
    done = []
    for item in s.checklist:
        if item.status is not ItemStatus.DONE:
            continue
        plan_item = s.plan_item(item.id)
        text = plan_item.text.get(t.language) if plan_item else item.id
        done.append(t("notify.action_noted", item=text, note=item.note) if item.note else text)
    return t("punct.list_sep").join(done) or t("notify.actions_none")


def _people(s: IncidentState, t: Translator) -> str:
    hurt = f"; {t('notify.injured')}" if s.injured else ""
    return t("notify.people_count", n=s.headcount) + hurt


FIELDS: dict[str, Callable[[IncidentState, Translator], str]] = {
    "time": lambda s, t: s.opened_at.astimezone(t.zone).strftime("%Y-%m-%d %H:%M"),
    "place": lambda s, t: s.location,
    "scale": lambda s, t: t(
        "notify.scale",
        people=t("count.people", n=s.headcount),
        level=t(f"level.{s.level.value}"),
    ),
    "people": _people,
    "cause": lambda s, t: f"{t('type.' + s.type.value)}: {s.summary}",
    "demands": lambda s, t: s.demands or t("notify.value_none"),
    "actions_taken": _actions,
    "impact": lambda s, t: t(
        "notify.impact", level=t(f"level.{s.level.value}"), status=t(f"status.{s.status.value}")
    ),
    "other": lambda s, t: s.plan.title.get(t.language) if s.plan else t("notify.value_none"),
}


class Composer:
    def __init__(
        self,
        catalogue: Catalogue,
        zone: str,
        units: Mapping[str, Unit],
        public_url: str,
        secret: bytes,
    ) -> None:
        self._catalogue, self._zone, self._units = catalogue, ZoneInfo(zone), units
        self._public_url, self._secret = public_url, secret

    def ack_url(self, d: Delivery, now: datetime) -> str:
        token = issue(self._secret, AckClaim(d.incident_id, d.notification, d.id, now + TTL))
        return f"{self._public_url}/ack/{token}"

    def compose(self, state: IncidentState, d: Delivery, now: datetime) -> Message:
        t = Translator(self._catalogue, normalize(d.language), self._zone)
        unit = self._units.get(d.unit)
        unit_name = unit.name.get("en" if t.is_en else "zh") if unit else d.unit
        subject = t(
            "notify.subject",
            type=t(f"type.{state.type.value}"),
            place=state.location,
            unit=unit_name,
        )
        subject = _missed_check(state, d, t) + subject
        if d.round:
            subject = f"{t('notify.again', n=d.round)} {subject}"
        if state.drill is not None:  # said first, on every channel: this is not real
            subject = f"{t('drill.message_mark')} {subject}"
        return Message(
            subject,
            _report_fields(state, d, t)
            or tuple((f, t(f"notify.field.{f}"), FIELDS[f](state, t)) for f in _fields(state, d)),
            self.ack_url(d, now),
            t("notify.ack_prompt"),
            t.language,
            t("notify.truncated"),
            drill=state.drill is not None,
        )


def _missed_check(state: IncidentState, d: Delivery, t: Translator) -> str:
    """A notice of a missed welfare check names the check first (incidents/welfare.py)."""
    on = next((n.on for n in state.notifications if n.id == d.notification), "")
    kind, _, check_id = on.partition(":")
    check = state.plan.check(check_id) if kind == "check_missed" and state.plan else None
    return t("welfare.notify_missed", check=check.title.get(t.language)) if check else ""


def _report_fields(
    state: IncidentState, d: Delivery, t: Translator
) -> tuple[tuple[str, str, str], ...]:
    """A situation report carries what its filer signed, not the incident's fields of now."""
    if not d.notification.startswith("report-"):
        return ()
    number = int(d.notification.split("-", 2)[1])
    report = next((r for r in state.reports if r.number == number), None)
    if report is None or not report.fields:
        return ()
    signed = ("signed_by", t("notify.field.signed_by"), report.by)
    return (*((f, t(f"notify.field.{f}"), v) for f, v in report.fields.items() if v), signed)


def _fields(state: IncidentState, d: Delivery) -> tuple[str, ...]:
    planned = state.plan and next(
        (n for n in state.plan.notifications if n.id == d.notification), None
    )
    wanted = planned.fields if planned else tuple(ALL_REPORT_FIELDS)
    return tuple(f for f in FIELDS if f in wanted)
