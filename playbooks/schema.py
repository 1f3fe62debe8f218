"""The playbook model: frozen dataclasses built only by the loader (see README.md).

Durations are whole seconds (`Seconds`). Texts are bilingual (`Text`). Cross
references (item ids, unit ids) are plain ids, checked by the loader.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeAlias

from incidents.kinds import IncidentType, Level, Role, Status

Seconds: TypeAlias = int


class Language(StrEnum):
    """The two languages every text is written in."""

    ZH = "zh"
    EN = "en"


class Evidence(StrEnum):
    """What a checklist item cannot be ticked without (incidents/evidence.py): a file of a
    kind attached to it, a count, or a written note with the tick."""

    PHOTO = "photo"
    AUDIO = "audio"
    DOCUMENT = "document"
    COUNT = "count"
    TEXT = "text"


class ReportField(StrEnum):
    """The contents of a report (信息报告内容), in the plans' order."""

    TIME = "time"
    PLACE = "place"
    SCALE = "scale"
    PEOPLE = "people"
    CAUSE = "cause"
    DEMANDS = "demands"
    ACTIONS_TAKEN = "actions_taken"
    IMPACT = "impact"
    OTHER = "other"


ALL_REPORT_FIELDS: tuple[ReportField, ...] = tuple(ReportField)


class UnitKind(StrEnum):
    """What kind of body a unit is; the notification rules speak of kinds."""

    POLICE = "police"
    HEALTH = "health"
    DISCIPLINE = "discipline"
    PETITION_BUREAU = "petition_bureau"
    STABILITY_OFFICE = "stability_office"
    DEPARTMENT = "department"
    FAMILY = "family"
    OTHER = "other"


class Channel(StrEnum):
    """How a contact is reached."""

    WEBHOOK = "webhook"
    EMAIL = "email"
    SMS = "sms"
    WECOM = "wecom"  # 企业微信 group robot; the address is the robot's key
    DINGTALK = "dingtalk"  # 钉钉 group robot; the address is the robot's access_token
    LOG = "log"


@dataclass(frozen=True, slots=True)
class Text:
    """A text in Chinese and English; both are always present."""

    zh: str
    en: str

    def get(self, language: str) -> str:
        """The text in `language` ("zh" or "en"); Chinese for anything else."""
        return self.en if language == Language.EN else self.zh


@dataclass(frozen=True, slots=True)
class Opened:
    """The moment the incident was opened (`after: opened`, `on: open`)."""


@dataclass(frozen=True, slots=True)
class ItemDone:
    """The moment a checklist item was ticked (`after: item:<id>`, `on: item_done:<id>`)."""

    item_id: str


@dataclass(frozen=True, slots=True)
class LevelReached:
    """The moment the incident reached a level (`level:<level>`)."""

    level: Level


@dataclass(frozen=True, slots=True)
class StatusReached:
    """The moment the incident reached a status (`on: status:<status>`)."""

    status: Status


Anchor: TypeAlias = Opened | ItemDone | LevelReached
Trigger: TypeAlias = Opened | ItemDone | LevelReached | StatusReached


@dataclass(frozen=True, slots=True)
class Due:
    """A deadline: `within_seconds` after the anchor moment."""

    after: Anchor
    within_seconds: Seconds


@dataclass(frozen=True, slots=True, kw_only=True)
class Item:
    """One checklist item (处置步骤)."""

    id: str
    text: Text
    role: Role
    due: Due | None = None
    required: bool = True
    requires: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    min_level: Level = Level.GENERAL

    def applies_at(self, level: Level) -> bool:
        """True when the item is on the checklist of an incident at `level`."""
        return level.rank >= self.min_level.rank


@dataclass(frozen=True, slots=True)
class Phase:
    """A named group of checklist items, e.g. immediate, on_scene, aftermath."""

    id: str
    title: Text
    items: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class Condition:
    """When a level rule applies; every condition given must hold."""

    headcount_at_least: int | None = None
    injured: bool = False

    def holds(self, headcount: int, injured: bool) -> bool:
        """True when an incident with these facts meets the condition."""
        if self.headcount_at_least is not None and headcount < self.headcount_at_least:
            return False
        return injured or not self.injured


