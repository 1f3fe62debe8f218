"""A separate process holding N console WebSockets; it records when each message arrives.

Usage: python -m bench.consoles URL N COOKIES_FILE ORIGIN OUT_FILE [deflate]
Prints "ready" once every socket has its snapshot; stops and writes OUT_FILE (JSON) when
its stdin closes. Reconnects like a browser (backoff with jitter) and counts resyncs.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import sys
import time
from pathlib import Path

import websockets

SEQ = re.compile(rb'data-seq="(\d+)"')
SNAPSHOT = re.compile(rb'data-snapshot="[^"]*?:(\d+)')


class Recorder:
    def __init__(self, n: int) -> None:
        self.arrivals: list[list[tuple[int, int]]] = [[] for _ in range(n)]  # (seq, t_ns)
        self.snapshots: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        self.ready = asyncio.Event()
        self.waiting = n

    def snapshot(self, i: int, seq: int) -> None:
        first = not self.snapshots[i]
        self.snapshots[i].append((seq, time.monotonic_ns()))
        if first:
            self.waiting -= 1
            if self.waiting == 0:
                self.ready.set()


async def console(url: str, i: int, cookie: str, origin: str, rec: Recorder) -> None:
    attempt = 0
    while True:
        try:
            async with websockets.connect(
                url,
                origin=origin,
                compression=None,  # type: ignore[arg-type]
                additional_headers={"Cookie": cookie},
                open_timeout=30,
                max_queue=None,
            ) as ws:
                attempt = 0
                async for raw in ws:
                    data = raw if isinstance(raw, bytes) else raw.encode()
                    now = time.monotonic_ns()
                    tail = data[data.rfind(b'<span id="wf-seq"') :]  # it ends every message
                    if b"data-snapshot" in tail:
                        m = SNAPSHOT.search(tail)
                        rec.snapshot(i, int(m[1]) if m else 0)
                    elif m := SEQ.search(tail):
                        rec.arrivals[i].append((int(m[1]), now))
        except (OSError, websockets.WebSocketException):
            attempt += 1
            await asyncio.sleep(random.uniform(0, min(2.0, 0.05 * 2**attempt)))


async def main(url: str, n: int, cookies: list[str], origin: str, out: Path) -> None:
    rec = Recorder(n)
    tasks = []
    for i in range(n):
        tasks.append(asyncio.create_task(console(url, i, cookies[i % len(cookies)], origin, rec)))
        if i % 50 == 49:
            await asyncio.sleep(0.01)  # a realistic ramp, not a SYN flood
    await rec.ready.wait()
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    for task in tasks:
        task.cancel()
    out.write_text(json.dumps({"arrivals": rec.arrivals, "snapshots": rec.snapshots}))


COMPRESSION = "deflate" if "deflate" in sys.argv[6:] else None

if __name__ == "__main__":
    url, n, cookie_file, origin, out = sys.argv[1:6]
    cookies = json.loads(Path(cookie_file).read_text())
    asyncio.run(main(url, int(n), cookies, origin, Path(out)))
