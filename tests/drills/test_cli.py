"""`watchfloor drill run playbooks/drills/<script> --speed N --auto` finishes and prints its review.

Run at --speed 600 here (a 22-minute script takes about 2 s) to keep the suite fast; the
speed-60 run against real receivers is tests/drills/test_drill_run.py. Messages go to the
log (WATCHFLOOR_NOTIFY_MODE=log): the packaged units' drill contacts are the log anyway.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from playbooks.drill_loader import drills_dir

WATCHFLOOR = str(Path(sys.executable).parent / "watchfloor")
SCRIPTS = sorted(p.name for p in drills_dir().glob("*.yaml"))


def drill(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "WATCHFLOOR_LOG_LEVEL": "warning",
        "WATCHFLOOR_NOTIFY_MODE": "log",
        "WATCHFLOOR_NOTIFY_POLL": "0.2",
    }
    return subprocess.run(
        [WATCHFLOOR, "drill", "run", *args], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("script", SCRIPTS)
def test_each_shipped_script_runs_to_its_end_and_prints_its_review(
    database_url: str, script: str
) -> None:
    done = drill(database_url, f"playbooks/drills/{script}", "--speed", "600", "--auto")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("# 演练评估: ")
    assert "| 首报 |" in out and "## 未回执的通报及升级处理" in out
    assert "这是该脚本的第一次演练" in out
    again = drill(database_url, script.removesuffix(".yaml"), "--speed", "600", "--auto")
    assert again.returncode == 0, again.stderr
    assert "这是该脚本的第一次演练" not in again.stdout  # beside the previous run now
    previous = [
        line.rsplit("|", 2)[-2].strip()
        for line in again.stdout.splitlines()
        if line.startswith("| 首报 |")
    ]
    assert previous and previous[0] != "—"


def test_a_malformed_script_is_refused_with_file_line_col(
    database_url: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: bad\nversion: 1\ntitle: {zh: 坏, en: bad}\n"
        "incident: {type: medical, location: 大厅, headcount: 1, summary: 晕倒}\n"
        "injects:\n  - at: 1m\n    do: nod\n    play: auto\nends: 2m\n",
        "utf-8",
    )
    done = drill(database_url, str(bad), "--speed", "60", "--auto")
    assert done.returncode == 1 and done.stdout == ""
    assert f"{bad}:7:9: injects[0].do: 'nod' is not a valid inject" in done.stderr
