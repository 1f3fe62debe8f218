"""A playbook node tree to a Playbook, field by field (cross references: validate.py)."""

from __future__ import annotations

from incidents.kinds import IncidentType, Level, Role, Status
from playbooks.fields import (
    ID,
    NO_TEXT,
    Ctx,
    Node,
    as_bool,
    as_duration,
    as_id,
    as_int,
    as_text,
    enum_of,
    enum_value,
    join,
    list_of,
    mapping,
    one_or_list,
    scalar,
)
from playbooks.parse_checks import read_check
from playbooks.schema import (
    ALL_REPORT_FIELDS,
    Anchor,
    Condition,
    Due,
    Escalation,
    Evidence,
    Item,
    ItemDone,
    LevelReached,
    LevelRule,
    Notification,
    Opened,
    Phase,
    Playbook,
    ReportField,
    ReportPolicy,
    Resource,
    StatusReached,
    Trigger,
)

ITEM_ROLES = (Role.DUTY_OFFICER, Role.ONSITE_STAFF, Role.COMMANDER)
PLAYBOOK_KEYS = (
    "id",
    "version",
    "title",
    "incident_type",
    "default_level",
    "phases",
    "notifications",
    "reports",
)
AFTER_FORMS = "opened, item:<item id> or level:<general|major|critical>"
ON_FORMS = "open, level:<level>, item_done:<item id> or status:<status>"
NO_REPORTS = ReportPolicy(first_within=0, followup_every=0)
SINCE_OPENED: Anchor = Opened()
ON_OPEN: Trigger = Opened()

as_level = enum_of(Level, "level")
as_incident_type = enum_of(IncidentType, "incident type")
as_role = enum_of(Role, "checklist role", ITEM_ROLES)
as_ids = list_of(as_id, unique=True)
as_evidence = one_or_list(enum_of(Evidence, "kind of evidence"))
as_report_fields = list_of(enum_of(ReportField, "report field"), non_empty=True, unique=True)


def read_playbook(ctx: Ctx, root: Node, source_hash: str) -> Playbook:
    """Every field of a playbook; problems go to ctx."""
    f = mapping(ctx, root, "", PLAYBOOK_KEYS, ("level_rules", "resources", "checks"))
    return Playbook(
        id=f.get("id", as_id, ""),
        version=f.get("version", as_int, 0),
        title=f.get("title", as_text, NO_TEXT),
        incident_type=f.get("incident_type", as_incident_type, IncidentType.OTHER),
        default_level=f.get("default_level", as_level, Level.GENERAL),
        level_rules=f.get("level_rules", list_of(read_level_rule), ()),
        phases=f.get("phases", list_of(read_phase, non_empty=True), ()),
        notifications=f.get("notifications", list_of(read_notification), ()),
        reports=f.get("reports", read_reports, NO_REPORTS),
        resources=f.get("resources", list_of(read_resource), ()),
        checks=f.get("checks", list_of(read_check), ()),
        source_hash=source_hash,
    )


def read_phase(ctx: Ctx, node: Node, path: str) -> Phase:
    f = mapping(ctx, node, path, ("id", "title", "items"))
    return Phase(
        id=f.get("id", as_id, ""),
        title=f.get("title", as_text, NO_TEXT),
        items=f.get("items", list_of(read_item, non_empty=True), ()),
    )


def read_item(ctx: Ctx, node: Node, path: str) -> Item:
    optional = ("due", "required", "requires", "evidence", "min_level")
    f = mapping(ctx, node, path, ("id", "text", "role"), optional)
    return Item(
        id=f.get("id", as_id, ""),
        text=f.get("text", as_text, NO_TEXT),
        role=f.get("role", as_role, Role.ONSITE_STAFF),
        due=f.optional("due", read_due),
        required=f.get("required", as_bool, True),
        requires=f.get("requires", as_ids, ()),
        evidence=f.get("evidence", as_evidence, ()),
        min_level=f.get("min_level", as_level, Level.GENERAL),
    )


def read_due(ctx: Ctx, node: Node, path: str) -> Due:
    f = mapping(ctx, node, path, ("after", "within"))
    return Due(f.get("after", read_anchor, SINCE_OPENED), f.get("within", as_duration, 0))


