"""docker-compose.yml runs the topology the proxy test runs: there is no container engine
here, so what the compose file promises is read from it and held to the same files."""

from __future__ import annotations

from typing import Any

import yaml

from tests.deploy.proxy import NAMES, ROOT, TEMPLATE

NODES = ("app1", "app2")


def services() -> dict[str, Any]:
    found: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    return found


def test_the_proxy_renders_the_one_template_with_every_name_it_holds() -> None:
    """nginx mounts server/deploy/nginx.conf.template as its whole nginx.conf, and sets each
    name the template holds; it is the only service with a published port."""
    proxy = services()["proxy"]
    relative = TEMPLATE.relative_to(ROOT)
    assert f"./{relative}:/etc/nginx/templates/nginx.conf.template:ro" in proxy["volumes"]
    assert proxy["environment"]["NGINX_ENVSUBST_OUTPUT_DIR"] == "/etc/nginx"
    assert set(NAMES) <= set(proxy["environment"])
    assert {f"{n}:8000" for n in NODES} == {
        proxy["environment"]["WATCHFLOOR_NODE_1"],
        proxy["environment"]["WATCHFLOOR_NODE_2"],
    }
    consoles = {services()[n]["environment"]["WATCHFLOOR_CONSOLE_PORT"] for n in NODES}
    assert {f"{n}:{port}" for n in NODES for port in consoles} == {
        proxy["environment"]["WATCHFLOOR_CONSOLES_1"],
        proxy["environment"]["WATCHFLOOR_CONSOLES_2"],
    }
    published = [name for name, s in services().items() if s.get("ports")]
    assert published == ["proxy"]


def test_the_nodes_trust_only_the_proxy_share_a_key_and_are_checked_on_readyz() -> None:
    proxy_address = services()["proxy"]["networks"]["backend"]["ipv4_address"]
    for name in NODES:
        node = services()[name]
        env = node["environment"]
        assert env["WATCHFLOOR_TRUSTED_PROXIES"] == proxy_address
        assert env["WATCHFLOOR_SECRET_KEY"].startswith("${WATCHFLOOR_SECRET_KEY:?")
        assert "${POSTGRES_PASSWORD}" in env["DATABASE_URL"]
        assert env["REDIS_URL"].startswith("redis://redis:")
        assert any("/readyz" in part for part in node["healthcheck"]["test"])
