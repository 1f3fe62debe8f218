"""`watchfloor roster` and the demo's duty, run as a person would run them."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.test_cli import cli


async def test_the_demo_puts_commander1_and_duty1_on_duty_once(database_url: str) -> None:
    """Seeded twice, the roster lists commander1 leading and duty1 watching, one shift each."""
    for _ in range(2):
        assert cli(database_url, "demo", "--seed-only").returncode == 0
    listed = cli(database_url, "roster", "list")
    assert listed.returncode == 0, listed.stderr
    assert "on duty now: leader commander1; officers duty1" in listed.stdout
    assert listed.stdout.count("* ") == 2


async def test_roster_add_puts_a_user_on_duty_and_refuses_a_stranger(database_url: str) -> None:
    """Adding staff1 from an hour ago shows them on duty; an unknown user exits 1."""
    assert cli(database_url, "demo", "--seed-only").returncode == 0
    now = datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None, microsecond=0)
    span = [(now - timedelta(hours=1)).isoformat(), (now + timedelta(hours=2)).isoformat()]
    added = cli(
        database_url,
        "roster",
        "add",
        "staff1",
        "--role",
        "officer",
        "--from",
        span[0],
        "--to",
        span[1],
    )
    assert added.returncode == 0 and "added" in added.stdout, added.stderr
    officers = cli(database_url, "roster", "list").stdout.rsplit("officers ", 1)[1]
    assert set(officers.strip().split(", ")) == {"duty1", "staff1"}
    refused = cli(
        database_url,
        "roster",
        "add",
        "ghost",
        "--role",
        "leader",
        "--from",
        span[0],
        "--to",
        span[1],
    )
    assert refused.returncode == 1 and "no user ghost" in refused.stderr
