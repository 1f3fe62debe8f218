"""The link-signing key: production refuses to start without one; nodes sharing a key accept
each other's links; a rotation keeps old links working until they expire, and no longer."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from server.notify.delivery import Delivery
from server.notify.secret import SecretKeyError, check_keys, load_keys
from server.notify.tokens import AckClaim, TokenRefused, issue, verify
from server.settings import Settings
from tests.live.conftest import Live, serve_live
from tests.notify.conftest import free_port_number
from tests.notify.test_ack_live import open_self_harm

WATCHFLOOR = str(Path(sys.executable).parent / "watchfloor")
OLD = "old-key-before-the-rotation-0123456789"
NEW = "new-key-after-the-rotation-0123456789"
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
# No database answers here: a console that went past the key check would fail at once on it.
NO_DATABASE = "postgresql://postgres@127.0.0.1:9/none"


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The installed `watchfloor`, with none of this shell's signing keys."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("WATCHFLOOR_SECRET_KEY")}
    return subprocess.run(
        [WATCHFLOOR, *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_without_a_key_refuses_to_start(tmp_path: Path) -> None:
    """`watchfloor serve` in production with no key exits 2, saying what is missing and how to
    make one, without a traceback."""
    port = str(free_port_number())
    env = {"WATCHFLOOR_ENV": "production", "DATABASE_URL": NO_DATABASE}
    done = run_cli("serve", "--port", port, WATCHFLOOR_DATA=str(tmp_path), **env)
    assert done.returncode == 2, done.stderr
    assert "WATCHFLOOR_SECRET_KEY is not set" in done.stderr
    assert "watchfloor secret new" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "secret_key").exists()  # no node-local key was made


@pytest.mark.parametrize("name", ["WATCHFLOOR_SECRET_KEY", "WATCHFLOOR_SECRET_KEY_OLD"])
def test_a_short_key_is_refused(name: str, tmp_path: Path) -> None:
    """A key under 32 characters, current or old, stops the start; the key is never echoed."""
    env = {"WATCHFLOOR_SECRET_KEY": NEW, name: "short-key-12345", "DATABASE_URL": NO_DATABASE}
    done = run_cli("serve", "--port", str(free_port_number()), WATCHFLOOR_DATA=str(tmp_path), **env)
    assert done.returncode == 2, done.stderr
    assert f"{name} holds a key of 15 characters" in done.stderr and "at least 32" in done.stderr
    assert "short-key-12345" not in done.stderr and "Traceback" not in done.stderr


def test_secret_new_prints_a_fresh_key_production_accepts() -> None:
    """`watchfloor secret new` prints a new, long enough key every time."""
    first, second = (run_cli("secret", "new").stdout.strip() for _ in range(2))
    assert first != second and len(first) >= 32 and "," not in first
    check_keys(Settings.from_env({"WATCHFLOOR_ENV": "production", "WATCHFLOOR_SECRET_KEY": first}))


def keys(env: Mapping[str, str]) -> tuple[bytes, ...]:
    return load_keys(Settings.from_env({"WATCHFLOOR_DATA": "/nonexistent", **env})).accepted


def claim(expires: datetime) -> AckClaim:
    return AckClaim(uuid.uuid4(), "tell_police", 7, expires)


def test_an_old_key_verifies_until_removed_and_never_past_expiry() -> None:
    """After a rotation a link signed with the old key opens; once the old key is dropped from
    WATCHFLOOR_SECRET_KEY_OLD it is refused; an expired one is refused either way."""
    c = claim(NOW + timedelta(hours=1))
    link = issue(OLD.encode(), c)
    rotated = {"WATCHFLOOR_SECRET_KEY": NEW, "WATCHFLOOR_SECRET_KEY_OLD": f"older-{OLD}, {OLD}"}
    assert verify(keys(rotated), link, NOW) == c
    with pytest.raises(TokenRefused, match="forged"):
        verify(keys({"WATCHFLOOR_SECRET_KEY": NEW}), link, NOW)
    expired = issue(OLD.encode(), claim(NOW - timedelta(seconds=1)))
    with pytest.raises(TokenRefused, match="expired"):
        verify(keys(rotated), expired, NOW)


def test_new_links_are_signed_with_the_current_key_only() -> None:
    """The old key never signs: a node that has dropped it opens every link made after."""
    loaded = load_keys(
        Settings.from_env({"WATCHFLOOR_SECRET_KEY": NEW, "WATCHFLOOR_SECRET_KEY_OLD": OLD})
    )
    assert loaded.current == NEW.encode() and loaded.previous == (OLD.encode(),)


def test_production_with_a_key_needs_no_data_folder(tmp_path: Path) -> None:
    """A configured key is used as it is; no key file is written beside the data."""
    env = {"WATCHFLOOR_ENV": "production", "WATCHFLOOR_SECRET_KEY": NEW}
    assert load_keys(Settings.from_env({**env, "WATCHFLOOR_DATA": str(tmp_path)})).current == (
        NEW.encode()
    )
    assert not (tmp_path / "secret_key").exists()
    with pytest.raises(SecretKeyError, match="not set"):
        check_keys(Settings.from_env({"WATCHFLOOR_ENV": "production"}))


async def police_delivery(live: Live, incident: str) -> Delivery:
    row = await live.pool.fetchrow(
        "SELECT * FROM notification_outbox WHERE incident_id = $1 AND notification = $2 LIMIT 1",
        uuid.UUID(incident),
        "tell_police",
    )
    return Delivery.from_row(row)


async def opened_by(live: Live, url: str) -> int:
    """The status a unit's phone gets for the link `url`, asked of `live`."""
    path = "/ack/" + url.rpartition("/ack/")[2]
    async with httpx.AsyncClient(base_url=live.url) as phone:
        return (await phone.get(path)).status_code


