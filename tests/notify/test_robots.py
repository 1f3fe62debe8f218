"""WeCom and DingTalk group robots: an opened incident reaches real robot receivers, in the
body each platform documents, signed, with the visitor's words intact and unable to format."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest

from incidents.clock import ManualClock
from incidents.kinds import IncidentType, NotificationStatus
from incidents.lifecycle import OpenIncident
from incidents.store import EventStore
from playbooks.loader import Library
from server.i18n import Catalogue, Translator
from server.incident.reasons import failure
from server.live.broker import Notice
from server.notify.channels import build_channels
from server.notify.dispatcher import Dispatcher
from server.notify.message import Composer
from server.notify.retry import RetryPolicy
from server.notify.settings import NotifySettings
from server.notify.tokens import verify
from tests.notify.conftest import serving
from tests.notify.robots import DingRobot, Robots, shown
from tests.support import DUTY

WECOM_POLICE = "0f4c2b9e-7a1d-4c3e-9b2a-5d6e7f8a9b0c"
WECOM_GOV = "1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d"
DING_PB = hashlib.sha256(b"petition bureau robot").hexdigest()
DING_HEALTH = hashlib.sha256(b"health robot").hexdigest()
PB_SECRET = "SEC" + hashlib.sha256(b"pb secret").hexdigest()
ENV = {"WF_TEST_DING_PB": PB_SECRET}
SECRET = b"k" * 32  # signs acknowledgement links

PLACE = "一楼大厅🚑 Lobby 東 #2"
SUMMARY = '来访人晕倒😷 [点我](http://evil.example) **急** <font color="warning">红</font> 👨‍👩‍👧'
DEMANDS = "反映工资问题 💰\n# 标题\n- 列表 _斜_ `代码` &amp; 1. 条"

UNITS = """
units:
  - id: petition_bureau
    name: {{zh: 信访局, en: Petition bureau}}
    kind: petition_bureau
    contacts:
      - name: 信访局钉钉群
        channel: dingtalk
        address: "https://oapi.dingtalk.com/robot/send?access_token={ding_pb}"
        secret_env: WF_TEST_DING_PB
        keywords: [通报]
  - id: police
    name: {{zh: 派出所, en: Police}}
    kind: police
    contacts:
      - {{name: 派出所企业微信群, channel: wecom, address: "{wecom_police}"}}
  - id: health
    name: {{zh: 120急救中心, en: Emergency centre}}
    kind: health
    contacts:
      - {{name: 急救中心钉钉群, channel: dingtalk, address: "{ding_health}", keywords: [应急值守]}}
  - id: party_government_duty
    name: {{zh: 总值班室, en: Government duty office}}
    kind: other
    contacts:
      - name: Duty office
        channel: wecom
        address: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={wecom_gov}"
        language: en
