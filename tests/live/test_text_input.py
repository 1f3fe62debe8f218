"""Typed text on the real server: control characters and bidi overrides refused by field,
nothing written; Chinese and emoji stored as typed; a form that is not UTF-8 never a 500."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.live.conftest import Live

OPEN = {"type": "medical", "location": "一楼大厅", "headcount": "1", "summary": "来访人晕倒"}


def key() -> str:
    return uuid.uuid4().hex


async def events(live: Live) -> int:
    return int(await live.pool.fetchval("SELECT count(*) FROM events"))


@pytest.mark.parametrize(
    ("field", "value", "reason", "code"),
    [
        ("location", "大厅\x1b[2J", "text.control_character", "001B"),
        ("location", "大厅\n东侧", "text.control_character", "000A"),
        ("summary", "退款\u202e000,1", "text.bidi_control", "202E"),
        ("reporter", "张\x85三", "text.control_character", "0085"),
    ],
)
async def test_a_control_character_in_an_open_is_refused_naming_the_field(
    live: Live, field: str, value: str, reason: str, code: str
) -> None:
    """422 naming the field and the character in the reader's language; no event written."""
    duty = await live.client("duty1")
    before = await events(live)
    reply = await duty.post(
        "/incidents",
        json={**OPEN, "headcount": 1, field: value},
        headers={"Idempotency-Key": key()},
    )
    assert reply.status_code == 422, reply.text
    body = reply.json()
    assert (body["reason"], body["field"]) == (reason, field)
    assert f"码位 {code}" in body["text"]
    assert await events(live) == before


async def test_a_note_keeps_its_lines_and_refuses_an_escape(live: Live) -> None:
    """A note's CR LF lines are stored as LF lines; a note with ESC is refused, unwritten."""
    duty = await live.client("duty1")
    opened = await duty.post(
        "/incidents", json={**OPEN, "headcount": 1}, headers={"Idempotency-Key": key()}
    )
    incident = opened.json()["incident_id"]
    note = {"text": "第一行\r\n\t第二行 👨‍👩‍👧"}
    reply = await duty.post(
        f"/incidents/{incident}/notes", data=note, headers={"Idempotency-Key": key()}
    )
    assert reply.status_code in (201, 303), reply.text
    stored = await live.pool.fetchval(
        "SELECT payload->>'text' FROM events WHERE incident_id = $1 AND kind = 'note_added'",
        uuid.UUID(incident),
    )
    assert stored == "第一行\n\t第二行 👨‍👩‍👧"
    before = await events(live)
    bad = await duty.post(
        f"/incidents/{incident}/notes",
        data={"text": "看这里\x1b[31m"},
        headers={"Idempotency-Key": key(), "Accept": "application/json"},
    )
    assert bad.status_code == 422 and bad.json()["reason"] == "text.control_character"
    assert await events(live) == before


REAL = ["一楼大厅东侧", "👨‍👩‍👧‍👦 家属", "👍🏽🇨🇳 ❤️", "🏴󠁧󠁢󠁥󠁮󠁧󠁿", "Café 咖啡 قهوة", "می‌خواهم"]


@pytest.mark.parametrize("location", REAL)
async def test_chinese_and_emoji_are_stored_as_typed(live: Live, location: str) -> None:
    """A form in any script, with emoji sequences, is stored byte for byte."""
    duty = await live.client("duty1")
    reply = await duty.post(
        "/incidents",
        data={**OPEN, "location": location},
        headers={"Idempotency-Key": key(), "Accept": "application/json"},
    )
    assert reply.status_code == 201, reply.text
    assert [i["location"] for i in (await duty.get("/api/incidents")).json()] == [location]


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        (b"location=%FF%FE&", 422, "request.bad_encoding"),  # %-encoded, not UTF-8
        (b"location=%E5%A4&", 422, "request.bad_encoding"),  # a cut UTF-8 sequence
        (b"location=a\x9bb&", 422, "request.bad_encoding"),  # a raw byte that is no UTF-8
        ("location=大厅&".encode("gbk"), 422, "request.bad_encoding"),  # raw GBK: never mojibake
        (b"location=Caf\xe9&", 422, "request.bad_encoding"),  # raw Latin-1
        (b"location=a%C2%9Bb&", 422, "text.control_character"),  # UTF-8, but a C1 control
        ("location=大厅&".encode(), 201, None),  # raw UTF-8, not %-encoded: read right
        ("location=大%E5%8E%85&".encode(), 201, None),  # raw and %-escaped UTF-8 mixed
    ],
)
async def test_a_form_that_is_not_utf8_is_refused_by_field_or_read_right(
    live: Live, body: bytes, status: int, reason: str | None
) -> None:
    """Broken encoding in a form: a 4xx naming the field, or the text read right; never 500."""
    duty = await live.client("duty1")
    rest = b"type=medical&headcount=1&summary=x"
    before = await events(live)
    reply = await duty.post(
        "/incidents",
        content=body + rest,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Idempotency-Key": key(),
            "Accept": "application/json",
        },
    )
    assert reply.status_code == status, reply.text
    if reason:
        assert (reply.json()["reason"], reply.json()["field"]) == (reason, "location")
        assert await events(live) == before
    else:
        assert (await duty.get("/api/incidents")).json()[0]["location"] == "大厅"


async def test_a_login_name_with_a_control_character_is_refused_unrecorded(live: Live) -> None:
    """400 saying so on the sign-in page; the attempt is neither stored nor counted."""
    before = await live.pool.fetchval("SELECT count(*) FROM login_attempts")
    async with httpx.AsyncClient(base_url=live.url, headers={"Origin": live.url}) as browser:
        reply = await browser.post("/login", data={"username": "duty1\x1b[2J", "password": "x"})
    assert reply.status_code == 400
    assert "不可见的控制字符" in reply.text
    assert await live.pool.fetchval("SELECT count(*) FROM login_attempts") == before


@pytest.mark.parametrize("path", ["commander", None])
async def test_a_commander_named_with_a_nul_is_refused_by_name(
    live: Live, path: str | None
) -> None:
    """Found by the fuzz: the id went to the user directory first, and PostgreSQL refuses NUL
    (a 500). Now it is refused like any typed control character, before anything is read."""
    duty = await live.client("commander1")
    opened = await duty.post(
        "/incidents", json={**OPEN, "headcount": 1}, headers={"Idempotency-Key": key()}
    )
    before = await events(live)
    target, body = (
        (f"/incidents/{opened.json()['incident_id']}/commander", {"user_id": "\x00空字节"})
        if path
        else ("/incidents", {**OPEN, "headcount": 1, "commander": "commander1\x00"})
    )
    reply = await duty.post(target, json=body, headers={"Idempotency-Key": key()})
    assert reply.status_code == 422, reply.text
    assert reply.json()["reason"] == "text.control_character"
    assert await events(live) == before