def read_anchor(ctx: Ctx, node: Node, path: str) -> Anchor:
    """`opened`, `item:<id>` or `level:<level>`."""
    value = scalar(ctx, node, path)
    anchor = None if value is None else _anchor(value)
    if value is not None and anchor is None:
        ctx.report(path, f"{value!r} is not a valid 'after'; use {AFTER_FORMS}", node)
    return anchor or Opened()


def _anchor(value: str) -> Anchor | None:
    kind, _, rest = value.partition(":")
    if value == "opened":
        return Opened()
    if kind == "item" and ID.fullmatch(rest):
        return ItemDone(rest)
    level = enum_value(Level, rest) if kind == "level" else None
    return None if level is None else LevelReached(level)


def read_trigger(ctx: Ctx, node: Node, path: str) -> Trigger:
    """`open`, `level:<level>`, `item_done:<id>` or `status:<status>`."""
    value = scalar(ctx, node, path)
    trigger = None if value is None else _trigger(value)
    if value is not None and trigger is None:
        ctx.report(path, f"{value!r} is not a valid 'on'; use {ON_FORMS}", node)
    return trigger or Opened()


def _trigger(value: str) -> Trigger | None:
    kind, _, rest = value.partition(":")
    if value == "open":
        return Opened()
    if kind == "item_done" and ID.fullmatch(rest):
        return ItemDone(rest)
    if kind == "status":
        status = enum_value(Status, rest)
        return None if status is None else StatusReached(status)
    level = enum_value(Level, rest) if kind == "level" else None
    return None if level is None else LevelReached(level)


def read_level_rule(ctx: Ctx, node: Node, path: str) -> LevelRule:
    f = mapping(ctx, node, path, ("when", "raise_to"))
    return LevelRule(
        f.get("when", read_condition, Condition()), f.get("raise_to", as_level, Level.MAJOR)
    )


def read_condition(ctx: Ctx, node: Node, path: str) -> Condition:
    """The closed vocabulary of conditions: headcount_at_least, injured."""
    f = mapping(ctx, node, path, (), ("headcount_at_least", "injured"))
    if not f.nodes and not ctx.failed(path):
        ctx.report(path, "a condition needs headcount_at_least, injured or both", node)
    injured = f.get("injured", as_bool, True)
    if not injured and not ctx.failed(join(path, "injured")):
        ctx.report(
            join(path, "injured"), "'injured: false' is not a condition; use true or omit it"
        )
    return Condition(f.optional("headcount_at_least", as_int), "injured" in f.nodes)


def read_notification(ctx: Ctx, node: Node, path: str) -> Notification:
    required = ("id", "unit", "on", "ack_within")
    f = mapping(ctx, node, path, required, ("fields", "escalation"))
    return Notification(
        id=f.get("id", as_id, ""),
        unit=f.get("unit", as_id, ""),
        on=f.get("on", read_trigger, ON_OPEN),
        fields=f.get("fields", as_report_fields, ALL_REPORT_FIELDS),
        ack_within=f.get("ack_within", as_duration, 0),
        escalation=f.optional("escalation", read_escalation),
    )


def read_escalation(ctx: Ctx, node: Node, path: str) -> Escalation:
    f = mapping(ctx, node, path, ("renotify_after", "alert_after"), ("then",))
    return Escalation(
        renotify_after=f.get("renotify_after", as_duration, 0),
        alert_after=f.get("alert_after", as_duration, 0),
        then=f.get("then", as_ids, ()),
    )


def read_reports(ctx: Ctx, node: Node, path: str) -> ReportPolicy:
    f = mapping(ctx, node, path, ("first_within", "followup_every"), ("final_on_close",))
    return ReportPolicy(
        first_within=f.get("first_within", as_duration, 0),
        followup_every=f.get("followup_every", as_duration, 0),
        final_on_close=f.get("final_on_close", as_bool, True),
    )


def read_resource(ctx: Ctx, node: Node, path: str) -> Resource:
    f = mapping(ctx, node, path, ("id", "label"))
    return Resource(f.get("id", as_id, ""), f.get("label", as_text, NO_TEXT))
