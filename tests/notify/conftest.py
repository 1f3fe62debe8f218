"""Real receivers for notification tests: an HTTP receiver on uvicorn, an aiosmtpd SMTP server,
and a units registry that points the units at them."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import hashlib
import hmac
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import uvicorn
from aiosmtpd.controller import Controller
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from incidents.clock import ManualClock
from incidents.store import EventStore
from playbooks.loader import Library, default_dirs, load_library
from server.notify.outbox import OutboxProjector
from server.services import plans_from

SECRETS = {"WF_TEST_SECRET_PB": "pb-secret-0123456789", "WF_TEST_SECRET_POLICE": "police-secret-42"}
SMS_SECRET = "sms-gateway-secret"

UNITS = """
units:
  - id: petition_bureau
    name: {{zh: 信访局, en: Petition bureau}}
    kind: petition_bureau
    secret_env: WF_TEST_SECRET_PB
    contacts:
      - {{name: 信访局值班室, channel: webhook, address: "{url}/hooks/pb", language: zh}}
      - {{name: 信访局办公室, channel: email, address: duty@xinfang.test, language: zh}}
  - id: police
    name: {{zh: 派出所, en: Police}}
    kind: police
    secret_env: WF_TEST_SECRET_POLICE
    contacts:
      - {{name: 派出所值班室, channel: webhook, address: "{url}/hooks/police", language: zh}}
      - {{name: 派出所值班电话, channel: sms, address: "+86 10 5550 0110", language: zh}}
  - id: health
    name: {{zh: 120急救中心, en: Emergency centre}}
    kind: health
    contacts:
      - {{name: 急救中心值班电话, channel: sms, address: "+86 10 5550 0120", language: zh}}
  - id: party_government_duty
    name: {{zh: 总值班室, en: Government duty office}}
    kind: other
    contacts:
      - {{name: Duty office, channel: email, address: duty@gov.test, language: en}}
"""


def free_port_number() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Receiver:
    """Records every request (path, Idempotency-Key, headers, body); answers `status`."""

    url: str = ""
    seen: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)
    status: dict[str, int] = field(default_factory=dict)  # path -> status to answer
    delay: float = 0.0

    def keys(self, prefix: str = "/") -> list[str]:
        return [key for path, key, _, _ in self.seen if path.startswith(prefix)]

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        path = request.url.path
        key = request.headers.get("idempotency-key", "")
        self.seen.append((path, key, dict(request.headers), body))
        if self.delay:
            await asyncio.sleep(self.delay)
        return JSONResponse({"ok": True}, self.status.get(path, 200))


def signed_ok(secret: str, headers: dict[str, str], body: bytes) -> bool:
    stamp = headers["x-watchfloor-timestamp"]
    expected = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["x-watchfloor-signature"])


@contextlib.asynccontextmanager
async def serving(app: ASGIApp) -> AsyncIterator[str]:
    """A real uvicorn server for `app` on a free port of 127.0.0.1; yields its base URL."""
    port = free_port_number()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "the receiver did not start"
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rec = Receiver()
    async with serving(
        Starlette(routes=[Route("/{path:path}", rec.handle, methods=["POST"])])
    ) as url:
        rec.url = url
        yield rec


@dataclass
class Mailbox:
    port: int
    messages: list[email.message.EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"

    def keys(self) -> list[str]:
        with self.lock:
            return [str(m["Idempotency-Key"]) for m in self.messages]


@pytest.fixture
def smtp() -> Iterator[Mailbox]:
    box = Mailbox(free_port_number())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


@pytest.fixture
def units_dir(tmp_path: Path, receiver: Receiver) -> Path:
    folder = tmp_path / "playbooks"
    folder.mkdir()
    (folder / "units.yaml").write_text(UNITS.format(url=receiver.url), "utf-8")
    return folder


@pytest.fixture
def library(units_dir: Path) -> Library:
    return load_library(default_dirs({"WATCHFLOOR_PLAYBOOKS": str(units_dir)}))


@pytest.fixture
def notify_store(pool: asyncpg.Pool, clock: ManualClock, library: Library) -> EventStore:
    return EventStore(
        pool, clock, plans=plans_from(library), projectors=[OutboxProjector(library.units)]
    )