@dataclass(frozen=True, slots=True)
class LevelRule:
    """Raise the level to `raise_to` when the condition holds (a suggestion to the commander)."""

    when: Condition
    raise_to: Level


@dataclass(frozen=True, slots=True)
class Escalation:
    """What happens when a notification is not acknowledged; times count from sending."""

    renotify_after: Seconds
    alert_after: Seconds
    then: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Notification:
    """Tell a unit (信息通报) when the trigger happens, and expect an acknowledgement."""

    id: str
    unit: str
    on: Trigger
    fields: tuple[ReportField, ...] = ALL_REPORT_FIELDS
    ack_within: Seconds
    escalation: Escalation | None = None


@dataclass(frozen=True, slots=True)
class ReportPolicy:
    """First report deadline (首报), follow-up interval (续报), final report (终报)."""

    first_within: Seconds
    followup_every: Seconds
    final_on_close: bool = True


@dataclass(frozen=True, slots=True)
class Resource:
    """A kind of resource the commander may dispatch, e.g. security_team."""

    id: str
    label: Text


@dataclass(frozen=True, slots=True)
class Choice:
    """One answer a welfare observation may be given, e.g. yes, no, calm."""

    id: str
    label: Text


@dataclass(frozen=True, slots=True)
class Observation:
    """What a welfare check looks at (conscious, drinking…), answered by one choice."""

    id: str
    label: Text
    choices: tuple[Choice, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Check:
    """A recurring welfare check on the visitor (`checks:` in a playbook)."""

    id: str
    title: Text
    every: Seconds
    observe: tuple[Observation, ...]
    grace: Seconds = 0
    starts_with: tuple[str, ...] = ()
    stops_with: tuple[str, ...] = ()
    manual: bool = False  # started from the incident page only, never by itself
    notify_on_missed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Playbook:
    """One emergency plan (应急预案) for one incident type, pinned by id, version and hash."""

    id: str
    version: int
    title: Text
    incident_type: IncidentType
    default_level: Level
    level_rules: tuple[LevelRule, ...] = ()
    phases: tuple[Phase, ...]
    notifications: tuple[Notification, ...]
    reports: ReportPolicy
    resources: tuple[Resource, ...] = ()
    checks: tuple[Check, ...] = ()
    source_hash: str = ""

    def items(self) -> Iterator[Item]:
        """Every checklist item, phase by phase, in file order."""
        for phase in self.phases:
            yield from phase.items

    def item(self, item_id: str) -> Item:
        """The item with this id; KeyError when there is none."""
        for item in self.items():
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def items_for_level(self, level: Level) -> tuple[Item, ...]:
        """The checklist of an incident at `level`."""
        return tuple(item for item in self.items() if item.applies_at(level))

    def level_for(self, headcount: int, injured: bool) -> Level:
        """The level the rules suggest for these facts (never below default_level)."""
        level = self.default_level
        for rule in self.level_rules:
            if rule.when.holds(headcount, injured) and rule.raise_to.rank > level.rank:
                level = rule.raise_to
        return level

    def notifications_on(self, trigger: Trigger) -> tuple[Notification, ...]:
        """The notifications to send when `trigger` happens."""
        return tuple(n for n in self.notifications if n.on == trigger)


@dataclass(frozen=True, slots=True)
class Contact:
    """One way to reach a unit; `address` is a URL, e-mail, phone number, robot key or log name.

    A DingTalk robot may need `keywords` (one must be in every message) and a signing secret,
    held in the environment variable `secret_env`, never in units.yaml.
    """

    name: str
    channel: Channel
    address: str
    language: Language = Language.ZH
    keywords: tuple[str, ...] = ()
    secret_env: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Unit:
    """A body that is notified: police, health, discipline, a department, the family…"""

    id: str
    name: Text
    kind: UnitKind
    contacts: tuple[Contact, ...] = ()
    secret_env: str | None = None
    drill: Contact | None = None  # where a drill's messages go (none: the log), never contacts