"""


@pytest.fixture
async def robots(clock: ManualClock) -> AsyncIterator[Robots]:
    rec = Robots(
        clock,
        frozenset({WECOM_POLICE, WECOM_GOV}),
        {DING_PB: DingRobot(PB_SECRET, ("通报",)), DING_HEALTH: DingRobot(None, ("应急值守",))},
    )
    async with serving(rec.app()) as url:
        rec.url = url
        yield rec


@pytest.fixture
def units_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "playbooks"
    folder.mkdir()
    text = UNITS.format(
        ding_pb=DING_PB, wecom_police=WECOM_POLICE, ding_health=DING_HEALTH, wecom_gov=WECOM_GOV
    )
    (folder / "units.yaml").write_text(text, "utf-8")
    return folder


async def no_publish(notice: Notice) -> None:
    return None


@dataclass
class Desk:
    """The duty desk opening incidents, and the dispatcher sending to the robots."""

    store: EventStore
    pool: asyncpg.Pool
    clock: ManualClock
    robots: Robots
    worker: Dispatcher
    env: dict[str, str]  # read by the channels at each send: a test may change it

    async def open(self, demands: str = DEMANDS) -> uuid.UUID:
        command = OpenIncident(IncidentType.SELF_HARM, PLACE, 1, SUMMARY, demands, "窗口 3")
        opened = await self.store.execute(None, command, DUTY, uuid.uuid4().hex)
        return opened.incident_id

    async def send(self, after: timedelta = timedelta(0)) -> int:
        self.clock.advance(after)
        return await self.worker.run_once()

    async def statuses(self, incident: uuid.UUID) -> list[NotificationStatus]:
        state = await self.store.state(incident)
        return [n.status for n in state.notifications]

    async def failures(self, incident: uuid.UUID) -> list[dict[str, Any]]:
        rows = await self.pool.fetch(
            "SELECT payload FROM events WHERE incident_id = $1 AND kind = 'notification_failed' "
            "ORDER BY seq",
            incident,
        )
        return [json.loads(r["payload"]) for r in rows]


@pytest.fixture
async def desk(
    notify_store: EventStore,
    pool: asyncpg.Pool,
    clock: ManualClock,
    library: Library,
    robots: Robots,
) -> AsyncIterator[Desk]:
    settings = NotifySettings(
        wecom_url=f"{robots.url}/cgi-bin/webhook/send", dingtalk_url=f"{robots.url}/robot/send"
    )
    env = dict(ENV)
    composer = Composer(Catalogue.load(), "Asia/Shanghai", library.units, "http://wf.test", SECRET)
    policy = RetryPolicy(max_attempts=3, base_seconds=10)
    async with httpx.AsyncClient() as client:
        channels = build_channels(settings, client, library.units, env, clock)
        worker = Dispatcher(
            pool, notify_store, channels, composer, clock, no_publish, policy=policy
        )
        yield Desk(notify_store, pool, clock, robots, worker, env)


def said(failed: dict[str, Any]) -> str:
    """The failure as the board says it in Chinese."""
    return failure(Translator(Catalogue.load(), "zh-CN", ZoneInfo("Asia/Shanghai")), failed)


def assert_reads_as_typed(markdown: str, now: datetime) -> None:
    """The typed words show exactly, byte for byte; the only link is the ack link; the only
    formatting is ours (one heading, a bold label per field)."""
    view = shown(markdown)
    text = "".join(view.text)
    for typed in (PLACE, SUMMARY, *DEMANDS.split("\n")):
        assert typed.encode() in text.encode()
    [link] = view.links
    assert link.startswith("http://wf.test/ack/") and f"[{link}]({link})" in markdown
    claim = verify([SECRET], link.removeprefix("http://wf.test/ack/"), now)
    assert claim.notification.startswith("tell_")  # the link opens: it acknowledges
    labels = re.findall(r"^\*\*[^*\\]+\*\*：", markdown, re.MULTILINE)  # ours: one per field
    assert len(labels) >= 8 and view.tags.count("strong") == len(labels)
    assert view.tags.count("h3") == 1
    assert not {"em", "code", "font", "h1", "li", "ul", "ol"} & set(view.tags)


async def test_an_opened_incident_reaches_wecom_and_dingtalk_robots_signed_and_intact(
    desk: Desk, robots: Robots, clock: ManualClock
) -> None:
    """Self-harm opened: both WeCom groups and both DingTalk groups get the documented markdown
    body, DingTalk signed and with its keyword; the visitor's words arrive exactly as typed."""
    incident = await desk.open()
    assert await desk.send() == 4
    assert set(await desk.statuses(incident)) == {NotificationStatus.DELIVERED}
    assert sorted(k for k, _ in robots.wecom) == sorted([WECOM_POLICE, WECOM_GOV])
    assert sorted(t for t, _ in robots.ding) == sorted([DING_PB, DING_HEALTH])

    wecom = dict(robots.wecom)
    police = wecom[WECOM_POLICE]["markdown"]["content"]
    assert police.startswith("### 【突发事件通报】")
    assert_reads_as_typed(police, clock.now())
    assert "Please acknowledge receipt" in wecom[WECOM_GOV]["markdown"]["content"]  # in English
    ding = dict(robots.ding)
    pb = ding[DING_PB]["markdown"]
    assert pb["title"].startswith("【突发事件通报】") and "通报" in pb["text"]
    assert_reads_as_typed(pb["text"], clock.now())
    health = ding[DING_HEALTH]["markdown"]  # its keyword is in no subject: it leads the message
    assert health["title"].startswith("应急值守 ") and health["text"].startswith("### 应急值守 ")
    for _, raw in robots.raw:  # UTF-8 as such, not \\u escapes
        assert "一楼大厅🚑 Lobby 東".encode() in raw and b"\\u" not in raw


async def test_a_wrong_dingtalk_secret_is_refused_and_fails_for_good(
    desk: Desk, robots: Robots
) -> None:
    """A secret that is not the robot's: DingTalk answers 310000 sign not match; no retry,
    and the board says the signature does not match."""
    desk.env["WF_TEST_DING_PB"] = PB_SECRET[:-1] + "0"
    incident = await desk.open()
    assert await desk.send() == 4
    assert await desk.send(after=timedelta(minutes=10)) == 0
    [failed] = await desk.failures(incident)
    assert (failed["notification"], failed["error_code"], failed["error_status"]) == (
        "tell_petition_bureau",
        "dingtalk_sign",
        310000,
    )
    assert failed["final"] and said(failed) == "钉钉机器人加签不符：请核对密钥和服务器时间"
    assert (await desk.statuses(incident)).count(NotificationStatus.FAILED) == 1
    assert DING_PB not in [t for t, _ in robots.ding]


