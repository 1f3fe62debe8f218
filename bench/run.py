"""`make bench`: run every benchmark in its own process, then one summary table.

Each figure stands beside its target and the baseline measured in the same run.
Results (JSON) are in bench/results/. Nothing here fails on a timing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import RESULTS
from bench.summary import Figure, figure, record

STEPS = [
    ["bench.appends"],
    ["bench.fanout", "100", "1000", "2000"],
    ["bench.connections"],
    ["bench.multinode", "1000"],
    ["bench.export"],
    ["bench.push_bytes", "2000"],
]


def load(name: str) -> dict[str, Any]:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else {}


def dig(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


Row = tuple[str, Callable[[], Any], str, Callable[[], Any]]


def fanout_rows(n: str) -> list[Row]:
    f = lambda *k: dig(load("fanout"), "consoles", n, *k)
    post_ratio = lambda: _ratio(
        f("watchfloor", "post_with_n_consoles", "p99_ms"),
        f("watchfloor", "post_with_1_console", "p99_ms"),
    )
    return [
        (
            f"fan-out {n}: last console p99 ms",
            lambda: f("watchfloor", "last_console", "p99_ms"),
            "≤ 1.2× raw",
            lambda: f("raw_baseline", "last_console", "p99_ms"),
        ),
        (f"fan-out {n}: ratio to raw", lambda: f("last_console_p99_ratio"), "≤ 1.2", lambda: 1.0),
        (
            f"fan-out {n}: first console p99 ms",
            lambda: f("watchfloor", "first_console", "p99_ms"),
            "≤ 8",
            lambda: f("raw_baseline", "first_console", "p99_ms"),
        ),
        (f"fan-out {n}: POST p99 with {n} / with 1", post_ratio, "≤ 1.5", lambda: None),
        (
            f"fan-out {n}: server CPU µs per delivery",
            lambda: f("watchfloor", "server_cpu_us_per_delivery"),
            "≤ 15",
            lambda: None,
        ),
        (
            f"fan-out {n}: every console got every seq once",
            lambda: f("watchfloor", "complete_exactly_once"),
            "true",
            lambda: f("raw_baseline", "complete_exactly_once"),
        ),
    ]


def idle_kib(connections: dict[str, Any]) -> dict[tuple[int, bool, str], Any]:
    """KiB per idle console by (consoles, deflate, path: "lean" or "uvicorn")."""
    return {
        (i["consoles"], i["deflate"], i.get("path", "uvicorn")): i["kib_per_console"]
        for i in connections.get("idle", [])
    }


def _less(a: Any, b: Any) -> Any:
    return round(a - b, 2) if a is not None and b is not None else None


def _ratio(a: Any, b: Any) -> Any:
    return round(a / b, 2) if a and b else None


def rows() -> list[Row]:
    a = lambda *k: dig(load("appends"), *k)
    c = load("connections")
    idle = idle_kib(c)
    m = lambda *k: dig(load("multinode"), *k)
    e = lambda *k: dig(load("export"), *k)
    p = lambda *k: dig(load("push_bytes"), *k)
    return [
        *[r for n in ("100", "1000", "2000") for r in fanout_rows(n)],
        (
            "memory KiB per idle console (1000)",
            lambda: idle.get((1000, False, "lean")),
            "≤ 16",
            lambda: dig(c, "raw_baseline_idle", "kib_per_console"),
        ),
        (
            "memory KiB per idle console (5000)",
            lambda: idle.get((5000, False, "lean")),
            "≤ 16",
            lambda: None,
        ),
        (
            "memory KiB per idle console, deflate",
            lambda: idle.get((1000, True, "lean")),
            "report",
            lambda: None,
        ),
        (
            "memory KiB per idle console on uvicorn's /ws (1000)",
            lambda: idle.get((1000, False, "uvicorn")),
            "report",
            lambda: idle.get((1000, False, "lean")),
        ),
        (
            "reconnect storm 1000: seconds",
            lambda: dig(c, "reconnect_storm", "seconds_to_last_resync"),
            "≤ 5",
            lambda: None,
        ),
        (
            "reconnect storm: all resynced",
            lambda: dig(c, "reconnect_storm", "all_resynced_nothing_missed"),
            "true",
            lambda: None,
        ),
        (
            "appends, 100 incidents: events/s",
            lambda: a("hundred_incidents", "events_per_s"),
            "≥ 0.7× plain INSERT",
            lambda: a("baseline_plain_insert", "events_per_s"),
        ),
        (
            "appends, 100 incidents: p99 ms",
            lambda: a("hundred_incidents", "p99_ms"),
            "≤ 10",
            lambda: a("baseline_plain_insert", "p99_ms"),
        ),
        (
            "appends, one incident: events/s",
            lambda: a("one_incident", "events_per_s"),
            "report",
            lambda: a("hundred_incidents", "events_per_s"),
        ),
        ("appends: ratio to plain INSERT", lambda: a("ratio_to_baseline"), "≥ 0.7", lambda: 1.0),
        (
            "multinode: Redis adds p99 ms (one node)",
            lambda: m("redis_added_p99_ms"),
            "≤ 2",
            lambda: m("single_node", "last_console", "p99_ms"),
        ),
        (
            "multinode: two nodes, last console p99 ms",
            lambda: m("two_nodes_redis", "last_console", "p99_ms"),
            "report",
            lambda: m("single_node", "last_console", "p99_ms"),
        ),
        (
            "export 10,000 events: JSON s (redacted)",
            lambda: e("seconds", "json_redacted"),
            "≤ 0.3",
            lambda: e("seconds", "baseline_json_dumps"),
        ),
        (
            "export 10,000 events: JSON s (full)",
            lambda: e("seconds", "json_full"),
            "≤ 0.3",
            lambda: e("seconds", "baseline_json_dumps"),
        ),
        ("export 10,000 events: PDF s", lambda: e("seconds", "pdf_redacted"), "≤ 5", lambda: None),
        (
            "bytes pushed per command, median (mix)",
            lambda: p("push_bytes_per_event_median"),
            "≤ 1500",
            lambda: p("snapshot_bytes_median"),
        ),
        (
            "bytes pushed per command, p99 (mix)",
            lambda: p("push_bytes_per_event_p99"),
            "report",
            lambda: None,
        ),
        (
            "bytes pushed for a note",
            lambda: p("by_command_median", "AddNote"),
            "≤ 1500",
            lambda: None,
        ),
    ]


def table() -> str:
    lines = [f"{'figure':52} {'measured':>10}  {'target':>10}  {'baseline':>10}", "-" * 88]
    for label, value, target, baseline in rows():
        lines.append(f"{label:52} {_fmt(value()):>10}  {target:>10}  {_fmt(baseline()):>10}")
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    return "–" if value is None else str(value)


def summary_figures() -> dict[str, Figure]:
    """The issue's named figures from the benchmarks that write only their own file (the
    appends and bytes pushed record theirs themselves)."""
    f = lambda n, *k: dig(load("fanout"), "consoles", n, *k)
    c = load("connections")
    idle = idle_kib(c)
    e = lambda *k: dig(load("export"), "seconds", *k)
    post = lambda n: _ratio(
        f(n, "watchfloor", "post_with_n_consoles", "p99_ms"),
        f(n, "watchfloor", "post_with_1_console", "p99_ms"),
    )
    return {
        **{
            f"fanout_{n}_last_p99_ratio": figure(f(n, "last_console_p99_ratio"), 1.2, 1.0)
            for n in ("100", "1000", "2000")
        },
        "post_p99_ratio_1000": figure(post("1000"), 1.5, 1.0),
        "post_p99_ratio_2000": figure(post("2000"), 1.5, 1.0),
        "tick_post_p50_ms": figure(
            f("100", "watchfloor", "post_with_1_console", "p50_ms"), 3, None
        ),
        "cpu_us_per_delivery_1000": figure(
            f("1000", "watchfloor", "server_cpu_us_per_delivery"),
            15,
            f("1000", "raw_baseline", "server_cpu_us_per_delivery"),
        ),
        # the same, less what those seconds cost with no one writing (heartbeats, workers,
        # the lag sampler): what delivering itself costs (bench/README.md, "Fan-out")
        "cpu_us_per_delivery_1000_net_of_idle": figure(
            _less(
                f("1000", "watchfloor", "server_cpu_us_per_delivery"),
                f("1000", "watchfloor", "server_idle_cpu_us_per_delivery"),
            ),
            15,
            f("1000", "raw_baseline", "server_cpu_us_per_delivery"),
        ),
        "fanout_100_first_p99_ms": figure(
            f("100", "watchfloor", "first_console", "p99_ms"),
            8,
            f("100", "raw_baseline", "first_console", "p99_ms"),
        ),
        "rss_kib_per_idle_console": figure(
            idle.get((1000, False, "lean")), 16, dig(c, "raw_baseline_idle", "kib_per_console")
        ),
        "rss_kib_per_idle_console_uvicorn": figure(
            idle.get((1000, False, "uvicorn")), 16, idle.get((1000, False, "lean"))
        ),
        "raw_rss_kib_per_idle_console": figure(
            dig(c, "raw_baseline_idle", "kib_per_console"), 16, None
        ),
        "loop_lag_p99_ms": figure(dig(load("fanout"), "loop_lag_p99_ms"), 5, None),
        "pdf_10k_s": figure(e("pdf_redacted"), 5, None),
        "json_10k_s": figure(e("json_redacted"), 0.3, e("baseline_json_dumps")),
    }


def main() -> int:
    for step in STEPS:
        module = step[0]
        if not (Path(__file__).parent / f"{module.split('.')[1]}.py").exists():
            print(f"skipped {module}: not written yet", file=sys.stderr)
            continue
        print(f"== {' '.join(step)}", file=sys.stderr, flush=True)
        done = subprocess.run([sys.executable, "-m", *step], stdout=subprocess.DEVNULL, check=False)
        if done.returncode:
            print(f"{module} exited {done.returncode}", file=sys.stderr)
    record(summary_figures())
    summary = table()
    (RESULTS / "summary.txt").write_text(summary + "\n")
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
