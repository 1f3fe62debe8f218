"""Fan-out: N consoles over real WebSockets in another process, on the lean console port
(as deployed: server/live/lean.py); ticks posted over HTTP, 100 ms apart; the time from
sending the POST to each console receiving its fragment.

Baseline in the same run: a bare `websockets` server broadcasting a frame of the same size
to the same N clients (bench/raw_broadcast.py). Each p99 is over TICKS ticks (1,000 unless
BENCH_TICKS says); each size is run RUNS times, raw and ours interleaved, and the median run
(by the ratio of their last-console p99s) is reported with every run's ratio beside it. The
POST with one console watching is measured once, TICKS times, for every size's ratio.
Prints JSON; never fails on a timing.
Usage: python -m bench.fanout [N ...]   (default 100 1000 2000)
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from bench.common import drop_database, fresh_database, percentiles, progress, write_result
from bench.harness import (
    PY,
    Server,
    cpu_seconds,
    free_port,
    make_users,
    profile,
    rss_kib,
    staff_client,
    start_consoles,
    start_server,
)
from server.loop_lag import read_gc_pauses, read_samples

TICKS = int(os.environ.get("BENCH_TICKS", "1000"))  # samples for each p99
GAP, RUNS = 0.1, 3


async def open_incident(server: Server) -> str:
    client = await staff_client(server)
    # on-site staff may not open incidents: sign in as a duty officer (viewer00 is one)
    duty = await _duty(server)
    reply = await duty.post(
        "/incidents",
        json={"type": "medical", "location": "大厅", "headcount": 1, "summary": "bench"},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    await duty.aclose()
    await client.aclose()
    return str(reply.json()["incident_id"])


async def _duty(server: Server) -> Any:
    import httpx

    from bench.harness import CSRF, PASSWORD

    client = httpx.AsyncClient(base_url=server.url, headers={"Origin": server.url}, timeout=30)
    await client.post("/login", data={"username": "viewer00", "password": PASSWORD})
    match = CSRF.search((await client.get("/")).text)
    assert match
    client.headers["X-CSRF-Token"] = match[1]
    return client


async def post_ticks(
    server: Server, incident: str, count: int, client: httpx.AsyncClient | None = None
) -> tuple[dict[int, int], list[float]]:
    """Tick and untick one item, GAP apart: seq -> send time (ns), and each POST's own time.
    Signed in before the ticks when given `client`: the sign-in's password hash is no part
    of the fan-out's CPU."""
    client = client or await staff_client(server)
    sent: dict[int, int] = {}
    own: list[float] = []
    for n in range(count):
        verb = "tick" if n % 2 == 0 else "untick"
        started = time.monotonic_ns()
        reply = await client.post(
            f"/incidents/{incident}/items/clear_the_way/{verb}",
            json={"reason": "bench"} if verb == "untick" else {},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        own.append((time.monotonic_ns() - started) / 1e9)
        assert reply.status_code == 201, reply.text
        sent[reply.json()["last_seq"]] = started
        await asyncio.sleep(GAP)
    await client.aclose()
    return sent, own


def latencies(sent: dict[int, int], arrivals: list[list[tuple[int, int]]]) -> dict[str, Any]:
    """Every delivery, the first and the last console per tick, and completeness."""
    every, first, last = [], [], []
    complete = True
    for seq, t0 in sent.items():
        times = []
        for console in arrivals:
            got = [t for s, t in console if s == seq]
            complete &= len(got) == 1
            times += [(t - t0) / 1e9 for t in got]
        if times:
            every += times
            first.append(min(times))
            last.append(max(times))
    return {
        "every": percentiles(every),
        "first_console": percentiles(first),
        "last_console": percentiles(last),
        "complete_exactly_once": complete,
    }


async def watchfloor_run(n: int, cookies: list[str], db: str) -> dict[str, Any]:
    lag_file = Path(tempfile.mkdtemp(prefix="wf-lag-")) / "lag.json"
    # N consoles connecting at once are N session lookups at once: on a busy machine they
    # outwait the 0.5 s an interactive request may, and the retries never settle. Measured
    # here is the fan-out, so the database may take its time.
    server = await start_server(
        db,
        WATCHFLOOR_LOOP_LAG_FILE=str(lag_file),
        WATCHFLOOR_DB_ACQUIRE_TIMEOUT="10",
        WATCHFLOOR_DB_COMMAND_TIMEOUT="10",
    )
    try:
        incident = await open_incident(server)
        rss_before = rss_kib(server.proc.pid)
        consoles = await start_consoles(server.ws + "?view=board", n, cookies, server.url)
        rss_after = rss_kib(server.proc.pid)
        staff = await staff_client(server)
        idle_rate = await idle_cpu_rate(server)
        cpu0 = cpu_seconds(server.proc.pid)
        spy = profile(server.proc.pid, int(TICKS * GAP))
        window = [time.monotonic()]
        sent, own = await post_ticks(server, incident, TICKS, staff)
        window.append(time.monotonic())
        if spy is not None:
            spy.wait(60)
        await asyncio.sleep(1.0)
        cpu = cpu_seconds(server.proc.pid) - cpu0
        idle = idle_rate * (window[1] - window[0] + 1.0)
        data = await consoles.finish()
        result = latencies(sent, data["arrivals"])
    finally:
        server.stop()
    lags = read_samples(lag_file, *window)
    pauses = read_gc_pauses(lag_file, *window)
    return {
        **result,
        "post_with_n_consoles": percentiles(own),
        "server_cpu_us_per_delivery": round(cpu / (len(sent) * n) * 1e6, 2),
        # what the same seconds cost with nobody writing: heartbeats, workers, the lag sampler
        "server_idle_cpu_us_per_delivery": round(idle * 1e6 / (len(sent) * n), 2),
        "rss_kib_per_idle_console": round((rss_after - rss_before) / n, 2),
        # the server's event loop while the ticks fan out (server/loop_lag.py): how late it
        # woke, and how much of that its own thread was running
        "loop_lag": percentiles([s.late for s in lags]),
        "loop_busy": percentiles([s.busy for s in lags]),
        # the garbage collector's collections meanwhile: the full ones (generation 2) alone
        "gc_full_collections": percentiles([p.seconds for p in pauses if p.generation == 2]),
        "gc_longest_ms": round(max((p.seconds for p in pauses), default=0.0) * 1000, 3),
    }


IDLE_SECONDS = 5.0


async def idle_cpu_rate(server: Server) -> float:
    """CPU seconds per second the server spends with its consoles idle: heartbeats, the
    periodic workers and the lag sampler, which the fan-out's CPU includes too."""
    cpu0, t0 = cpu_seconds(server.proc.pid), time.monotonic()
    await asyncio.sleep(IDLE_SECONDS)
    return (cpu_seconds(server.proc.pid) - cpu0) / (time.monotonic() - t0)


async def single_console_posts(cookies: list[str], db: str) -> dict[str, Any]:
    """A tick's POST with one console watching: the denominator of every size's ratio."""
    server = await start_server(db)
    try:
        incident = await open_incident(server)
        one = await start_consoles(server.ws + "?view=board", 1, cookies, server.url)
        _, own = await post_ticks(server, incident, TICKS)
        await one.finish()
    finally:
        server.stop()
    return percentiles(own)


async def raw_run(n: int, size: int) -> dict[str, Any]:
    port = free_port()
    out = Path(tempfile.mkdtemp(prefix="wf-raw-")) / "sent.json"
    proc = subprocess.Popen(
        [
            PY,
            "-m",
            "bench.raw_broadcast",
            str(port),
            str(size),
            str(TICKS),
            str(int(GAP * 1000)),
            str(out),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdout.readline()
    consoles = await start_consoles(f"ws://127.0.0.1:{port}/", n, ["x=1"], "http://x")
    cpu0 = cpu_seconds(proc.pid)
    proc.stdin.write("go\n")
    proc.stdin.flush()
    while not out.exists():
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)
    cpu = cpu_seconds(proc.pid) - cpu0
    sent = {int(k): v for k, v in json.loads(out.read_text()).items()}
    data = await consoles.finish()
    proc.stdin.write("stop\n")
    proc.stdin.close()
    proc.wait(10)
    # the floor for the server's CPU: the frame's bytes written to each socket, nothing else
    cpu_us = round(cpu / (len(sent) * n) * 1e6, 2)
    return {**latencies(sent, data["arrivals"]), "server_cpu_us_per_delivery": cpu_us}


def worst(runs: dict[str, Any], figure: str, of: str = "loop_lag") -> float | None:
    lags = [r["watchfloor"][of].get(figure) for r in runs.values()]
    return max((x for x in lags if x is not None), default=None)


async def trial(n: int, cookies: list[str], db: str, single: dict[str, Any]) -> dict[str, Any]:
    progress(f"raw websockets broadcast to {n}")
    raw = await raw_run(n, 900)
    progress(f"watchfloor fan-out to {n}")
    ours = await watchfloor_run(n, cookies, db)
    ours["post_with_1_console"] = single
    ratio = ours["last_console"].get("p99_ms", 0) / max(raw["last_console"].get("p99_ms", 1), 1e-9)
    return {"watchfloor": ours, "raw_baseline": raw, "last_console_p99_ratio": round(ratio, 2)}


def median_run(trials: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(trials, key=lambda t: float(t["last_console_p99_ratio"]))
    return {**ordered[len(ordered) // 2], "runs": [t["last_console_p99_ratio"] for t in trials]}


async def main(sizes: list[int]) -> None:
    db = await fresh_database("wf_bench_fanout")
    runs = {}
    try:
        cookies = await make_users(db, max(sizes))
        progress(f"a tick's POST with one console watching, {TICKS} times")
        single = await single_console_posts(cookies, db)
        for n in sizes:
            runs[str(n)] = median_run([await trial(n, cookies, db, single) for _ in range(RUNS)])
    finally:
        await drop_database(db)
    write_result(
        "fanout",
        {
            "consoles": runs,
            "ticks": TICKS,
            "runs_per_size": RUNS,
            "gap_ms": GAP * 1000,
            # the worst size's: the loop's lag while its ticks fanned out, workers running
            "loop_lag_p99_ms": worst(runs, "p99_ms"),
            "loop_lag_max_ms": worst(runs, "max_ms"),
            "loop_busy_p99_ms": worst(runs, "p99_ms", "loop_busy"),
            "loop_busy_max_ms": worst(runs, "max_ms", "loop_busy"),
            "targets": {
                "loop_lag_p99_ms": 5,
                "last_console_p99_ratio": 1.2,
                "first_console_p99_ms": 8,
                "post_p99_ratio_n_to_1": 1.5,
                "server_cpu_us_per_delivery": 15,
                "rss_kib_per_idle_console": 16,
            },
        },
    )


if __name__ == "__main__":
    asyncio.run(main([int(a) for a in sys.argv[1:]] or [100, 1000, 2000]))
