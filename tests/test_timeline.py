"""Timeline entries read as sentences in the reader's language, with names, not ids."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from incidents.clock import ManualClock
from incidents.kinds import IncidentType
from server.i18n import Catalogue, Translator
from server.timeline import describe
from tests.support import DUTY, open_cmd
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
