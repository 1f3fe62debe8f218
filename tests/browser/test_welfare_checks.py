"""Welfare checks on the visitor in real Chromium: on-site staff record one on a phone
(375×812, zh-CN) with big answer buttons and a remark that the timeline and the exports hold
as typed; a check left unrecorded turns the duty officer's board red, live, and the health
service is told."""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator, Awaitable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.async_api import expect

from incidents.clock import ManualClock
from playbooks.loader import packaged_dir
from tests.browser.conftest import Consoles, download, eventually, no_english, open_incident, shoot
from tests.live.conftest import Live, serve_notifying
from tests.notify.conftest import SECRETS, UNITS, Receiver, receiver  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

REMARK = "喝了半杯水💧，精神尚可；BP 120/80 ok"
HEALTH_HOOK = "/hooks/health"


def quick_playbooks(folder: Path, receiver_url: str) -> Path:
    """The packaged disruption playbook with its hunger-strike check every minute (a test's
    interval), and the health service reached by webhook at the test's receiver."""
    folder.mkdir(parents=True)
    sms = '{{name: 急救中心值班电话, channel: sms, address: "+86 10 5550 0120", language: zh}}'
    hook = '{{name: 120急救调度, channel: webhook, address: "{url}/hooks/health", language: zh}}'
    (folder / "units.yaml").write_text(UNITS.replace(sms, hook).format(url=receiver_url), "utf-8")
    playbook = (packaged_dir() / "disruption.yaml").read_text(encoding="utf-8")
    quick = playbook.replace("every: 30m\n    grace: 5m", "every: 1m\n    grace: 1m", 1)
    assert quick != playbook
    (folder / "disruption.yaml").write_text(quick, "utf-8")
    return folder


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
async def live(
    database_url: str,
    free_port: int,
    tmp_path: Path,
    receiver: Receiver,  # noqa: F811
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Live]:
    """The app on a clock the test moves, its workers on, the units at a real receiver."""
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    folder = quick_playbooks(tmp_path / "playbooks", receiver.url)
    async with serve_notifying(database_url, free_port, tmp_path / "data", folder, clock) as server:
        yield server


async def hunger_strike(live: Live) -> str:
    """A sit-in with a hunger strike, opened at the desk; the medical standby ticked on site
    (which starts the check)."""
    duty = await live.client("duty1")
    incident = await open_incident(
        duty, "disruption", location="信访大厅东侧", summary="来访人静坐绝食"
    )
    staff = await live.client("staff1")
    ticked = await staff.post(
        f"/incidents/{incident}/items/medical_standby/tick",
        data={"note": ""},
        headers={"Idempotency-Key": f"standby-{incident}", "HX-Request": "1"},
    )
    assert ticked.status_code == 204, ticked.text
    return incident


