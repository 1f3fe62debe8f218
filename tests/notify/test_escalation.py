"""Escalation under a moved clock, and the dispatcher's retries: rows, timers and events."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest

from incidents.clock import ManualClock
from incidents.kinds import IncidentType, NotificationStatus, Role
from incidents.notifications import AcknowledgeNotification
from incidents.state import Actor
from incidents.store import EventStore
from playbooks.loader import Library
from server.i18n import Catalogue
from server.incident.render import Renderer, board_row
from server.live.broker import Notice
from server.notify.channels import build_channels
from server.notify.dispatcher import Dispatcher
from server.notify.message import Composer
from server.notify.retry import RetryPolicy
from server.notify.settings import NotifySettings, SmtpSettings
from server.notify.timers import TimerWorker
from tests.notify.conftest import SECRETS, SMS_SECRET, Mailbox, Receiver, signed_ok
from tests.support import DUTY, open_cmd

SECRET = b"k" * 32
UNIT = Actor("unit:health", Role.SYSTEM)


async def no_publish(notice: Notice) -> None:
    return None


def key() -> str:
    return uuid.uuid4().hex


async def kinds(pool: asyncpg.Pool, incident: uuid.UUID, kind: str) -> list[dict[str, object]]:
    rows = await pool.fetch(
        "SELECT payload FROM events WHERE incident_id = $1 AND kind = $2 ORDER BY seq",
        incident,
        kind,
    )
    return [json.loads(r["payload"]) for r in rows]


async def test_an_unanswered_unit_escalates_at_the_right_moments(
    notify_store: EventStore, pool: asyncpg.Pool, clock: ManualClock
) -> None:
    """Police unanswered: sent again at 3 min, to other contacts and the duty office, alert at 5."""
    start = clock.now()
    opened = await notify_store.execute(None, open_cmd(IncidentType.SELF_HARM), DUTY, key())
    incident = opened.incident_id
    timers = TimerWorker(pool, notify_store, clock, no_publish)
    clock.advance(timedelta(minutes=1))
    ack = AcknowledgeNotification("tell_health", "link", "120")
    await notify_store.execute(incident, ack, UNIT, key())

    clock.set(start + timedelta(minutes=3) - timedelta(seconds=1))
    assert await timers.run_once() == 0
    clock.set(start + timedelta(minutes=3))
    assert await timers.run_once() == 2  # police: renotify and next_contact; health answered
    escalated = await kinds(pool, incident, "notification_escalated")
    assert [(e["notification"], e["step"]) for e in escalated] == [
        ("tell_police", "renotify"),
        ("tell_police", "next_contact"),
    ]
    rows = await pool.fetch(
        "SELECT round, unit, channel FROM notification_outbox "
        "WHERE incident_id = $1 AND notification = 'tell_police' ORDER BY round, unit",
        incident,
    )
    assert [tuple(r) for r in rows] == [
        (0, "police", "webhook"),
        (1, "police", "webhook"),
        (2, "party_government_duty", "email"),  # `then` in the playbook
        (2, "police", "sms"),  # the next contact
    ]
    state = await notify_store.state(incident)
    police = next(n for n in state.notifications if n.id == "tell_police")
    assert police.status is NotificationStatus.ESCALATED and not police.loud
    assert police.escalated_at == start + timedelta(minutes=3)

    clock.set(start + timedelta(minutes=5))
    assert await timers.run_once() == 1
    state = await notify_store.state(incident)
    police = next(n for n in state.notifications if n.id == "tell_police")
    assert police.alerted_at == start + timedelta(minutes=5) and police.loud
    health = next(n for n in state.notifications if n.id == "tell_health")
    assert health.acknowledged and not health.loud

    clock.set(start + timedelta(minutes=20))
    await timers.run_once()  # petition bureau at 10 and 20 min, government duty at 15; none twice
    assert await timers.run_once() == 0
    alerted = await kinds(pool, incident, "notification_alerted")
    assert sorted(str(a["notification"]) for a in alerted) == [
        "tell_petition_bureau",
        "tell_police",
    ]
    fired = await pool.fetch(
        "SELECT outcome FROM notification_timers WHERE incident_id = $1", incident
    )
    assert {r["outcome"] for r in fired} == {"fired", "acknowledged", None}  # None: at 30 min


def composer(library: Library) -> Composer:
    return Composer(Catalogue.load(), "Asia/Shanghai", library.units, "http://wf.test", SECRET)


async def test_real_channels_deliver_signed_messages_and_failures_retry_then_turn_red(
    notify_store: EventStore,
    pool: asyncpg.Pool,
    clock: ManualClock,
    library: Library,
    receiver: Receiver,
    smtp: Mailbox,
) -> None:
    """Webhook, SMS and e-mail arrive signed and keyed; a failing police hook ends red."""
    receiver.status["/hooks/police"] = 503
    settings = NotifySettings(
        smtp=SmtpSettings(host="127.0.0.1", port=smtp.port, tls="none"),
        sms_url=f"{receiver.url}/sms",
        sms_secret=SMS_SECRET,
    )
    async with httpx.AsyncClient() as client:
        channels = build_channels(settings, client, library.units, SECRETS, clock)
        policy = RetryPolicy(max_attempts=3, base_seconds=10)
        dispatcher = Dispatcher(
            pool, notify_store, channels, composer(library), clock, no_publish, policy=policy
        )
        opened = await notify_store.execute(None, open_cmd(IncidentType.SELF_HARM), DUTY, key())
        assert await dispatcher.run_once() == 4
        assert await dispatcher.run_once() == 0  # the failed one waits for its backoff
        for _ in range(2):
            clock.advance(timedelta(seconds=60))
            assert await dispatcher.run_once() == 1
    incident = opened.incident_id
    state = await notify_store.state(incident)
    status = {n.id: n.status for n in state.notifications}
    assert status == {
        "tell_petition_bureau": NotificationStatus.DELIVERED,
        "tell_police": NotificationStatus.FAILED,
        "tell_health": NotificationStatus.SENT,
        "tell_party_government": NotificationStatus.SENT,
    }
    failures = await kinds(pool, incident, "notification_failed")
    assert [(f["attempt"], f["final"]) for f in failures] == [(1, False), (2, False), (3, True)]
    assert all(f["error"] == "http 503" for f in failures)

    hooks = [(p, h, b) for p, _, h, b in receiver.seen if p.startswith("/hooks/")]
    assert {p for p, _, _ in hooks} == {"/hooks/pb", "/hooks/police"}
    assert (
        len(receiver.keys("/hooks/police")) == 3 and len(set(receiver.keys("/hooks/police"))) == 1
    )
    for path, headers, body in hooks:
        secret = SECRETS["WF_TEST_SECRET_PB" if path == "/hooks/pb" else "WF_TEST_SECRET_POLICE"]
        assert signed_ok(secret, headers, body)
        assert json.loads(body)["ack_url"].startswith("http://wf.test/ack/")
    pb = json.loads(next(b for p, _, b in hooks if p == "/hooks/pb"))
    assert pb["fields"]["place"] == "一楼大厅" and "来访人晕倒" in pb["fields"]["cause"]
    sms = [(h, b) for p, _, h, b in receiver.seen if p == "/sms"]
    assert len(sms) == 1 and signed_ok(SMS_SECRET, *sms[0])
    assert json.loads(sms[0][1])["to"] == "+86 10 5550 0120"
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail["To"] == "duty@gov.test" and "Incident notice" in str(mail["Subject"])
    assert "Please acknowledge" in mail.get_content()

    renderer = Renderer(Catalogue.load(), "Asia/Shanghai")
    row = renderer.board_snapshot([state], "zh-CN", clock.now())
    assert "loud" in row and "⚠" in row
    assert board_row(state, clock.now()).unacked == 4


async def test_the_demo_log_channel_delivers_every_message(
    notify_store: EventStore,
    pool: asyncpg.Pool,
    clock: ManualClock,
    library: Library,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """In the demo every message goes to the log channel: a self-harm incident's units show
    delivered, each message is whole in the mailbox, and the log names the file, not the link."""
    mailbox = tmp_path / "messages"
    settings = NotifySettings(mode="log", mailbox=mailbox)
    async with httpx.AsyncClient() as client:
        channels = build_channels(settings, client, library.units, {}, clock)
        dispatcher = Dispatcher(pool, notify_store, channels, composer(library), clock, no_publish)
        opened = await notify_store.execute(None, open_cmd(IncidentType.SELF_HARM), DUTY, key())
        assert await dispatcher.run_once() == 4
    state = await notify_store.state(opened.incident_id)
    assert {n.status for n in state.notifications} == {NotificationStatus.DELIVERED}
    delivered = await kinds(pool, opened.incident_id, "notification_delivered")
    assert {d["channel"] for d in delivered} == {"log"}
    sent = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(mailbox.glob("*.json"))]
    assert sorted(m["unit"] for m in sent) == sorted(d.unit for d in state.notifications)
    assert all(m["ack_url"].startswith("http://wf.test/ack/") for m in sent)
    assert all("一楼大厅" in m["text"] and m["ack_url"] in m["text"] for m in sent)
    assert mailbox.stat().st_mode & 0o777 == 0o700
    logged = capsys.readouterr().out
    assert logged.count("notification_message") == 4
    assert "/ack/" not in logged  # a link is a secret
    assert "来访人晕倒" not in logged  # and the visitor's words stay out of the log
