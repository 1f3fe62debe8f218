"""Turn a playbook into the plan an incident is opened with (pinned in its `opened` event).

The domain then adds the plan's checklist items, notifications and timers as events
when their moment comes (incidents/settle.py).
"""

from __future__ import annotations

from incidents.plan import (
    Bilingual,
    Plan,
    PlanCheck,
    PlanChoice,
    PlanItem,
    PlanLevelRule,
    PlanNotification,
    PlanObservation,
    PlanPhase,
    PlanResource,
)
from playbooks.schema import (
    Anchor,
    Check,
    Item,
    ItemDone,
    LevelReached,
    Notification,
    Opened,
    Playbook,
    StatusReached,
    Text,
    Trigger,
)


def bilingual(text: Text) -> Bilingual:
    return Bilingual(text.zh, text.en)


def moment(trigger: Anchor | Trigger) -> str:
    """The plan's spelling of a moment: opened, item:<id>, level:<level>, status:<status>."""
    match trigger:
        case Opened():
            return "opened"
        case ItemDone(item_id):
            return f"item:{item_id}"
        case LevelReached(level):
            return f"level:{level.value}"
        case StatusReached(status):
            return f"status:{status.value}"


def plan_item(phase_id: str, item: Item) -> PlanItem:
    return PlanItem(
        id=item.id,
        phase=phase_id,
        text=bilingual(item.text),
        role=item.role,
        required=item.required,
        requires=item.requires,
        evidence=tuple(e.value for e in item.evidence),
        min_level=item.min_level,
        due_after=moment(item.due.after) if item.due else None,
        due_within=item.due.within_seconds if item.due else None,
    )


def plan_notification(n: Notification) -> PlanNotification:
    on = moment(n.on)
    return PlanNotification(
        id=n.id,
        unit=n.unit,
        on="open" if on == "opened" else on.replace("item:", "item_done:", 1),
        fields=tuple(f.value for f in n.fields),
        ack_within=n.ack_within,
        renotify_after=n.escalation.renotify_after if n.escalation else None,
        alert_after=n.escalation.alert_after if n.escalation else None,
        then=n.escalation.then if n.escalation else (),
    )


def plan_check(c: Check) -> PlanCheck:
    observe = tuple(
        PlanObservation(
            o.id,
            bilingual(o.label),
            tuple(PlanChoice(ch.id, bilingual(ch.label)) for ch in o.choices),
        )
        for o in c.observe
    )
    return PlanCheck(
        id=c.id,
        title=bilingual(c.title),
        every=c.every,
        observe=observe,
        grace=c.grace,
        starts_with=c.starts_with,
        stops_with=c.stops_with,
        manual=c.manual,
        notify=c.notify_on_missed,
    )


def to_plan(playbook: Playbook) -> Plan:
    rules = tuple(
        PlanLevelRule(r.raise_to, r.when.headcount_at_least, r.when.injured)
        for r in playbook.level_rules
    )
    return Plan(
        playbook_id=playbook.id,
        version=playbook.version,
        hash=playbook.source_hash,
        title=bilingual(playbook.title),
        default_level=playbook.default_level,
        phases=tuple(PlanPhase(p.id, bilingual(p.title)) for p in playbook.phases),
        items=tuple(plan_item(p.id, i) for p in playbook.phases for i in p.items),
        notifications=tuple(plan_notification(n) for n in playbook.notifications),
        first_report_within=playbook.reports.first_within,
        followup_every=playbook.reports.followup_every,
        final_on_close=playbook.reports.final_on_close,
        level_rules=rules,
        resources=tuple(PlanResource(r.id, bilingual(r.label)) for r in playbook.resources),
        checks=tuple(plan_check(c) for c in playbook.checks),
    )
