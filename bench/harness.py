"""Processes for the live benchmarks: a Watchfloor server, console clients, the raw baseline."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from incidents.clock import SystemClock
from incidents.kinds import Role
from server.auth.sessions import SessionStore
from server.auth.users import UserStore

PY = sys.executable
WATCHFLOOR = str(Path(sys.executable).parent / "watchfloor")
PASSWORD = "bench-password-42"
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    url: str
    console_port: int | None = None  # the lean console port (server/live/lean.py), if on

    @property
    def ws(self) -> str:
        """Where its consoles connect: the lean port when it has one (as behind the proxy)."""
        if self.console_port is not None:
            return f"ws://127.0.0.1:{self.console_port}/ws"
        return self.url.replace("http://", "ws://") + "/ws"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(30)


BENCH_SECRET_KEY = "bench-link-signing-key-0123456789abcdef"  # the same on every node


async def start_server(
    database_url: str,
    port: int | None = None,
    *,
    lean: bool = True,
    console_port: int | None = None,
    **env: str,
) -> Server:
    """`watchfloor serve`; its consoles on the lean port (`lean`, as deployed) or uvicorn's."""
    port = port or free_port()
    console_port = (console_port or free_port()) if lean else None
    if console_port is not None:  # the consoles' Origin is the page's (here, uvicorn's port)
        env = {
            "WATCHFLOOR_CONSOLE_PORT": str(console_port),
            "WATCHFLOOR_ORIGINS": f"http://127.0.0.1:{port}",
            **env,
        }
    environ = {
        **os.environ,
        "DATABASE_URL": database_url,
        "WATCHFLOOR_LOG_LEVEL": "warning",
        "WATCHFLOOR_ENV": "production",
        "WATCHFLOOR_SECRET_KEY": BENCH_SECRET_KEY,  # production refuses to start without one
        # measured here: the fan-out; the notification workers would send for every incident
        "WATCHFLOOR_NOTIFY_WORKERS": "off",
        **env,
    }
    command = [WATCHFLOOR, "serve", "--port", str(port)]
    proc = subprocess.Popen(command, env=environ, stdout=subprocess.DEVNULL)
    server = Server(proc, f"http://127.0.0.1:{port}", console_port)
    async with httpx.AsyncClient() as probe:
        for _ in range(600):
            try:
                if (await probe.get(f"{server.url}/readyz")).status_code == 200:
                    return server
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError("the server did not start")


async def make_users(database_url: str, sessions_wanted: int) -> list[str]:
    """Real users (20 viewers, one staff) and real sessions: the console cookies."""
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    users, sessions = UserStore(pool), SessionStore(pool, SystemClock())
    await users.add("staff_bench", "Bench staff", Role.ONSITE_STAFF, PASSWORD)
    viewers = [
        await users.add(f"viewer{i:02d}", f"Viewer {i}", Role.DUTY_OFFICER, PASSWORD)
        for i in range(20)
    ]
    cookies = [
        f"wf_session={(await sessions.create(viewers[i % 20]))[0]}" for i in range(sessions_wanted)
    ]
    await pool.close()
    return cookies


async def staff_client(server: Server) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=server.url, headers={"Origin": server.url}, timeout=30)
    reply = await client.post("/login", data={"username": "staff_bench", "password": PASSWORD})
    assert reply.status_code == 303, reply.text
    page = await client.get("/")
    match = CSRF.search(page.text)
    assert match
    client.headers["X-CSRF-Token"] = match[1]
    return client


@dataclass
class Consoles:
    proc: subprocess.Popen[str]
    out: Path

    async def finish(self) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        await asyncio.get_running_loop().run_in_executor(None, self.proc.wait)
        data: dict[str, Any] = json.loads(self.out.read_text())
        return data


async def start_consoles(
    ws_url: str, n: int, cookies: list[str], origin: str, *, deflate: bool = False
) -> Consoles:
    folder = Path(tempfile.mkdtemp(prefix="wf-bench-"))
    (folder / "cookies.json").write_text(json.dumps(cookies))
    out = folder / "out.json"
    proc = subprocess.Popen(
        [
            PY,
            "-m",
            "bench.consoles",
            ws_url,
            str(n),
            str(folder / "cookies.json"),
            origin,
            str(out),
            *(["deflate"] if deflate else []),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = await asyncio.get_running_loop().run_in_executor(None, proc.stdout.readline)
    assert line.strip() == "ready", line
    return Consoles(proc, out)


def profile(pid: int, seconds: int) -> subprocess.Popen[bytes] | None:
    """With BENCH_PROFILE=FILE, sample the server with py-spy (collapsed stacks) for a while."""
    out = os.environ.get("BENCH_PROFILE")
    if not out:
        return None
    spy = str(Path(sys.executable).parent / "py-spy")
    return subprocess.Popen(
        [
            spy,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(seconds),
            "--rate",
            "250",
            "--format",
            "raw",
            "-o",
            out,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
