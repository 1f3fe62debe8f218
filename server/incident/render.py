"""HTML rendering: whole pages, and the fragments pushed over WebSockets.

The same macros (web/templates/fragments.html) draw a page and its pushed updates.
A fragment depends only on (view, language, role), never on one user, so the hub
renders each once and sends it to every console that shares those.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

import web
from incidents import resources as rs
from incidents import welfare
from incidents.events import Event
from incidents.evidence import EvidenceKind
from incidents.kinds import IncidentType, ItemStatus, Level, Role, Status
from incidents.links import grouped
from incidents.plan import PlanCheck
from incidents.reports import Due, next_due
from incidents.settle import FIRST_REPORT_TIMER
from incidents.state import IncidentState, ItemState, NotificationState
from playbooks.durations import format_duration
from server.evidence.sniff import THUMBNAILED
from server.i18n import Catalogue, Translator, normalize
from server.incident.parts import Changed, Part, changed
from server.incident.timeline import describe, file_size
from server.incident.view import Sheet, item_dues, sheet
from server.welfare.timeline import answers_text

TEMPLATES = Path(web.__file__).parent / "templates"


@dataclass(frozen=True, slots=True)
class Row:
    """What the board shows of one incident, computed once."""

    state: IncidentState
    resolved: int
    total: int
    overdue: int
    unacked: int
    first_report_due: datetime | None
    next_due: datetime | None
    report_due: Due | None = None
    report_late: bool = False
    silent: tuple[Silent, ...] = ()
    checks_missed: tuple[PlanCheck, ...] = ()  # welfare checks missed: the row is red


@dataclass(frozen=True, slots=True)
class Silent:
    """A unit escalated or alerted and still not acknowledging: named on the board, and an
    alarm in the browser. Each key changes when the silence gets louder (escalated, alerted),
    so the console rings once per step, never again for what it already rang for."""

    unit: str
    alarms: tuple[str, ...]


def alarm_key(state: IncidentState, n: NotificationState) -> str:
    """The alarm of one unanswered notification once it escalated ("" while it need not ring)."""
    if n.acknowledged or not (n.escalated_at or n.alerted_at):
        return ""
    return f"{state.id}:{n.id}:{'alerted' if n.alerted_at else 'escalated'}"


def silent_units(state: IncidentState) -> tuple[Silent, ...]:
    """The units gone silent, each once, in the order they were to be told."""
    keys: dict[str, list[str]] = {}
    for n in state.notifications:
        if key := alarm_key(state, n):
            keys.setdefault(n.unit, []).append(key)
    return tuple(Silent(unit, tuple(k)) for unit, k in keys.items())


def report_alarm(state: IncidentState, due: Due | None) -> str:
    """The alarm of the report due next: it rings when the deadline passes."""
    return f"{state.id}:report:{due.key}" if due else ""


def board_row(state: IncidentState, now: datetime) -> Row:
    resolved, total = state.progress()
    pending = sorted(item_dues(state).values())
    first = next((t.due_at for t in state.timers if t.id == FIRST_REPORT_TIMER), None)
    unacked = sum(n.status != "acknowledged" for n in state.notifications)
    report = next_due(state)
    return Row(
        state,
        resolved,
        total,
        sum(d < now for d in pending),
        unacked,
        first,
        pending[0] if pending else None,
        report,
        report is not None and report.at < now,
        silent_units(state),
        tuple(welfare.overdue(state)),
    )


def evidence_words(t: Translator, kinds: Sequence[str]) -> str:
    """What an item asks for, in the reader's words: 照片、文字说明."""
    return t("punct.list").join(t(f"evidence.{k}") for k in kinds)


def phone_order(state: IncidentState) -> list[ItemState]:
    """The phone's checklist: what is left to do first, in plan order; done and skipped after."""
    order = {item.id: n for n, item in enumerate(state.plan.items)} if state.plan else {}
    last = len(order)
    return sorted(state.checklist, key=lambda i: (i.status.resolved, order.get(i.id, last)))


