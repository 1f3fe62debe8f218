"""The floor: a bare `websockets` server broadcasting one frame of a given size to every client.

Usage: python -m bench.raw_broadcast PORT SIZE COUNT GAP_MS OUT_FILE
Waits for a line on stdin (clients connected), then broadcasts COUNT frames GAP_MS apart,
each marked with its seq, and writes the send times (monotonic ns) to OUT_FILE.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from websockets.asyncio.server import broadcast, serve


async def main(port: int, size: int, count: int, gap_ms: int, out: Path) -> None:
    clients = set()

    async def handler(ws) -> None:  # type: ignore[no-untyped-def]
        await ws.send('<span id="wf-seq" data-snapshot="x:0"></span>')
        clients.add(ws)
        try:
            await ws.wait_closed()
        finally:
            clients.discard(ws)

    async with serve(handler, "127.0.0.1", port, compression=None):
        print("listening", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        sent = {}
        for seq in range(1, count + 1):
            head = f'<span id="wf-seq" data-prev="{seq - 1}" data-seq="{seq}"></span>'
            frame = head + "x" * max(0, size - len(head))
            sent[seq] = time.monotonic_ns()
            broadcast(clients, frame)
            await asyncio.sleep(gap_ms / 1000)
        out.write_text(json.dumps(sent))
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)


if __name__ == "__main__":
    port, size, count, gap, out = sys.argv[1:6]
    asyncio.run(main(int(port), int(size), int(count), int(gap), Path(out)))
