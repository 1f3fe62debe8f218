"""Killing the dispatcher mid-batch loses nothing and records nothing twice."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from incidents.clock import ManualClock
from incidents.kinds import IncidentType, NotificationStatus
from incidents.store import EventStore
from server.verify import verify_all
from tests.notify.conftest import SECRETS, SMS_SECRET, Mailbox, Receiver, signed_ok
from tests.support import DUTY, open_cmd

INCIDENTS = 10
ROOT = Path(__file__).resolve().parents[2]


async def start_worker(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "server.cli",
            "notify-worker",
            "--lease",
            "2",
            "--batch",
            "8",
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=out,
        )


async def until(check: object, within: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not await check():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, what
        await asyncio.sleep(0.02)


async def test_a_killed_dispatcher_restarts_and_every_message_arrives_once(
    notify_store: EventStore,
    pool: asyncpg.Pool,
    clock: ManualClock,
    database_url: str,
    units_dir: Path,
    receiver: Receiver,
    smtp: Mailbox,
    tmp_path: Path,
) -> None:
    """SIGKILL mid-batch, restart: every unit gets its message; by key, each exactly once."""
    clock.set(datetime.now(UTC))  # escalation timers lie minutes ahead: none fires here
    for _ in range(INCIDENTS):
        await notify_store.execute(None, open_cmd(IncidentType.SELF_HARM), DUTY, uuid.uuid4().hex)
    receiver.delay = 0.5  # each request is in flight long enough to be cut
    env = {
        **os.environ,
        **SECRETS,
        "DATABASE_URL": database_url,
        "WATCHFLOOR_PLAYBOOKS": str(units_dir),
        "WATCHFLOOR_DATA": str(tmp_path),
        "WATCHFLOOR_SECRET_KEY": "k" * 32,
        "WATCHFLOOR_SMTP_HOST": "127.0.0.1",
        "WATCHFLOOR_SMTP_PORT": str(smtp.port),
        "WATCHFLOOR_SMTP_TLS": "none",
        "WATCHFLOOR_SMS_URL": f"{receiver.url}/sms",
        "WATCHFLOOR_SMS_SECRET": SMS_SECRET,
        "WATCHFLOOR_NOTIFY_POLL": "0.1",
        "WATCHFLOOR_LOG_LEVEL": "warning",
    }
    log = tmp_path / "worker.log"
    first = await start_worker(env, log)

    async def mid_batch() -> bool:
        assert first.returncode is None, log.read_text()
        return len(receiver.seen) >= 5

    await until(mid_batch, 30, "the worker sent nothing")
    first.send_signal(signal.SIGKILL)
    await first.wait()
    cut = len(receiver.seen)

    second = await start_worker(env, log)

    async def drained() -> bool:
        assert second.returncode is None, log.read_text()
        left = await pool.fetchval(
            "SELECT count(*) FROM notification_outbox WHERE status <> 'done'"
        )
        return bool(left == 0)

    try:
        await until(drained, 30, "the restarted worker did not send everything")
    finally:
        second.send_signal(signal.SIGTERM)
        await second.wait()

    rows = await pool.fetch("SELECT id, channel, idempotency_key FROM notification_outbox")
    assert len(rows) == 4 * INCIDENTS
    http = {r["idempotency_key"] for r in rows if r["channel"] in ("webhook", "sms")}
    mail = {r["idempotency_key"] for r in rows if r["channel"] == "email"}
    seen = receiver.keys()
    print(  # the figures, one JSON line (`pytest -s`)
        json.dumps(
            {
                "fault": "notify_worker_kill_9",
                "messages": len(rows),
                "sent_before_kill": cut,
                "http_requests": len(seen),
                "http_messages": len(http),
                "resent_after_restart": len(seen) - len(set(seen)),
                "emails": len(smtp.keys()),
                "email_messages": len(mail),
            }
        )
    )
    assert set(seen) == http  # after dedupe by key: each exactly once, none missing
    assert len(seen) > len(http), f"the kill at {cut} requests cut nothing in flight"
    assert set(smtp.keys()) == mail
    for path, _, headers, body in receiver.seen:
        secret = (
            SMS_SECRET
            if path == "/sms"
            else SECRETS["WF_TEST_SECRET_PB" if path == "/hooks/pb" else "WF_TEST_SECRET_POLICE"]
        )
        assert signed_ok(secret, headers, body)

    recorded = await pool.fetch(
        "SELECT (payload->>'delivery')::bigint AS delivery, count(*) AS n FROM events "
        "WHERE kind IN ('notification_sent', 'notification_delivered') GROUP BY 1"
    )
    assert {r["delivery"]: r["n"] for r in recorded} == {r["id"]: 1 for r in rows}
    for state in await notify_store.incidents():
        assert {n.status for n in state.notifications} <= {
            NotificationStatus.SENT,
            NotificationStatus.DELIVERED,
        }
    async with pool.acquire() as conn:
        assert (await verify_all(conn)).broken is None
    assert "Traceback" not in log.read_text(), log.read_text()