class UserNames:
    """Users' display names by login id, for showing who did what. Only the edge uses them:
    events keep the id, and an id without a name here is shown as it is.

    Loaded at start, then again when older than `max_age` (a background loop keeps pushed
    fragments current) or when a page is drawn for someone not in it yet: a user added
    since, so the list is stale. One small query (the users table is tens of rows).
    """

    def __init__(
        self,
        load: Callable[[], Awaitable[Mapping[str, str]]],
        max_age: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        load_commanders: Callable[[], Awaitable[Mapping[str, str]]] | None = None,
    ) -> None:
        self._load, self.max_age, self._clock = load, max_age, clock
        self._load_commanders = load_commanders
        self._loaded_at: float | None = None
        self.current: Mapping[str, str] = MappingProxyType({})
        self.commanders: Mapping[str, str] = MappingProxyType({})  # who may be made commander

    @classmethod
    def fixed(cls, names: Mapping[str, str]) -> UserNames:
        """Names that never change (tests, tools without a database)."""
        frozen = MappingProxyType(dict(names))

        async def load() -> Mapping[str, str]:
            return frozen

        fixed = cls(load)
        fixed.current = frozen
        return fixed

    async def refresh(self, *, force: bool = False, knowing: str | None = None) -> None:
        """Reload when forced, too old, or lacking `knowing` (the user a page is drawn for)."""
        stale = self._loaded_at is None or self._clock() - self._loaded_at >= self.max_age
        if force or stale or (knowing is not None and knowing not in self.current):
            names = MappingProxyType(dict(await self._load()))
            if self._load_commanders is not None:
                self.commanders = MappingProxyType(dict(await self._load_commanders()))
            self.current, self._loaded_at = names, self._clock()


class Renderer:
    def __init__(self, catalogue: Catalogue, zone: str, names: UserNames | None = None) -> None:
        self.catalogue = catalogue
        self.zone = ZoneInfo(zone)
        self.names = names or UserNames.fixed({})
        self._macro_modules: dict[tuple[str, Role], Any] = {}
        self._macros_names: Mapping[str, str] | None = None
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals |= {
            "Level": Level,
            "Status": Status,
            "ItemStatus": ItemStatus,
            "IncidentType": IncidentType,
            "Role": Role,
            "describe": describe,
            "iso": lambda d: d.isoformat() if d else "",
            "phone_order": phone_order,
            "alarm_key": alarm_key,
            "report_alarm": report_alarm,
            "resource_label": rs.label,
            "resource_registry": rs.REGISTRY,
            "resource_moves": rs.NEXT,
            "commander_choices": self.commander_choices,
            "welfare_answers": answers_text,
            "duration": lambda seconds, language: format_duration(seconds, language[:2]),
            "file_size": file_size,
            "evidence_kinds": [k.value for k in EvidenceKind],
            "evidence_words": evidence_words,
            "thumbnailed": THUMBNAILED,
        }
        self.env.filters["bilingual"] = lambda text, language: text.get(language)

    def commander_choices(self, state: IncidentState) -> list[tuple[str, str]]:
        """(login, name) of the users who may command this incident: enabled commanders
        without a declared conflict of interest, the current one included, by name."""
        recused = {r.user_id for r in state.recused}
        fit = {k: v for k, v in self.names.commanders.items() if k not in recused}
        if state.commander and state.commander not in fit:  # shown, though no longer fit
            fit[state.commander] = self.names.current.get(state.commander, state.commander)
        return sorted(fit.items(), key=lambda kv: kv[1])

    def translator(self, language: str) -> Translator:
        return Translator(self.catalogue, normalize(language), self.zone, self.names.current)

    def page(self, name: str, language: str, **context: Any) -> str:
        t = self.translator(language)
        return self.env.get_template(name).render(t=t, lang=t.language, **context)

    def _macros(self, language: str, role: Role) -> Any:
        """The fragments' macros for a language and role, built once per set of names: making
        the module runs the whole template, a cost every push paid before."""
        names = self.names.current
        if names is not self._macros_names:
            self._macro_modules, self._macros_names = {}, names
        key = (normalize(language), role)
        if key not in self._macro_modules:
            t = self.translator(language)
            self._macro_modules[key] = self.env.get_template("fragments.html").make_module(
                {"t": t, "lang": t.language, "role": role}
            )
        return self._macro_modules[key]

    def board_update(
        self, state: IncidentState, events: Sequence[Event], language: str, now: datetime
    ) -> str:
        """The board's row for this incident (a new row, a changed row, or its removal);
        nothing when the events change nothing the row shows (a note)."""
        if Part.BOARD not in changed(events, state):
            return ""
        macros = self._macros(language, Role.VIEWER)
        if not state.is_open:
            return str(macros.board_row_removed(state))
        return str(macros.board_row(board_row(state, now), oob=True))

    def incident_update(
        self,
        state: IncidentState,
        events: Sequence[Event],
        language: str,
        role: Role,
        now: datetime,
    ) -> str:
        """The parts of one incident page these events change, and their timeline lines."""
        m, v = self._macros(language, role), sheet(state, role)
        what = changed(events, state)
        parts = [draw(m, v, what, now) for part, draw in DRAWN if part in what]
        return "".join(parts) + str(m.timeline_entries(state, events, oob=True))

    def phone_update(
        self, state: IncidentState, events: Sequence[Event] | None, language: str, now: datetime
    ) -> str:
        """The phone's checklist, whole (it reorders), when the events change it; None: always."""
        if events is not None and Part.PHONE not in changed(events, state):
            return ""
        m = self._macros(language, Role.ONSITE_STAFF)
        return str(m.phone_checklist(sheet(state, Role.ONSITE_STAFF), now, oob=True))

    def phone_list_update(
        self, state: IncidentState, events: Sequence[Event], language: str, now: datetime
    ) -> str:
        """The phone's list entry for this incident (new, changed, or removed once closed)."""
        if Part.BOARD not in changed(events, state):
            return ""
        m = self._macros(language, Role.ONSITE_STAFF)
        return str(m.phone_item(state, oob=True, removed=not state.is_open))

    def phone_list_snapshot(
        self, states: Sequence[IncidentState], language: str, now: datetime
    ) -> str:
        m = self._macros(language, Role.ONSITE_STAFF)
        return str(m.phone_items(states, oob=True))

    def board_snapshot(self, states: Sequence[IncidentState], language: str, now: datetime) -> str:
        m = self._macros(language, Role.VIEWER)
        rows = "".join(str(m.board_row(board_row(s, now))) for s in grouped(states))
        return f'<tbody id="board-rows" hx-swap-oob="true">{rows}</tbody>'

    def incident_snapshot(
        self,
        state: IncidentState,
        events: Sequence[Event],
        language: str,
        role: Role,
        now: datetime,
    ) -> str:
        m, v = self._macros(language, role), sheet(state, role)
        timeline = str(m.timeline_entries(state, events)).replace(
            'id="timeline"', 'id="timeline" hx-swap-oob="true"', 1
        )
        parts = [str(m.incident_header(v, oob=True)), str(m.incident_panels(v, oob=True))]
        parts.append(str(m.welfare_panel(v, now, oob=True)))
        parts.append(str(m.evidence_panel(v, oob=True)))
        return "".join(parts) + str(m.checklist(v, now, oob=True)) + timeline


