"""Bilingual labels for the closed vocabularies, for people reading a playbook."""

from __future__ import annotations

from enum import StrEnum

from incidents.kinds import Level, Role, Status
from playbooks.schema import Evidence, ReportField, Text

LABELS: dict[StrEnum, Text] = {
    Role.DUTY_OFFICER: Text(zh="值班人员", en="duty officer"),
    Role.ONSITE_STAFF: Text(zh="现场工作人员", en="on-site staff"),
    Role.COMMANDER: Text(zh="现场指挥", en="commander"),
    Role.ADMIN: Text(zh="管理员", en="admin"),
    Role.VIEWER: Text(zh="查看人员", en="viewer"),
    Level.GENERAL: Text(zh="一般", en="general"),
    Level.MAJOR: Text(zh="重大", en="major"),
    Level.CRITICAL: Text(zh="特别重大", en="critical"),
    Status.REPORTED: Text(zh="已报告", en="reported"),
    Status.RESPONDING: Text(zh="处置中", en="responding"),
    Status.CONTAINED: Text(zh="事态平息", en="contained"),
    Status.CLOSED: Text(zh="已结束", en="closed"),
    Evidence.PHOTO: Text(zh="照片", en="photo"),
    Evidence.AUDIO: Text(zh="录音", en="recording"),
    Evidence.DOCUMENT: Text(zh="文档", en="document"),
    Evidence.COUNT: Text(zh="数量", en="count"),
    Evidence.TEXT: Text(zh="文字说明", en="written note"),
    ReportField.TIME: Text(zh="时间", en="time"),
    ReportField.PLACE: Text(zh="地点", en="place"),
    ReportField.SCALE: Text(zh="规模", en="scale"),
    ReportField.PEOPLE: Text(zh="涉及人员", en="people"),
    ReportField.CAUSE: Text(zh="起因", en="cause"),
    ReportField.DEMANDS: Text(zh="主要诉求", en="demands"),
    ReportField.ACTIONS_TAKEN: Text(zh="已采取的措施", en="actions taken"),
    ReportField.IMPACT: Text(zh="影响及发展趋势", en="impact"),
    ReportField.OTHER: Text(zh="其他", en="other"),
}


def label(value: StrEnum, language: str) -> str:
    """The label of `value` in `language`; its raw value when it has none."""
    text = LABELS.get(value)
    return text.get(language) if text is not None else str(value)


def labels(values: tuple[StrEnum, ...], language: str) -> str:
    return ("、" if language == "zh" else ", ").join(label(v, language) for v in values)
