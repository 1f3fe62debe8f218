"""The incident as the board sees it: a pure fold of its events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

import msgspec

from incidents.kinds import IncidentType, ItemStatus, Level, NotificationStatus, Role, Status
from incidents.plan import Plan, PlanItem


@dataclass(frozen=True, slots=True)
class Actor:
    """Who issues a command: a user id (never a visitor) and the role they act in."""

    user_id: str
    role: Role


@dataclass(frozen=True, slots=True)
class ItemState:
    """A checklist item's progress; what it says is in the plan."""

    id: str
    added_at: datetime
    status: ItemStatus = ItemStatus.OPEN
    by: str | None = None
    at: datetime | None = None
    note: str = ""
    evidence: tuple[str, ...] = ()  # the kinds of file attached to it (photo, audio, document)


@dataclass(frozen=True, slots=True)
class AttachmentState:
    """A file attached as evidence (its bytes are kept by hash, outside the state)."""

    sha256: str
    kind: str  # photo, audio or document
    content_type: str
    size: int
    name: str
    by: str
    at: datetime
    seq: int
    item: str = ""  # the checklist item it was attached to, if any


@dataclass(frozen=True, slots=True)
class NotificationState:
    """One unit's notification: where it stands, and when each step happened."""

    id: str
    unit: str
    on: str
    planned_at: datetime
    status: NotificationStatus = NotificationStatus.PLANNED
    round: int = 0  # 0: the first sending; each escalation or re-send adds one
    sent_at: datetime | None = None
    delivered_at: datetime | None = None
    failed_at: datetime | None = None
    last_error: str = ""
    escalated_at: datetime | None = None
    alerted_at: datetime | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str = ""
    acknowledged_via: str = ""  # link, api or phone
    eta_minutes: int | None = None
    ack_note: str = ""

    @property
    def acknowledged(self) -> bool:
        return self.status is NotificationStatus.ACKNOWLEDGED

    @property
    def loud(self) -> bool:
        """Failed, or alerted and still unanswered: red on the board."""
        failed = self.status is NotificationStatus.FAILED
        return failed or (self.alerted_at is not None and not self.acknowledged)


@dataclass(frozen=True, slots=True)
class Timer:
    """A deadline the workers watch: a report due, an item due."""

    id: str
    kind: str
    ref: str
    due_at: datetime


@dataclass(frozen=True, slots=True)
class FollowupItem:
    """Work after the incident (善后, 督办) with its deadline; closed only with evidence.

    rule: "plan" (an aftermath item), "unit_result", "reply" (statutory deadlines),
    "deliver" or "check" (a leader's instruction). See incidents/followup.py.
    """

    id: str
    rule: str
    added_at: datetime
    due_at: datetime | None = None
    done: bool = False
    by: str | None = None
    at: datetime | None = None
    evidence: str = ""
    extended_days: int = 0
    extension_reason: str = ""
    detail: str = ""


@dataclass(frozen=True, slots=True)
class DispatchState:
    """One resource sent to this incident (incidents/resources.py has its state machine)."""

    id: str
    resource: str
    unit: str
    status: str
    requested_at: datetime
    requested_by: str
    at: datetime  # when it reached its current status
    by: str  # who moved it there
    eta_at: datetime | None = None
    note: str = ""
    times: dict[str, datetime] = field(default_factory=dict)  # status -> when first reached

    @property
    def active(self) -> bool:
        return self.status != "released"


@dataclass(frozen=True, slots=True)
class ReportState:
    """A situation report filed (首报, 续报, 终报): when, by whom, and whether it was late."""

    number: int
    kind: str  # first, followup or final
    filed_at: datetime
    by: str
    due_at: datetime | None = None
    late: bool = False
    fields: dict[str, str] = field(default_factory=dict)  # what the filer signed


@dataclass(frozen=True, slots=True)
class OverdueReport:
    """A report deadline that passed unfiled (recorded once per deadline, kept for good)."""

    key: str  # "first" or "followup:<n>"
    kind: str
    due_at: datetime
    at: datetime