Draw = Callable[[Any, Sheet, Changed, datetime], str]

# How each part is drawn, in page order (parts.changed gives a narrow part only when its
# whole is not drawn anyway).
DRAWN: tuple[tuple[Part, Draw], ...] = (
    (Part.HEADER, lambda m, v, w, now: str(m.incident_header(v, oob=True))),
    (Part.NOTIFICATIONS, lambda m, v, w, now: str(m.notifications_part(v, oob=True))),
    (Part.NOTICES, lambda m, v, w, now: str(m.notification_rows(v, w.notices))),
    (Part.RESOURCES, lambda m, v, w, now: str(m.resources_part(v, oob=True))),
    (Part.DISPATCHES, lambda m, v, w, now: str(m.dispatches_part(v))),
    (Part.REPORTS, lambda m, v, w, now: str(m.reports_part(v, oob=True))),
    (
        Part.CONTROLS,
        lambda m, v, w, now: str(m.commander_controls(v, oob=True)) if v.can.direct else "",
    ),
    (Part.WELFARE, lambda m, v, w, now: str(m.welfare_panel(v, now, oob=True))),
    (Part.CHECKLIST, lambda m, v, w, now: str(m.checklist(v, now, oob=True))),
    (Part.ITEMS, lambda m, v, w, now: _rows(m, v, w.items, now)),
    (Part.EVIDENCE, lambda m, v, w, now: str(m.evidence_panel(v, oob=True))),
)


def _rows(m: Any, v: Sheet, ids: frozenset[str], now: datetime) -> str:
    rows = [str(m.item_row(v, i, now, oob=True)) for i in v.state.checklist if i.id in ids]
    return "".join(rows) + str(m.checklist_count(v.state, oob=True))
