"""The plan an incident was opened with: its playbook, copied into the `opened` event.

Pinning by copy keeps the incident self-contained and tamper-evident: editing the YAML
later never changes an open incident, and the export carries the plan it ran on.
The playbooks package builds a Plan from a Playbook; the domain reads only the Plan.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from incidents.kinds import Level, Role


@dataclass(frozen=True, slots=True)
class Bilingual:
    zh: str
    en: str

    def get(self, language: str) -> str:
        return self.en if language.startswith("en") else self.zh


@dataclass(frozen=True, slots=True)
class PlanItem:
    id: str
    phase: str
    text: Bilingual
    role: Role
    required: bool = True
    requires: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    min_level: Level = Level.GENERAL
    due_after: str | None = None  # "opened", "item:<id>" or "level:<level>"
    due_within: int | None = None  # seconds


@dataclass(frozen=True, slots=True)
class PlanNotification:
    id: str
    unit: str
    on: str  # "open", "level:<level>", "item_done:<id>" or "status:<status>"
    fields: tuple[str, ...]
    ack_within: int
    renotify_after: int | None = None
    alert_after: int | None = None
    then: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlanPhase:
    id: str
    title: Bilingual


@dataclass(frozen=True, slots=True)
class PlanLevelRule:
    """Raise to `raise_to` when every condition given holds."""

    raise_to: Level
    headcount_at_least: int | None = None
    injured: bool = False

    def holds(self, headcount: int, injured: bool) -> bool:
        enough = self.headcount_at_least is None or headcount >= self.headcount_at_least
        return enough and (injured or not self.injured)


@dataclass(frozen=True, slots=True)
class PlanResource:
    id: str
    label: Bilingual


@dataclass(frozen=True, slots=True)
class PlanChoice:
    id: str
    label: Bilingual


@dataclass(frozen=True, slots=True)
class PlanObservation:
    """One thing looked at during a welfare check, answered by one of its choices."""

    id: str
    label: Bilingual
    choices: tuple[PlanChoice, ...]

    def choice(self, choice_id: str) -> PlanChoice | None:
        return next((c for c in self.choices if c.id == choice_id), None)


@dataclass(frozen=True, slots=True)
class PlanCheck:
    """A recurring welfare check on the visitor (incidents/welfare.py)."""

    id: str
    title: Bilingual
    every: int  # seconds
    observe: tuple[PlanObservation, ...]
    grace: int = 0  # seconds past due before the check counts as missed
    starts_with: tuple[str, ...] = ()  # item ids; none: it runs from the opening
    stops_with: tuple[str, ...] = ()
    manual: bool = False  # started by a command only
    notify: tuple[str, ...] = ()  # units told when a check is missed

    def observation(self, obs_id: str) -> PlanObservation | None:
        return next((o for o in self.observe if o.id == obs_id), None)


@dataclass(frozen=True, slots=True)
class Plan:
    playbook_id: str
    version: int
    hash: str
    title: Bilingual
    default_level: Level
    phases: tuple[PlanPhase, ...]
    items: tuple[PlanItem, ...]
    notifications: tuple[PlanNotification, ...]
    first_report_within: int
    followup_every: int
    final_on_close: bool = True
    level_rules: tuple[PlanLevelRule, ...] = ()
    resources: tuple[PlanResource, ...] = ()
    checks: tuple[PlanCheck, ...] = ()

    def item(self, item_id: str) -> PlanItem | None:
        return next((i for i in self.items if i.id == item_id), None)

    def check(self, check_id: str) -> PlanCheck | None:
        return next((c for c in self.checks if c.id == check_id), None)

    def phase_title(self, phase_id: str) -> Bilingual:
        found = next((p.title for p in self.phases if p.id == phase_id), None)
        return found or Bilingual(phase_id, phase_id)

    def to_payload(self) -> dict[str, object]:
        payload: dict[str, object] = msgspec.to_builtins(self)
        return payload

    @classmethod
    def from_payload(cls, payload: object) -> Plan:
        return msgspec.convert(payload, cls)


def no_plan(default_level: Level = Level.GENERAL) -> Plan:
    """An empty plan, for incidents opened without a playbook (tests of the core)."""
    return Plan(
        "none",
        0,
        "0" * 64,
        Bilingual("无预案", "no playbook"),
        default_level,
        (),
        (),
        (),
        15 * 60,
        60 * 60,
        final_on_close=False,  # no playbook: no final report is asked for
    )
