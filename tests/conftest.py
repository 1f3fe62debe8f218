"""Shared fixtures: a real PostgreSQL (DATABASE_URL, or the embedded one) and a fresh
database per test, cloned from a migrated template."""

from __future__ import annotations

import os
import socket
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from incidents.clock import ManualClock
from incidents.migrate import migrate
from incidents.store import EventStore
from server.database import embedded_postgres, release

APP_ROLE = "watchfloor_app"


def with_database(url: str, name: str) -> str:
    """The same server, another database."""
    if "?" in url:  # the embedded server's socket URL: postgresql://u:@/db?host=...
        head, query = url.split("?", 1)
        return f"{head.rsplit('/', 1)[0]}/{name}?{query}"
    return f"{url.rsplit('/', 1)[0]}/{name}"


@pytest.fixture(scope="session")
async def pg_server_url() -> AsyncIterator[str]:
    """An admin URL of a real PostgreSQL server; under CI it must be configured, never skipped."""
    configured = os.environ.get("DATABASE_URL")
    if configured:
        yield configured
        return
    with tempfile.TemporaryDirectory(prefix="wf-pg-") as folder:
        async with embedded_postgres(Path(folder)) as dsn:
            yield dsn


@pytest.fixture(scope="session")
async def template_db(pg_server_url: str) -> AsyncIterator[str]:
    """A migrated database that each test's database is cloned from."""
    name = f"wf_template_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(pg_server_url)
    await admin.execute(f"CREATE DATABASE {name}")
    conn = await asyncpg.connect(with_database(pg_server_url, name))
    await migrate(conn)
    await conn.close()
    yield name
    await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await admin.close()


@pytest.fixture
async def database_url(pg_server_url: str, template_db: str) -> AsyncIterator[str]:
    """A fresh, migrated database for one test (an admin URL: the test may tamper)."""
    name = f"wf_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(pg_server_url)
    await admin.execute(f"CREATE DATABASE {name} TEMPLATE {template_db}")
    yield with_database(pg_server_url, name)
    await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await admin.close()


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """Connections acting as the application's role, as the server's are."""
    p = await asyncpg.create_pool(
        database_url, min_size=1, max_size=60, server_settings={"role": APP_ROLE}, reset=release
    )
    yield p
    await p.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def store(pool: asyncpg.Pool, clock: ManualClock) -> EventStore:
    return EventStore(pool, clock)


@pytest.fixture
def free_port() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return port
