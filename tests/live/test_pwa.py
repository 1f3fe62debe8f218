"""The phone app's manifest and worker over HTTP, and the sign-out that clears what it kept."""

from __future__ import annotations

import re
import uuid

import httpx

from tests.live.conftest import Live


async def anonymous(live: Live) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=live.url)
    live.opened.append(client)
    return client


async def test_the_manifest_names_the_app_in_each_language(live: Live) -> None:
    client = await anonymous(live)
    zh = await client.get("/m/manifest.webmanifest")
    assert zh.headers["content-type"] == "application/manifest+json"
    assert (zh.json()["name"], zh.json()["short_name"], zh.json()["lang"]) == (
        "值班台 · 现场",
        "现场",
        "zh-CN",
    )
    assert (zh.json()["start_url"], zh.json()["scope"]) == ("/m", "/m")
    en = (await client.get("/m/manifest.webmanifest?lang=en")).json()
    assert (en["name"], en["short_name"]) == ("Watchfloor on site", "On site")
    bad = (await client.get("/m/manifest.webmanifest?lang=<x>")).json()
    assert bad["lang"] == "zh-CN"  # an unknown language is the default one
    for icon in zh.json()["icons"]:  # every icon is ours, in web/static, and served
        reply = await client.get(icon["src"])
        assert reply.status_code == 200 and reply.headers["content-type"] == icon["type"]


async def test_the_worker_may_control_the_whole_phone_view(live: Live) -> None:
    reply = await (await anonymous(live)).get("/m/sw.js")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/javascript")
    assert reply.headers["service-worker-allowed"] == "/m"  # "/m" itself, not only "/m/…"
    assert reply.headers["cache-control"] == "no-cache"  # a new release is picked up at once
    csp = reply.headers["content-security-policy"]
    assert "worker-src 'self'" in csp and "manifest-src 'self'" in csp


async def test_phone_pages_link_the_manifest_and_desk_pages_do_not(live: Live) -> None:
    staff = await live.client("staff1")
    link = 'rel="manifest" href="/m/manifest.webmanifest?lang=zh-CN"'
    assert link in (await staff.get("/m")).text
    assert 'rel="manifest"' not in (await staff.get("/")).text


async def test_sign_out_clears_the_phone_copies(live: Live) -> None:
    staff = await live.client("staff1")
    reply = await staff.post("/logout", data={"csrf_token": staff.headers["X-CSRF-Token"]})
    assert reply.status_code == 303
    assert reply.headers["clear-site-data"] == '"cache", "storage"'


async def test_the_not_live_banner_is_in_the_readers_language(live: Live) -> None:
    """The copy's banner is rendered by the server (pwa.js and app.css only show it)."""
    incident = (
        await (await live.client("duty1")).post(
            "/incidents",
            json={"type": "medical", "location": "大厅 🚪 hall", "headcount": 1, "summary": "晕倒"},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
    ).json()["incident_id"]
    pages = {
        "staff1": (
            r"离线 · 显示的是 \d\d-\d\d \d\d:\d\d 的清单，不是实时",
            "离线 · 显示的是 .* 的事件列表",
        ),
        "officer_en": (
            r"Offline · showing the checklist as of \d\d-\d\d \d\d:\d\d, not live",
            r"Offline · showing the incidents as of .*, not live",
        ),
    }
    for login, (checklist, listing) in pages.items():
        client = await live.client(login)
        page = (await client.get(f"/m/incidents/{incident}")).text
        assert re.search(rf'<p class="offline-copy" role="status">{checklist}</p>', page), login
        assert "大厅 🚪 hall" in page
        assert re.search(listing, (await client.get("/m")).text), login
