"""The fault suite's own PostgreSQL cluster (made once), a database per test, a private
redis-server per test, and the real console as a `watchfloor serve` subprocess."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from incidents.migrate import migrate
from server.auth.cli import ensure_demo_users
from tests.faults.cluster import Cluster, Redis, free_port
from tests.live.conftest import Live

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "k" * 32


def figures(**values: Any) -> None:
    """The test's measurements, one JSON line (shown by `pytest -s`)."""
    print(json.dumps(values, ensure_ascii=False))


def text_of(path: Path) -> str:
    """A log file's text (read outside async functions: a small file, read once)."""
    return path.read_text()


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    """A PostgreSQL of the suite's own: the tests stop and freeze it, never the shared one."""
    with tempfile.TemporaryDirectory(prefix="wf-faults-") as folder:
        pg = Cluster(Path(folder), free_port())
        pg.init()
        pg.start()
        try:
            yield pg
        finally:
            with contextlib.suppress(Exception):
                pg.stop()


@pytest.fixture(scope="session")
async def fault_template(cluster: Cluster) -> str:
    conn = await asyncpg.connect(cluster.url)
    await conn.execute("CREATE DATABASE wf_faults_template")
    await conn.close()
    conn = await asyncpg.connect(cluster.db_url("wf_faults_template"))
    await migrate(conn)
    await conn.close()
    return "wf_faults_template"


@pytest.fixture
async def fault_db(cluster: Cluster, fault_template: str) -> AsyncIterator[str]:
    """A fresh migrated database on the private cluster; the cluster runs again afterwards."""
    name = f"wf_fault_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(cluster.url)
    await admin.execute(f"CREATE DATABASE {name} TEMPLATE {fault_template}")
    await admin.close()
    try:
        yield cluster.db_url(name)
    finally:
        if not (cluster.folder / "data" / "postmaster.pid").exists():
            cluster.start()  # a test that failed while it was stopped
        admin = await asyncpg.connect(cluster.url)
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[Redis]:
    """A redis-server of this test's own, to stop and freeze."""
    server = Redis(tmp_path, free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Served(Live):
    """The console in a subprocess: `log` is what it wrote (JSON lines, production format)."""

    log: Path = Path()
    process: asyncio.subprocess.Process | None = None

    def lines(self) -> list[dict[str, Any]]:
        found = []
        for line in text_of(self.log).splitlines():
            with contextlib.suppress(ValueError):
                found.append(json.loads(line))
        return found

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()


async def start_server(env: dict[str, str], port: int, log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "server.cli", "serve", "--host", "127.0.0.1", "--port", str(port)),
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=out,
        )
    deadline = time.monotonic() + 30
    async with httpx.AsyncClient() as client:
        while True:
            assert process.returncode is None, text_of(log)
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                    return process
            assert time.monotonic() < deadline, "the server did not start: " + text_of(log)
            await asyncio.sleep(0.1)


def server_env(database_url: str, data: Path, **extra: str) -> dict[str, str]:
    data.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "WATCHFLOOR_DATA": str(data),
        "WATCHFLOOR_ENV": "production",  # JSON lines: the log is read back as an operator would
        "WATCHFLOOR_LOG_LEVEL": "info",
        "WATCHFLOOR_NOTIFY_WORKERS": "off",
        "WATCHFLOOR_SECRET_KEY": SECRET_KEY,
        "REDIS_URL": "",
        **extra,
    }


@contextlib.asynccontextmanager
async def serve(database_url: str, data: Path, **extra: str) -> AsyncIterator[Served]:
    """`watchfloor serve` on a free port against `database_url`, its demo users made."""
    port, log = free_port(), data / "server.log"
    env = server_env(database_url, data, **extra)
    process = await start_server(env, port, log)
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    await ensure_demo_users(pool)
    served = Served(f"http://127.0.0.1:{port}", pool, log=log, process=process)
    try:
        yield served
    finally:
        await served.close_all()
        await pool.close()
        if served.process is not None and served.process.returncode is None:
            served.process.terminate()
            await served.process.wait()


async def restart(served: Served, database_url: str, data: Path, **extra: str) -> None:
    """Start the console again on the same port (after a kill), with the same `extra`."""
    port = int(served.url.rsplit(":", 1)[1])
    env = server_env(database_url, data, **extra)
    served.process = await start_server(env, port, served.log)
