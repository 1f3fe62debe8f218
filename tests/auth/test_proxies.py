"""WATCHFLOOR_TRUSTED_PROXIES: empty by default, addresses and networks, a typo refused."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from server.settings import ENVIRONMENT, Settings

WATCHFLOOR = str(Path(sys.executable).parent / "watchfloor")


def test_no_proxy_is_trusted_by_default() -> None:
    """Unset or empty: no forwarding header is believed from anyone, loopback included."""
    assert Settings.from_env({}).trusted_proxies == ()
    assert Settings.from_env({"WATCHFLOOR_TRUSTED_PROXIES": " "}).trusted_proxies == ()
    assert ENVIRONMENT["WATCHFLOOR_TRUSTED_PROXIES"][0] == ""


def test_addresses_and_networks_are_read_in_order() -> None:
    env = {"WATCHFLOOR_TRUSTED_PROXIES": "10.0.0.5, 172.16.0.0/12,::1,fd00::/8"}
    assert Settings.from_env(env).trusted_proxies == (
        "10.0.0.5",
        "172.16.0.0/12",
        "::1",
        "fd00::/8",
    )


@pytest.mark.parametrize("entry", ["*", "proxy.internal", "10.0.0.1/8", "10.0.0.300"])
def test_an_entry_that_is_no_address_or_network_is_refused_by_name(entry: str) -> None:
    """A typo would trust no one, or someone else: the setting is refused, naming the entry."""
    with pytest.raises(ValueError, match="WATCHFLOOR_TRUSTED_PROXIES") as refused:
        Settings.from_env({"WATCHFLOOR_TRUSTED_PROXIES": f"10.0.0.5,{entry}"})
    assert repr(entry) in str(refused.value)


def test_the_server_does_not_start_with_a_bad_entry(tmp_path: Path) -> None:
    """`watchfloor serve` says what is wrong in one line and exits 2, without a traceback."""
    env = {**os.environ, "WATCHFLOOR_TRUSTED_PROXIES": "*", "WATCHFLOOR_DATA": str(tmp_path)}
    done = subprocess.run(
        [WATCHFLOOR, "serve", "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("watchfloor: WATCHFLOOR_TRUSTED_PROXIES: '*'")
    assert "Traceback" not in done.stderr