@dataclass(frozen=True, slots=True)
class Recusal:
    """A user with a direct interest in the incident (回避): may neither act nor be assigned."""

    user_id: str
    reason: str
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Link:
    """Another incident this one is linked with, by what and where it is: the page and the
    board name it without reading it (neither changes after opening)."""

    id: UUID
    type: IncidentType
    location: str


@dataclass(frozen=True, slots=True)
class CheckRecord:
    """One welfare check recorded: the answers by observation, a remark, and if it was late."""

    round: int
    at: datetime
    by: str
    answers: dict[str, str]
    remark: str = ""
    late: bool = False


@dataclass(frozen=True, slots=True)
class CheckState:
    """A welfare check of the plan once started (incidents/welfare.py derives when it is due)."""

    id: str
    running: bool
    since: datetime  # started, the last record or the last missed slot: the next is `every` on
    auto_started: bool = False  # its starts_with item started it (once, never again)
    auto_stopped: bool = False
    overdue: bool = False  # the last check was missed and none is recorded since: red
    records: tuple[CheckRecord, ...] = ()
    missed: tuple[tuple[int, datetime], ...] = ()  # (round, due at) of every missed check

    @property
    def round(self) -> int:
        """The number of the check pending now: every check recorded or missed has one."""
        return len(self.records) + len(self.missed) + 1


@dataclass(frozen=True, slots=True)
class DrillMark:
    """An incident opened by a drill (演练), from its opening event; incidents/drills.py."""

    script: str
    run: str  # one run of a script: its incidents share it
    speed: int = 1  # the drill's clock runs `speed` times faster; the plan's times divided
    main: bool = True  # the run's first incident (a linked one is not)
    auto: bool = False  # the script plays every inject itself
    by: str = ""  # who started it
    played: int = 0  # injects played so far
    paused_at: datetime | None = None
    paused_seconds: float = 0.0  # real seconds spent paused before now
    ended_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class IncidentState:
    id: UUID
    type: IncidentType
    level: Level
    status: Status
    location: str
    headcount: int
    summary: str
    demands: str
    reporter: str
    opened_at: datetime
    updated_at: datetime
    last_seq: int
    head_hash: str
    commander: str | None = None
    closed_at: datetime | None = None
    note_count: int = 0
    injured: bool = False
    plan: Plan | None = None
    checklist: tuple[ItemState, ...] = ()
    notifications: tuple[NotificationState, ...] = ()
    timers: tuple[Timer, ...] = ()
    level_reached: dict[Level, datetime] = field(default_factory=dict)
    status_reached: dict[Status, datetime] = field(default_factory=dict)
    followups: tuple[FollowupItem, ...] = ()
    dispatches: tuple[DispatchState, ...] = ()
    reports: tuple[ReportState, ...] = ()
    reports_overdue: tuple[OverdueReport, ...] = ()
    recused: tuple[Recusal, ...] = ()
    linked_to: Link | None = None  # the incident this one was opened from
    linked: tuple[Link, ...] = ()  # the incidents opened from this one
    welfare: tuple[CheckState, ...] = ()  # welfare checks on the visitor, once started
    attachments: tuple[AttachmentState, ...] = ()  # evidence, oldest first

    def attachment(self, sha256: str) -> AttachmentState | None:
        return next((a for a in self.attachments if a.sha256 == sha256), None)

    drill: DrillMark | None = None  # a drill's incident: never a real contact, never counted

    @property
    def is_open(self) -> bool:
        return self.status is not Status.CLOSED

    def item(self, item_id: str) -> ItemState | None:
        return next((i for i in self.checklist if i.id == item_id), None)

    def plan_item(self, item_id: str) -> PlanItem | None:
        return self.plan.item(item_id) if self.plan else None

    def progress(self) -> tuple[int, int]:
        """(resolved, total) checklist items."""
        return sum(i.status.resolved for i in self.checklist), len(self.checklist)


def encode_state(state: IncidentState) -> str:
    """The snapshot stored beside the events (JSON text for a jsonb column)."""
    return msgspec.json.encode(state).decode()


def decode_state(text: str | bytes) -> IncidentState:
    return msgspec.json.decode(text, type=IncidentState)
