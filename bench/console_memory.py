"""Where an idle console's memory goes: the server in this process under tracemalloc, N
consoles from another process, the Python allocations they added, by file. Prints JSON.

Usage: python -m bench.console_memory [N [PATH]]   (N idle board consoles, default 500, on
PATH "lean" (the console port, default) or "uvicorn")

Run on its own, not in `make bench`: tracing slows the server several times over. The RSS
figure per console is bench/connections.py's; this says which layers hold it.
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import tracemalloc
from typing import Any

import httpx
import uvicorn

from bench.common import drop_database, fresh_database, progress, write_result
from bench.harness import BENCH_SECRET_KEY, free_port, make_users, start_consoles

TOP = 25


def _where(filename: str) -> str:
    for marker in ("site-packages/", "python3.11/", "/work/main/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def by_file(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot, n: int) -> dict[str, Any]:
    diff = after.compare_to(before, "filename")
    return {
        "kib_per_console": round(sum(d.size_diff for d in diff) / n / 1024, 2),
        "by_file_kib_per_console": {
            _where(d.traceback[0].filename): round(d.size_diff / n / 1024, 2) for d in diff[:TOP]
        },
    }


async def _serve(
    database_url: str, console_port: int | None
) -> tuple[uvicorn.Server, asyncio.Task[None], str]:
    port = free_port()
    if console_port is not None:  # the lean console port, as deployed (server/live/lean.py)
        os.environ["WATCHFLOOR_CONSOLE_PORT"] = str(console_port)
        os.environ["WATCHFLOOR_ORIGINS"] = f"http://127.0.0.1:{port}"
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "WATCHFLOOR_LOG_LEVEL": "warning",
            "WATCHFLOOR_ENV": "production",
            "WATCHFLOOR_SECRET_KEY": BENCH_SECRET_KEY,
            "WATCHFLOOR_NOTIFY_WORKERS": "off",
        }
    )
    from server.app import create_app  # after the environment: settings read it
    from server.cli import server_config
    from server.logs import configure_logging
    from server.settings import Settings

    settings = Settings.from_env()
    configure_logging(production=True, level="warning")
    server = uvicorn.Server(server_config(create_app(settings), settings, "127.0.0.1", port))
    task = asyncio.create_task(server.serve())
    url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient() as probe:
        for _ in range(400):
            try:
                if (await probe.get(url + "/readyz")).status_code == 200:
                    return server, task, url
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError("the server did not start")


async def main(n: int, path: str) -> None:
    db = await fresh_database("wf_bench_consmem")
    try:
        cookies = await make_users(db, n)
        console_port = free_port() if path == "lean" else None
        server, task, url = await _serve(db, console_port)
        ws = url.replace("http", "ws", 1) + "/ws?view=board"
        if console_port is not None:
            ws = f"ws://127.0.0.1:{console_port}/ws?view=board"
        warm = await start_consoles(ws, 20, cookies, url)  # lazy caches filled first
        await asyncio.sleep(1)
        await warm.finish()
        await asyncio.sleep(1)
        gc.collect()
        tracemalloc.start(1)
        before = tracemalloc.take_snapshot()
        progress(f"{n} idle consoles")
        consoles = await start_consoles(ws, n, cookies, url)
        await asyncio.sleep(2)
        gc.collect()
        after = tracemalloc.take_snapshot()
        tracemalloc.stop()
        await consoles.finish()
        server.should_exit = True
        await task
        write_result("console_memory", {"consoles": n, "path": path, **by_file(before, after, n)})
    finally:
        await drop_database(db)


if __name__ == "__main__":
    args = sys.argv[1:]
    asyncio.run(main(int(args[0]) if args else 500, args[1] if len(args) > 1 else "lean"))