async def test_two_nodes_with_one_key_open_each_others_links(
    database_url: str, tmp_path: Path
) -> None:
    """A link in a message node A sent opens on node B (its own data folder), and back."""
    env = {"WATCHFLOOR_ENV": "production", "WATCHFLOOR_SECRET_KEY": NEW}
    a_port, b_port = free_port_number(), free_port_number()
    async with (
        serve_live(database_url, a_port, tmp_path / "a", **env) as a,
        serve_live(database_url, b_port, tmp_path / "b", **env) as b,
    ):
        _, incident = await open_self_harm(a)
        delivery = await police_delivery(a, incident)
        now = datetime.now(UTC)
        from_a = a.app.state.services.notifier.composer.ack_url(delivery, now)
        from_b = b.app.state.services.notifier.composer.ack_url(delivery, now)
        assert await opened_by(b, from_a) == 200
        assert await opened_by(a, from_b) == 200


async def test_a_rotated_node_opens_old_links_until_the_old_key_is_removed(
    database_url: str, tmp_path: Path
) -> None:
    """A message sent before the rotation opens on the rotated node; an expired one and, once
    WATCHFLOOR_SECRET_KEY_OLD is emptied, every old one answers as refused."""
    async with serve_live(
        database_url, free_port_number(), tmp_path, WATCHFLOOR_SECRET_KEY=OLD
    ) as before:
        _, incident = await open_self_harm(before)
        delivery = await police_delivery(before, incident)
        composer = before.app.state.services.notifier.composer
        sent = composer.ack_url(delivery, datetime.now(UTC))
        stale = composer.ack_url(delivery, datetime.now(UTC) - timedelta(days=2))
    rotated = {"WATCHFLOOR_SECRET_KEY": NEW, "WATCHFLOOR_SECRET_KEY_OLD": OLD}
    async with serve_live(database_url, free_port_number(), tmp_path, **rotated) as after:
        assert await opened_by(after, sent) == 200
        assert await opened_by(after, stale) == 410  # expired
    async with serve_live(
        database_url, free_port_number(), tmp_path, WATCHFLOOR_SECRET_KEY=NEW
    ) as done:
        assert await opened_by(done, sent) == 403  # forged: no key it holds signed it
