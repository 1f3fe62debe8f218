"""A client that hangs up mid-body, on the real server: logged as a disconnect, not an error."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit

import pytest
import structlog.testing

from tests.live.conftest import Live


async def hang_up_mid_body(live: Live, path: str, headers: dict[str, str]) -> None:
    """Announce 1000 bytes of form, send 10, close the socket."""
    where = urlsplit(live.url)
    _, writer = await asyncio.open_connection(where.hostname, where.port)
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {where.netloc}",
        f"Origin: {live.url}",
        "Content-Type: application/x-www-form-urlencoded",
        "Content-Length: 1000",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + b"location=a")
    await writer.drain()
    await asyncio.sleep(0.2)  # the server is reading the body now
    writer.close()
    await writer.wait_closed()


async def request_line(logs: list[dict[str, object]], path: str) -> dict[str, object]:
    """The server's one line for the request, once it has handled the hang-up."""
    for _ in range(200):
        found = [e for e in logs if e.get("event") == "request" and e.get("path") == path]
        if found:
            return found[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no request line for {path}: {logs}")


@pytest.mark.parametrize("path", ["/incidents", "/login"])
async def test_a_client_gone_mid_body_is_logged_as_a_disconnect_and_writes_nothing(
    live: Live, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The request line says 499, no 500 and no traceback anywhere, no incident, no attempt."""
    duty = await live.client("duty1")
    cookie = "; ".join(f"{k}={v}" for k, v in duty.cookies.items())
    headers = {"Cookie": cookie, "Idempotency-Key": "hang-up-1"}
    headers["X-CSRF-Token"] = duty.headers["X-CSRF-Token"]
    events = await live.pool.fetchval("SELECT count(*) FROM events")
    attempts = await live.pool.fetchval("SELECT count(*) FROM login_attempts")
    caplog.set_level(logging.INFO)
    with structlog.testing.capture_logs() as logs:
        await hang_up_mid_body(live, path, headers)
        line = await request_line(logs, path)
    assert line["status"] == 499, line
    assert line["log_level"] == "info"
    assert not [e for e in logs if e.get("status") == 500 or "exc_info" in e], logs
    records = [r.getMessage() for r in caplog.records] + [str(r.exc_info) for r in caplog.records]
    assert not [r for r in records if "Traceback" in r or "500" in r or "Exception" in r], records
    assert not [r for r in caplog.records if r.exc_info], caplog.text
    assert await live.pool.fetchval("SELECT count(*) FROM events") == events
    assert await live.pool.fetchval("SELECT count(*) FROM login_attempts") == attempts
    assert (await duty.get("/api/incidents")).json() == []
