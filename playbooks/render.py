"""A playbook as a readable checklist tree, in Chinese or English (`watchfloor playbooks show`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from playbooks.durations import format_duration
from playbooks.labels import label, labels
from playbooks.schema import (
    Due,
    Escalation,
    Item,
    ItemDone,
    LevelReached,
    LevelRule,
    Notification,
    Opened,
    Playbook,
    ReportPolicy,
    StatusReached,
    Text,
    Trigger,
    Unit,
)

WORDS: dict[str, Text] = {
    "default_level": Text(zh="默认级别：", en="Default level: "),
    "level_rules": Text(zh="级别规则：", en="Level rules:"),
    "checklist": Text(zh="处置步骤：", en="Checklist:"),
    "notifications": Text(zh="通报：", en="Notifications:"),
    "resources": Text(zh="建议资源：", en="Suggested resources: "),
    "optional": Text(zh="（可选）", en=" (optional)"),
    "requires": Text(zh="前置：", en="requires: "),
    "evidence": Text(zh="证据：", en="evidence: "),
    "fields": Text(zh="内容：", en="fields: "),
}


def render_playbook(playbook: Playbook, units: Mapping[str, Unit], lang: str) -> Iterator[str]:
    """The lines of the tree: title, level rules, phases and items, notifications, reports."""
    yield f"{playbook.title.get(lang)} · {playbook.id} v{playbook.version}"
    yield f"{_word('default_level', lang)}{label(playbook.default_level, lang)}"
    if playbook.level_rules:
        yield _word("level_rules", lang)
        yield from (f"  {_rule(rule, lang)}" for rule in playbook.level_rules)
    yield _word("checklist", lang)
    for phase in playbook.phases:
        yield f"  ▸ {phase.title.get(lang)} [{phase.id}]"
        for item in phase.items:
            yield from _item(item, lang)
    yield _word("notifications", lang)
    for notification in playbook.notifications:
        yield from _notification(notification, units, lang)
    yield _reports(playbook.reports, lang)
    names = [r.label.get(lang) for r in playbook.resources]
    yield f"{_word('resources', lang)}{('、' if lang == 'zh' else ', ').join(names)}"


def _word(key: str, lang: str) -> str:
    return WORDS[key].get(lang)


def _rule(rule: LevelRule, lang: str) -> str:
    parts = []
    if rule.when.headcount_at_least is not None:
        count = rule.when.headcount_at_least
        parts.append(f"人数 ≥ {count}" if lang == "zh" else f"headcount ≥ {count}")
    if rule.when.injured:
        parts.append("有人受伤或发病" if lang == "zh" else "someone ill or hurt")
    return f"{' & '.join(parts)} → {label(rule.raise_to, lang)}"


def _item(item: Item, lang: str) -> Iterator[str]:
    optional = "" if item.required else _word("optional", lang)
    yield f"    · {item.text.get(lang)}{optional} [{item.id}]"
    details = [label(item.role, lang)]
    if item.due is not None:
        details.append(_due(item.due, lang))
    if item.min_level.rank > 0:
        level = label(item.min_level, lang)
        details.append(f"自{level}级起" if lang == "zh" else f"from level {level}")
    if item.requires:
        details.append(_word("requires", lang) + ", ".join(item.requires))
    if item.evidence:
        details.append(_word("evidence", lang) + labels(item.evidence, lang))
    yield "        " + " · ".join(details)


def _due(due: Due, lang: str) -> str:
    within = format_duration(due.within_seconds, lang)
    zh = lang == "zh"
    match due.after:
        case Opened():
            return f"事件开启后{within}内" if zh else f"within {within} of opening"
        case ItemDone(item_id):
            return f"[{item_id}]完成后{within}内" if zh else f"within {within} after [{item_id}]"
        case LevelReached(level):
            name = label(level, lang)
            return f"升至{name}级后{within}内" if zh else f"within {within} of reaching {name}"


def _on(trigger: Trigger, lang: str) -> str:
    zh = lang == "zh"
    match trigger:
        case Opened():
            return "事件开启时" if zh else "on open"
        case ItemDone(item_id):
            return f"[{item_id}]完成时" if zh else f"when [{item_id}] is done"
        case LevelReached(level):
            name = label(level, lang)
            return f"升至{name}级时" if zh else f"on reaching {name}"
        case StatusReached(status):
            name = label(status, lang)
            return f"状态为{name}时" if zh else f"on status {name}"


def _notification(
    notification: Notification, units: Mapping[str, Unit], lang: str
) -> Iterator[str]:
    unit = units.get(notification.unit)
    name = unit.name.get(lang) if unit is not None else notification.unit
    when = _on(notification.on, lang)
    ack = format_duration(notification.ack_within, lang)
    yield f"  · {name} [{notification.unit}] · {when} · " + (
        f"{ack}内回执" if lang == "zh" else f"acknowledge within {ack}"
    )
    if notification.escalation is not None:
        yield "      " + _escalation(notification.escalation, units, lang)
    yield "      " + _word("fields", lang) + labels(notification.fields, lang)


def _escalation(escalation: Escalation, units: Mapping[str, Unit], lang: str) -> str:
    again = format_duration(escalation.renotify_after, lang)
    alert = format_duration(escalation.alert_after, lang)
    names = [units[u].name.get(lang) if u in units else u for u in escalation.then]
    if lang == "zh":
        then = f"并转{'、'.join(names)}" if names else ""
        return f"未回执：{again}后再次通报{then}；{alert}后向值班人员和现场指挥告警"
    then = f" and try {', '.join(names)}" if names else ""
    loud = f"alert the duty officer and commander after {alert}"
    return f"not acknowledged: notify again after {again}{then}; {loud}"


def _reports(policy: ReportPolicy, lang: str) -> str:
    first = format_duration(policy.first_within, lang)
    every = format_duration(policy.followup_every, lang)
    if lang == "zh":
        final = "；结束时终报" if policy.final_on_close else ""
        return f"报告：首报{first}内；续报每{every}{final}"
    final = "; final report on close" if policy.final_on_close else ""
    return f"Reports: first within {first}; follow-up every {every}{final}"
