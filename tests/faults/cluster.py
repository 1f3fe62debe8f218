"""A private PostgreSQL cluster and a private redis-server, ours to stop, freeze and thaw.

The machine's shared servers are never touched: each fault is done to processes we started.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def pg_bin(name: str) -> str:
    """A PostgreSQL program from the newest installed version (Debian's layout)."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise FileNotFoundError(f"no {name} under /usr/lib/postgresql/*/bin")
    return found[-1]


def run_as() -> str | None:
    """PostgreSQL refuses to run as root: then its programs run as the `postgres` user."""
    return "postgres" if os.geteuid() == 0 else None


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (the postmaster's backends and workers)."""
    kids = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                kids.append(int(stat.split("/")[2]))
    return kids


def listening(port: int, process: subprocess.Popen[bytes], name: str) -> None:
    """Wait until `process` accepts connections on 127.0.0.1:`port`; fail if it exits first."""
    deadline = time.monotonic() + 10
    while True:
        assert process.poll() is None, f"{name} exited"
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
            return
        assert time.monotonic() < deadline, f"{name} did not start"
        time.sleep(0.02)


def ended(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(10)


@dataclass
class Cluster:
    """initdb'd into `folder`, listening on 127.0.0.1:`port`, trust auth for `postgres`."""

    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def db_url(self, name: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, *args: str) -> None:
        subprocess.run(
            args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, user=run_as()
        )

    def _ctl(self, *args: str) -> None:
        self._run(pg_bin("pg_ctl"), "-D", str(self.folder / "data"), *args)

    def init(self) -> None:
        user = run_as()
        if user is not None:
            shutil.chown(self.folder, user)
        self._run(
            pg_bin("initdb"), "-D", str(self.folder / "data"), "-U", "postgres", "-A", "trust"
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder}"
            " -c fsync=off -c synchronous_commit=off -c max_connections=200"
        )
        self._ctl("-o", options, "-l", str(self.folder / "log"), "-w", "start")

    def stop(self) -> None:
        self._ctl("-m", "fast", "-w", "stop")

    def postmaster(self) -> int:
        return int((self.folder / "data" / "postmaster.pid").read_text().split()[0])

    def pids(self) -> list[int]:
        main = self.postmaster()
        return [main, *children(main)]

    @contextlib.contextmanager
    def frozen(self) -> Iterator[None]:
        """SIGSTOP the postmaster first (it forks no more), then every child; SIGCONT after."""
        stopped: list[int] = []
        try:
            for pid in self.pids():
                os.kill(pid, signal.SIGSTOP)
                stopped.append(pid)
            yield
        finally:
            for pid in stopped:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)


@dataclass
class Redis:
    """A redis-server of our own on a free port; `frozen` stops it with SIGSTOP."""

    folder: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        listening(self.port, self.process, "redis-server")

    def stop(self) -> None:
        if self.process is not None:
            ended(self.process)
            self.process = None

    @contextlib.contextmanager
    def frozen(self) -> Iterator[None]:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)
        try:
            yield
        finally:
            self.process.send_signal(signal.SIGCONT)
