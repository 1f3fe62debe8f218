"""API tokens for systems, as an operator makes them with `watchfloor tokens` and a system
uses them: Bearer on /api/ only, no CSRF, its commands under its name, revoked at once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.live.conftest import Live
from tests.test_cli import cli

NAME = "医院 HIS 🏥"
NOTE = "患者已送医 🚑 ambulance left, 家属已通知"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def new_token(database_url: str, name: str = NAME, role: str = "duty_officer") -> str:
    made = cli(database_url, "tokens", "new", name, "--role", role)
    assert made.returncode == 0, made.stderr
    assert "shown this once" in made.stderr
    return made.stdout.strip()


async def open_incident(live: Live, token: str) -> str:
    async with httpx.AsyncClient(base_url=live.url, headers=bearer(token)) as system:
        reply = await system.post(
            "/api/incidents",
            json={"type": "medical", "location": "二楼走廊 🚪", "headcount": 1, "summary": "晕倒"},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
    assert reply.status_code == 201, reply.text
    return str(reply.json()["incident_id"])


async def test_tokens_are_made_listed_and_revoked_by_the_cli(live: Live, database_url: str) -> None:
    """The token is printed once, only its hash is stored; list names it; revoke marks it."""
    token = new_token(database_url)
    assert token.startswith("wf_")
    stored = await live.pool.fetchrow("SELECT * FROM api_tokens WHERE name = $1", NAME)
    assert stored is not None and token not in str(dict(stored))  # the hash, never the token
    listed = cli(database_url, "tokens", "list")
    assert listed.returncode == 0 and NAME in listed.stdout and "duty_officer" in listed.stdout
    assert token not in listed.stdout
    again = cli(database_url, "tokens", "new", NAME, "--role", "viewer")
    assert again.returncode == 1 and "taken" in again.stderr
    revoked = cli(database_url, "tokens", "revoke", NAME)
    assert revoked.returncode == 0, revoked.stderr
    after = cli(database_url, "tokens", "list").stdout
    assert "UTC" in after.splitlines()[1].split("duty_officer")[1]  # a revoked date
    unknown = cli(database_url, "tokens", "revoke", "nobody")
    assert unknown.returncode == 1 and "no token named" in unknown.stderr


async def test_a_command_with_a_token_needs_no_csrf_and_is_on_the_record_by_name(
    live: Live, database_url: str
) -> None:
    """A system opens an incident and adds a note with its token alone; the timeline, the
    JSON events and the console's page say the token's name; Chinese and emoji come back."""
    token = new_token(database_url)
    incident = await open_incident(live, token)
    async with httpx.AsyncClient(base_url=live.url, headers=bearer(token)) as system:
        noted = await system.post(
            f"/api/incidents/{incident}/notes",
            json={"text": NOTE},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        assert noted.status_code == 201, noted.text
        events = (await system.get(f"/api/incidents/{incident}/events")).json()
    note = next(e for e in events if e["kind"] == "note_added")
    assert note["payload"]["text"] == NOTE
    assert {e["recorded_by"] for e in events} == {f"token:{NAME}"}
    duty = await live.client("duty1")
    page = await duty.get(f"/incidents/{incident}", headers={"Accept": "text/html"})
    assert f"接口令牌「{NAME}」" in page.text
    assert NOTE in page.text


async def test_a_revoked_token_is_refused_at_once(
    live: Live, database_url: str, capfd: pytest.CaptureFixture[str]
) -> None:
    """The request right after `tokens revoke` gets 401 bearer_revoked; a made-up one 401;
    the token is in no log line."""
    token = new_token(database_url)
    async with httpx.AsyncClient(base_url=live.url, headers=bearer(token)) as system:
        assert (await system.get("/api/incidents")).status_code == 200
        assert cli(database_url, "tokens", "revoke", NAME).returncode == 0
        refused = await system.get("/api/incidents")
    assert refused.status_code == 401
    assert refused.json()["error"] == "bearer_revoked"
    assert refused.json()["text"] == "接口令牌已被吊销"
    assert refused.headers["www-authenticate"].startswith("Bearer")
    async with httpx.AsyncClient(base_url=live.url, headers=bearer("wf_made_up")) as forger:
        made_up = await forger.get("/api/incidents")
    assert (made_up.status_code, made_up.json()["error"]) == (401, "bearer_invalid")
    logged = capfd.readouterr()
    assert "bearer_refused" in logged.out + logged.err  # the log was read
    assert token not in logged.out + logged.err


async def test_a_token_opens_no_html_page(live: Live, database_url: str) -> None:
    """A page asked for with a token is refused, not drawn and not sent to sign in."""
    token = new_token(database_url, "页面探测", "commander")
    incident = await open_incident(live, token)
    async with httpx.AsyncClient(base_url=live.url, headers=bearer(token)) as system:
        for path in ("/", f"/incidents/{incident}", "/m", "/followup"):
            page = await system.get(path, headers={"Accept": "text/html"})
            assert page.status_code == 403, path
            assert "接口令牌只能用于系统接口" in page.text
        form = await system.post(
            f"/incidents/{incident}/notes",
            json={"text": "不应写入"},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
    assert (form.status_code, form.json()["error"]) == (403, "bearer_not_accepted")
    texts = await live.pool.fetchval(
        "SELECT count(*) FROM events WHERE kind = 'note_added' AND incident_id = $1",
        uuid.UUID(incident),
    )
    assert texts == 0


async def test_a_console_session_still_needs_its_csrf_token_on_the_api(live: Live) -> None:
    """The same /api/ write with a session cookie and no CSRF token is refused."""
    duty = await live.client("duty1")
    del duty.headers["X-CSRF-Token"]
    reply = await duty.post(
        "/api/incidents",
        json={"type": "medical", "location": "大厅", "headcount": 1},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert (reply.status_code, reply.json()["error"]) == (403, "csrf_failed")


async def test_a_system_files_the_roster_and_the_zero_report_with_its_token(
    live: Live, database_url: str
) -> None:
    """The duty routes under /api/: a shift added and ended, a zero report filed, by token;
    a field the form never had is refused by name."""
    token = new_token(database_url, "排班系统", "commander")
    async with httpx.AsyncClient(base_url=live.url, headers=bearer(token)) as system:
        now = datetime.now(UTC).replace(microsecond=0)
        starts, ends = now.isoformat(), (now + timedelta(hours=8)).isoformat()
        shift = {"user_id": "duty1", "role": "officer", "starts_at": starts}
        added = await system.post("/api/roster", json={**shift, "ends_at": ends})
        assert added.status_code == 201, added.text
        ended = await system.post(f"/api/roster/{added.json()['id']}/end")
        assert (ended.status_code, ended.json()) == (201, added.json())
        text = "无异常 ✅ all quiet"
        filed = await system.post(
            "/api/zero-reports",
            json={"unit": "petition_bureau", "status": "all_clear", "text": text},
        )
        assert filed.status_code == 201, filed.text
        typo = await system.post("/api/roster", json={**shift, "ends": ends})
    assert typo.status_code == 422
    assert typo.json()["error"] == "invalid_command" and "ends" in typo.json()["message"]
    stored = await live.pool.fetchval(
        "SELECT text FROM zero_reports WHERE unit = 'petition_bureau'"
    )
    assert stored == text
