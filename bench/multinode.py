"""Two server processes and Redis, consoles split across them; the fan-out figures again,
beside a single node measured in the same run. Prints JSON; never fails on a timing.
Usage: python -m bench.multinode [N]   (default 1000)
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

from bench.common import drop_database, fresh_database, progress, write_result
from bench.fanout import TICKS, latencies, open_incident, post_ticks
from bench.harness import make_users, start_consoles, start_server

REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


async def run(db: str, cookies: list[str], n: int, nodes: int, *, redis: bool) -> dict[str, Any]:
    env = {"REDIS_URL": REDIS} if redis else {}
    servers = [await start_server(db, **env) for _ in range(nodes)]
    try:
        incident = await open_incident(servers[0])
        share = n // nodes
        groups = [
            await start_consoles(s.ws + "?view=board", share, cookies[i * share :], s.url)
            for i, s in enumerate(servers)
        ]
        sent, own = await post_ticks(servers[0], incident, TICKS)
        await asyncio.sleep(1.0)
        results = [(await g.finish())["arrivals"] for g in groups]
        arrivals = [a for r in results for a in r]
        per_node = [latencies(sent, r)["last_console"] for r in results]
        return {
            "nodes": nodes,
            **latencies(sent, arrivals),
            "last_console_per_node": per_node,
            "posts": len(own),
        }
    finally:
        for server in servers:
            server.stop()


async def main(n: int) -> None:
    db = await fresh_database("wf_bench_multi")
    try:
        cookies = await make_users(db, n)
        progress(f"one node, in-process broker, {n} consoles")
        single = await run(db, cookies, n, 1, redis=False)
        progress(f"one node through Redis, {n} consoles")
        via_redis = await run(db, cookies, n, 1, redis=True)
        progress(f"two nodes and Redis, {n} consoles")
        double = await run(db, cookies, n, 2, redis=True)
        # the hand-off itself: the same node and consoles, with and without Redis between
        added = via_redis["last_console"]["p99_ms"] - single["last_console"]["p99_ms"]
        write_result(
            "multinode",
            {
                "single_node": single,
                "single_node_redis": via_redis,
                "two_nodes_redis": double,
                "redis_added_p99_ms": round(added, 3),
                "targets": {"redis_added_p99_ms": 2},
            },
        )
    finally:
        await drop_database(db)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