async def test_a_missing_dingtalk_secret_is_a_clear_permanent_failure(
    desk: Desk, robots: Robots
) -> None:
    """The secret's variable unset: nothing is sent to that robot, and it says so."""
    desk.env.clear()
    incident = await desk.open()
    await desk.send()
    [failed] = await desk.failures(incident)
    assert (failed["error_code"], failed["final"]) == ("secret_missing", True)
    assert said(failed) == "未配置签名密钥"
    assert sorted(path for path, _ in robots.raw).count("/robot/send") == 1  # health's only


@pytest.mark.parametrize(
    ("robot", "errcode", "code"),
    [(WECOM_POLICE, 45009, "wecom_rate_limited"), (DING_PB, 130101, "dingtalk_rate_limited")],
)
async def test_a_rate_limited_robot_is_tried_again_and_gets_it(
    desk: Desk, robots: Robots, robot: str, errcode: int, code: str
) -> None:
    """WeCom 45009 / DingTalk 130101 (too often): not final, retried after the backoff."""
    robots.script = {robot: [errcode]}
    incident = await desk.open()
    assert await desk.send() == 4
    [failed] = await desk.failures(incident)
    assert (failed["error_code"], failed["error_status"], failed["final"]) == (
        code,
        errcode,
        False,
    )
    assert await desk.send() == 0  # it waits for its backoff
    assert await desk.send(after=timedelta(seconds=60)) == 1
    assert set(await desk.statuses(incident)) == {NotificationStatus.DELIVERED}


@pytest.mark.parametrize(
    ("robot", "errcode", "code", "text"),
    [
        (WECOM_POLICE, 93000, "wecom_bad_key", "企业微信机器人地址无效或机器人已被移除"),
        (DING_HEALTH, 300001, "dingtalk_bad_token", "钉钉机器人地址无效或机器人已被移除"),
        (
            DING_HEALTH,
            310000,
            "dingtalk_security",
            "钉钉机器人的安全设置拒收（关键词、加签或 IP）",
        ),
    ],
)
async def test_a_bad_key_or_token_fails_for_good_and_says_why(
    desk: Desk, robots: Robots, robot: str, errcode: int, code: str, text: str
) -> None:
    """93000 / 300001 / 310000: the first attempt is final, with the platform's reason."""
    robots.script = {robot: [errcode]}
    incident = await desk.open()
    await desk.send()
    assert await desk.send(after=timedelta(minutes=10)) == 0
    [failed] = await desk.failures(incident)
    assert (failed["error_code"], failed["attempt"], failed["final"]) == (code, 1, True)
    assert said(failed) == text
    assert (await desk.statuses(incident)).count(NotificationStatus.FAILED) == 1


async def test_an_unknown_errcode_is_tried_again(desk: Desk, robots: Robots) -> None:
    """An errcode neither documents as final (-1, system busy): retried, not given up."""
    robots.script = {WECOM_GOV: [-1]}
    incident = await desk.open()
    await desk.send()
    [failed] = await desk.failures(incident)
    assert (failed["error_code"], failed["error_status"], failed["final"]) == (
        "wecom_error",
        -1,
        False,
    )
    assert said(failed) == "企业微信返回错误（-1）"


async def test_a_huge_note_is_cut_to_what_wecom_takes_and_keeps_the_ack_link(
    desk: Desk, robots: Robots
) -> None:
    """Demands of 4000 characters (12 000 bytes and more): WeCom accepts the message (it
    refuses over 4096 bytes), cut at a whole character, marked as cut, with the link whole."""
    huge = ("诉求说明🚑" * 800)[:4000]
    incident = await desk.open(demands=huge)
    assert await desk.send() == 4
    assert set(await desk.statuses(incident)) == {NotificationStatus.DELIVERED}
    police = dict(robots.wecom)[WECOM_POLICE]["markdown"]["content"]
    assert 4000 < len(police.encode()) <= 4096
    assert "……（内容过长，其余已截去）\n请点击链接回执：" in police
    [link] = shown(police).links
    assert police.endswith(f"[{link}]({link})") and link.startswith("http://wf.test/ack/")
    assert "诉求说明🚑" * 100 in police
    pb = dict(robots.ding)[DING_PB]["markdown"]["text"]  # DingTalk's bound is larger: all of it
    assert huge in pb


async def test_an_answer_that_is_not_the_robots_json_is_tried_again(
    desk: Desk, robots: Robots
) -> None:
    """HTTP 200 but no errcode (a proxy's page, say): not counted as delivered, retried."""
    robots.garbled.add(WECOM_POLICE)
    incident = await desk.open()
    await desk.send()
    [failed] = await desk.failures(incident)
    assert (failed["error_code"], failed["final"]) == ("robot_reply", False)
    assert said(failed) == "群机器人的答复无法读取"
    robots.garbled.clear()
    assert await desk.send(after=timedelta(seconds=60)) == 1
    assert set(await desk.statuses(incident)) == {NotificationStatus.DELIVERED}
