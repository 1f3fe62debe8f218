"""Timeline entries read as sentences in the reader's language, with names, not ids."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from incidents.checklist import TickItem
from incidents.clock import ManualClock
from incidents.commanders import Candidate
from incidents.kinds import IncidentType, Role
from incidents.lifecycle import AssignCommander
from server.i18n import Catalogue, Translator
from server.render import Renderer, UserNames
from server.timeline import describe
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