async def test_staff_record_a_welfare_check_on_a_phone(consoles: Consoles, live: Live) -> None:
    """On the phone, one tap per answer and a remark; the desk's timeline and the exports say
    exactly what was typed."""
    incident = await hunger_strike(live)
    desk = await consoles.open("commander1", f"/incidents/{incident}")
    phone = await consoles.open("staff1", f"/m/incidents/{incident}", phone=True)
    card = phone.locator("#check-hunger_watch")
    await expect(card).to_contain_text("绝食人员身体状况查看")
    await expect(card).to_contain_text("每 1分钟 一次")
    for legend, answer in [
        ("意识清醒", "是"),
        ("饮水", "否"),
        ("身体状况", "虚弱"),
        ("情绪状态", "平静"),
    ]:
        group = card.locator("fieldset", has=phone.locator("legend", has_text=legend))
        button = group.locator("label.choice", has_text=answer)
        box = await button.bounding_box()
        assert box and box["height"] >= 48, box  # a thumb's target
        await button.tap()
    await card.get_by_label("备注").fill(REMARK)
    # Someone else ticks meanwhile: the phone's checklist is pushed again, the answers stay.
    duty = await live.client("duty1")
    ticked = await duty.post(
        f"/incidents/{incident}/items/keep_order/tick",
        json={},
        headers={"Idempotency-Key": f"keep-order-{incident}"},
    )
    assert ticked.status_code == 201, ticked.text
    await expect(phone.locator("#item-keep_order")).to_have_class(re.compile(r"\bitem-done\b"))
    await expect(card.locator("input[name=answer_condition][value=weak]")).to_be_checked()
    await expect(card.get_by_label("备注")).to_have_value(REMARK)
    width = await phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width
    await shoot(phone, "welfare-phone-answers.png", full_page=True)
    await no_english(phone, REMARK)
    await card.get_by_role("button", name="记录本次观察").tap()

    await expect(card.locator(".check-last")).to_contain_text(REMARK)
    sentence = (
        "记录第 1 次绝食人员身体状况查看：意识清醒：是；饮水：否；身体状况：虚弱；情绪状态：平静 — "
        + REMARK
    )
    line = desk.locator("#timeline li.tl-welfare_check_recorded")
    await expect(line).to_contain_text(sentence)
    await expect(desk.locator("#check-hunger_watch .check-last")).to_contain_text(REMARK)
    fold = desk.locator("#check-record-hunger_watch")
    await expect(fold).not_to_have_attribute("open", "")  # the desk's checklist stays in sight
    await expect(desk.locator("#checklist")).to_be_in_viewport()
    await shoot(phone, "welfare-phone-recorded.png")
    await shoot(desk, "welfare-desk-recorded.png", full_page=True)
    await no_english(desk, REMARK)
    shown = (await line.locator("span").inner_text()).strip()

    markdown = (await download(desk, "md")).decode("utf-8")
    assert shown in markdown, (shown, markdown[-2000:])
    assert 'class="check-recorded"' in markdown  # drawn on the chart
    row = "意识清醒：是；饮水：否；身体状况：虚弱；情绪状态：平静 | " + REMARK + " |"
    assert row in markdown  # the report's table of welfare checks
    exported = json.loads(await download(desk, "json"))
    [recorded] = [e for e in exported["events"] if e["kind"] == "welfare_check_recorded"]
    assert recorded["payload"]["remark"] == REMARK
    assert recorded["payload"]["answers"] == {
        "conscious": "yes",
        "drinking": "no",
        "condition": "weak",
        "distress": "calm",
    }


async def test_a_missed_check_turns_the_board_red_and_tells_health(
    consoles: Consoles,
    live: Live,
    clock: ManualClock,
    receiver: Receiver,  # noqa: F811
) -> None:
    """Nobody records the check due in a minute: a minute's grace later the duty officer's
    board shows the row red, the incident page the panel, and the health service is told."""
    incident = await hunger_strike(live)
    board = await consoles.open("duty1")
    page = await consoles.open("duty1", f"/incidents/{incident}")
    row = board.locator(f"#incident-{incident}")
    await expect(row).to_be_visible()
    await expect(row).not_to_have_class(re.compile(r"\bwelfare-missed\b"))

    clock.advance(timedelta(minutes=1, seconds=30))  # past due, within the grace: not yet
    health_before = len(receiver.keys(HEALTH_HOOK))
    clock.advance(timedelta(seconds=31))  # past due and grace
    started = time.monotonic()
    await expect(row).to_have_class(re.compile(r"\bwelfare-missed\b"), timeout=15_000)
    print(f"welfare_missed_to_red_seconds={time.monotonic() - started:.2f}")  # -s shows it
    await expect(row.locator(".welfare-mark")).to_contain_text("漏查：绝食人员身体状况查看")
    await expect(page.locator("#welfare-panel")).to_have_class(re.compile(r"\bmissed\b"))
    await expect(page.locator("#check-hunger_watch")).to_contain_text("的观察未记录")
    await expect(page.locator("#timeline")).to_contain_text("漏查：第 1 次绝食人员身体状况查看")
    await shoot(board, "welfare-board-missed.png")
    await shoot(page, "welfare-desk-missed.png", full_page=True)
    await no_english(board)

    await eventually(lambda: len(receiver.keys(HEALTH_HOOK)) > health_before, within=15)
    bodies = [json.loads(body) for path, _, _, body in receiver.seen if path == HEALTH_HOOK]
    missed = [b for b in bodies if b["notification"].startswith("welfare-hunger_watch-1-")]
    assert missed and missed[0]["subject"].startswith("【漏查】绝食人员身体状况查看"), bodies

    # Recorded at last (the next check, in time: the missed one stays missed), the red goes.
    staff = await live.client("staff1")
    answers = {"conscious": "yes", "drinking": "yes", "condition": "stable", "distress": "calm"}
    done = await staff.post(
        f"/incidents/{incident}/checks/hunger_watch/record",
        json={"answers": answers, "remark": "已补查 ✅"},
        headers={"Idempotency-Key": f"late-{incident}"},
    )
    assert done.status_code == 201, done.text
    await expect(row).not_to_have_class(re.compile(r"\bwelfare-missed\b"))
    await expect(page.locator("#timeline")).to_contain_text("记录第 2 次绝食人员身体状况查看")
    await expect(page.locator("#welfare-panel")).not_to_have_class(re.compile(r"\bmissed\b"))


