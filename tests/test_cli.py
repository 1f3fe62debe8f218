"""The `watchfloor` command line and `make demo`, run as a person would run them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.test_store import tamper

ROOT = Path(__file__).resolve().parent.parent
WATCHFLOOR = str(Path(sys.executable).parent / "watchfloor")


def cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "WATCHFLOOR_LOG_LEVEL": "warning"}
    return subprocess.run(
        [WATCHFLOOR, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def raw_stdout(database_url: str, *args: str) -> bytes:
    """What the command wrote, byte for byte, as a terminal would receive it."""
    env = {**os.environ, "DATABASE_URL": database_url, "WATCHFLOOR_LOG_LEVEL": "warning"}
    done = subprocess.run([WATCHFLOOR, *args], env=env, capture_output=True, timeout=99, check=True)
    return done.stdout


async def test_seed_list_and_verify(database_url: str) -> None:
    """Seeding twice adds nothing; list shows the incidents; verify passes on them."""
    first = cli(database_url, "demo", "--seed-only")
    assert first.returncode == 0, first.stderr
    cli(database_url, "demo", "--seed-only")
    listed = json.loads(cli(database_url, "incidents", "list", "--format", "json", "--all").stdout)
    assert len(listed) == 4
    assert {i["type"] for i in listed} >= {"medical", "collective_visit", "disruption"}
    ids = cli(database_url, "incidents", "list", "--format", "ids").stdout.split()
    assert len(ids) == 3  # the closed disruption is not listed by default
    table = cli(database_url, "incidents", "list").stdout
    assert "collective_visit" in table and "二楼集体接待室" in table
    ok = cli(database_url, "verify")
    assert ok.returncode == 0 and "every chain is whole" in ok.stdout


async def test_verify_names_the_tampered_incident_and_seq(database_url: str) -> None:
    """After an event is edited behind the trigger's back, verify exits 1 naming it."""
    cli(database_url, "demo", "--seed-only")
    conn = await asyncpg.connect(database_url)
    target = await conn.fetchval("SELECT incident_id FROM events WHERE seq = 3 LIMIT 1")
    await conn.close()
    await tamper(
        database_url,
        f"UPDATE events SET payload = '{{}}' WHERE incident_id = '{target}' AND seq = 3",
    )
    broken = cli(database_url, "verify")
    assert broken.returncode == 1
    assert f"incident {target} seq 3" in broken.stdout
    only_that = cli(database_url, "verify", "--incident", str(target))
    assert only_that.returncode == 1


async def test_migrate_twice(database_url: str) -> None:
    """`watchfloor migrate` on an up-to-date database succeeds and changes nothing."""
    assert cli(database_url, "migrate").returncode == 0
    assert cli(database_url, "migrate").returncode == 0


def wait_for(url: str, seconds: float) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while True:
        try:
            return httpx.get(url, timeout=10)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.25)


@pytest.mark.slow
def test_make_demo_serves_with_embedded_database(tmp_path: Path, free_port: int) -> None:
    """`make demo PORT=…` starts its own PostgreSQL, answers there, and its links point there."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {
        "WATCHFLOOR_DATA": str(tmp_path / "data"),
        "PORT": str(free_port),
        "VENV": str(Path(sys.executable).parent.parent),
    }
    proc = subprocess.Popen(
        ["make", "-s", "demo"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{free_port}"
        assert wait_for(f"{base}/healthz", 90).status_code == 200
        assert wait_for(f"{base}/readyz", 10).status_code == 200
        with httpx.Client(base_url=base, headers={"Origin": base}, timeout=30) as browser:
            signed_in = browser.post(
                "/login", data={"username": "duty1", "password": "watchfloor-demo"}
            )
            assert signed_in.status_code == 303
            assert len(browser.get("/api/incidents").json()) == 3
            board = browser.get("/").text
        assert "值班台" in board and "二楼集体接待室" in board
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{free_port}/" in out
    # The demo's messages go to its mailbox; their links lead to this port, not the default,
    # and no link (a secret) is in the log.
    mailbox = tmp_path / "data" / "messages"
    assert f"{mailbox}/" in out
    sent = [json.loads(p.read_text(encoding="utf-8")) for p in mailbox.glob("*.json")]
    assert sent, out[-3000:]
    assert all(m["ack_url"].startswith(f"http://127.0.0.1:{free_port}/ack/") for m in sent)
    assert "notification_message" in out and "/ack/" not in out, out[-3000:]
    assert {p.stat().st_mode & 0o777 for p in mailbox.glob("*.json")} == {0o600}
    assert "commander1" in out and "watchfloor-demo" in out  # the logins are printed


STORED = "大厅\x1b[2J\x1b]0;pwned\x07东侧\u202etxt.exe"  # written before the text policy


async def test_text_stored_before_the_policy_prints_escaped(database_url: str) -> None:
    """An old event with ESC and a bidi override lists as escapes; the Chinese prints as is."""
    cli(database_url, "demo", "--seed-only")
    conn = await asyncpg.connect(database_url)
    target = await conn.fetchval("SELECT id FROM incidents ORDER BY opened_at LIMIT 1")
    await conn.close()
    value = "to_jsonb($$" + STORED.replace("'", "''") + "$$::text)"
    await tamper(
        database_url,
        f"UPDATE events SET payload = jsonb_set(payload, '{{location}}', {value}) "
        f"WHERE incident_id = '{target}' AND seq = 1;"
        f"UPDATE incidents SET state = jsonb_set(state, '{{location}}', {value}) "
        f"WHERE id = '{target}'",
    )
    for fmt in ("table", "json"):
        out = raw_stdout(database_url, "incidents", "list", "--all", "--format", fmt)
        assert b"\x1b" not in out and "\u202e".encode() not in out and b"\x07" not in out, out
        assert "大厅".encode() in out and "东侧".encode() in out
    table = cli(database_url, "incidents", "list", "--all").stdout
    assert "大厅\\x1b[2J\\x1b]0;pwned\\x07东侧<U+202E>txt.exe" in table
    listed = json.loads(cli(database_url, "incidents", "list", "--all", "--format", "json").stdout)
    assert STORED in [i["location"] for i in listed]  # the JSON still says exactly what is stored
