"""Timeline entries read as sentences in the reader's language, with names, not ids."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from incidents.checklist import TickItem
from incidents.clock import ManualClock
from incidents.commanders import Candidate
from incidents.kinds import IncidentType, Role
from incidents.lifecycle import AssignCommander, UpdateHeadcount
from server.i18n import Catalogue, Translator
from server.incident.render import Renderer, UserNames
from server.incident.timeline import describe
from tests.support import DUTY, LEAD, STAFF, open_cmd
from tests.test_checklist import PLAN
from tests.test_domain import Log


def translator(language: str) -> Translator:
    units = {"police": ("公安机关", "Police")}
    return Translator(
        Catalogue.load().with_names("unit", units), language, ZoneInfo("Asia/Shanghai")
    )


def opened() -> Log:
    log = Log(PLAN)
    log.clock = ManualClock()
    log.run(open_cmd(IncidentType.MEDICAL), DUTY)
    return log


def test_notification_names_the_unit_in_both_languages() -> None:
    """'Notification planned' names the police, in Chinese and in English."""
    log = opened()
    planned = next(e for e in log.events if e.kind == "notification_planned")
    assert "公安机关" in describe(planned, log.s, translator("zh-CN"))
    assert "Police" in describe(planned, log.s, translator("en"))
    assert "police" not in describe(planned, log.s, translator("zh-CN"))


def test_deadlines_read_as_what_is_due() -> None:
    """A deadline says what is due (the first report, a checklist step), not an internal id."""
    log = opened()
    sentences = [
        describe(e, log.s, translator("zh-CN")) for e in log.events if e.kind == "timer_set"
    ]
    assert any("首报" in s for s in sentences)
    assert any("呼叫120" in s for s in sentences)
    assert not any("item:" in s or "report:" in s for s in sentences)


def test_people_are_named_by_display_name_and_an_unknown_id_stays() -> None:
    """The timeline names people as the users table does; the events keep the login ids."""
    log = opened()
    log.run(AssignCommander("commander1", Candidate("commander1", Role.COMMANDER)), LEAD)
    names = {"duty1": "值班员 张", "commander1": "现场指挥 王"}
    t = replace(translator("zh-CN"), names=names)
    said = [describe(e, log.s, t) for e in log.events]
    assert any(s.startswith("值班员 张 开启事件") for s in said)
    assert "现场指挥 王 指定 现场指挥 王 为现场指挥" in said
    assert not any("duty1" in s or "commander1" in s for s in said)
    assert {e.recorded_by for e in log.events} == {"duty1", "commander1"}  # the record: ids
    stranger = replace(t, names={})  # not (or no longer) in the users table: the id, as recorded
    assert any(
        s.startswith("duty1 开启事件") for s in (describe(e, log.s, stranger) for e in log.events)
    )


def test_incident_page_fragments_show_display_names() -> None:
    """What the hub pushes to an incident page names who ticked a step, not their login."""
    log = opened()
    log.run(TickItem("call_120", "120 已出车"), STAFF)
    renderer = Renderer(Catalogue.load(), "Asia/Shanghai", UserNames.fixed({"staff1": "李四"}))
    html = renderer.incident_update(log.s, log.events, "zh-CN", Role.COMMANDER, log.clock.now())
    assert "已完成 · 李四 ·" in html and "李四 完成：" in html and "staff1" not in html
    for target in (
        "incident-header",
        "checklist",
        "notifications",
        "resources-panel",
        "reports-status",
        "commander-controls",
        "notifications-summary",
    ):
        assert f'id="{target}"' in html, target


async def test_names_reload_when_stale_or_asked_for_someone_new() -> None:
    """Loaded once, reused while fresh; a page for a user it does not know reloads it."""
    loads: list[int] = []
    table = {"duty1": "值班员 张"}

    async def load() -> dict[str, str]:
        loads.append(1)
        return dict(table)

    now = [0.0]
    names = UserNames(load, max_age=30, clock=lambda: now[0])
    await names.refresh()
    await names.refresh(knowing="duty1")
    assert len(loads) == 1 and names.current["duty1"] == "值班员 张"
    table["staff2"] = "新来的 周"
    await names.refresh(knowing="staff2")  # signed in since the last load: the list is stale
    assert len(loads) == 2 and names.current["staff2"] == "新来的 周"
    now[0] = 31.0
    await names.refresh()
    assert len(loads) == 3


def test_a_level_raised_by_a_rule_says_the_rule_in_each_language() -> None:
    """100 people: the playbook's rule is said in Chinese and in English, with its numbers."""
    log = opened()
    log.run(UpdateHeadcount(100), STAFF)
    raised = [e for e in log.events if e.kind == "level_changed"][-1]
    zh = describe(raised, log.s, translator("zh-CN"))
    en = describe(raised, log.s, translator("en"))
    assert zh.endswith("：预案「测试」的规则：100 人及以上，级别为「特别重大」"), zh
    assert en.endswith(": the rule of the playbook “测试”: 100 or more people, so Critical"), en


def test_an_event_recorded_with_an_english_sentence_is_shown_as_recorded() -> None:
    """Events written before the reasons became codes keep their words: the record is the record."""
    log = opened()
    old = replace(
        log.events[0],
        seq=99,
        kind="level_changed",
        payload={
            "from": "general",
            "to": "major",
            "reason": "collective visit of 35 people: 30 or more is at least major",
        },
    )
    failed = replace(
        log.events[0],
        seq=100,
        kind="notification_failed",
        payload={"unit": "police", "channel": "webhook", "attempt": 2, "error": "http 503"},
    )
    zh = translator("zh-CN")
    assert describe(old, log.s, zh).endswith(
        "：collective visit of 35 people: 30 or more is at least major"
    )
    assert describe(failed, log.s, zh) == "向公安机关发送通报未成功（系统接口，第 2 次）：http 503"


def test_english_counts_one_person_and_many_people() -> None:
    """A visitor alone is "1 person"; a group is "2 people"; an ETA of one minute is singular."""
    log = Log(PLAN)
    log.clock = ManualClock()
    log.run(open_cmd(IncidentType.MEDICAL, 1), DUTY)
    log.run(UpdateHeadcount(2), STAFF)
    en = translator("en")
    said = [describe(e, log.s, en) for e in log.events]
    assert any(s.endswith("一楼大厅, 1 person") for s in said), said[0]
    assert not any("1 people" in s for s in said)
    assert translator("en")("notify.eta", n=1) == "arrives in 1 minute"
    assert translator("en")("notify.eta", n=5) == "arrives in 5 minutes"