async def test_checks_recorded_offline_are_kept_and_each_sent_once(
    consoles: Consoles, live: Live
) -> None:
    """In a basement without signal, staff record the check twice (two rounds): the card says
    待发送 and its answers clear for the next; back online both reach the desk, once each."""
    incident = await hunger_strike(live)
    desk = await consoles.open("commander1", f"/incidents/{incident}")
    phone = await consoles.open("staff1", f"/m/incidents/{incident}", phone=True)
    card = phone.locator("#check-hunger_watch")
    await expect(card).to_contain_text("绝食人员身体状况查看")
    await phone.context.set_offline(True)
    remarks = ["第一次：喝水了💧", "第二次：睡着了😴 ok"]
    for remark in remarks:
        for legend, answer in [("意识清醒", "是"), ("饮水", "否"), ("身体状况", "虚弱")]:
            group = card.locator("fieldset", has=phone.locator("legend", has_text=legend))
            await group.locator("label.choice", has_text=answer).tap()
        group = card.locator("fieldset", has=phone.locator("legend", has_text="情绪状态"))
        await group.locator("label.choice", has_text="平静").tap()
        await card.get_by_label("备注").fill(remark)
        await card.get_by_role("button", name="记录本次观察").tap()
        await expect(card).to_have_class(re.compile(r"\bpending\b"))
        await expect(card.get_by_label("备注")).to_have_value("")  # taken: cleared for the next
    await expect(card).to_have_attribute("data-pending-text", "待发送")
    await shoot(phone, "welfare-phone-offline.png")
    staff = await live.client("staff1")

    async def recorded() -> list[str]:
        events = (await staff.get(f"/api/incidents/{incident}/events")).json()
        listed = events["events"] if isinstance(events, dict) else events
        return [e["payload"]["remark"] for e in listed if e["kind"] == "welfare_check_recorded"]

    assert await recorded() == []  # nothing reached the server
    await phone.context.set_offline(False)  # the browser's `online` event sends the queue
    await expect(card).not_to_have_class(re.compile(r"\bpending\b"))
    await eventually(lambda: _equal(recorded(), remarks))
    lines = desk.locator("#timeline li.tl-welfare_check_recorded")
    await expect(lines).to_have_count(2)
    await expect(desk.locator("#check-hunger_watch .check-last")).to_contain_text(remarks[1])
    await expect(phone.locator("#flash")).to_be_empty()


async def _equal(got: Awaitable[list[str]], wanted: list[str]) -> bool:
    return await got == wanted
