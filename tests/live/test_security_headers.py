"""Every response carries the security headers: pages, fragments, files, refusals, signed in or
not; the CSP allows no inline script and no framing."""

from __future__ import annotations

import re
import uuid

import httpx
from starlette.routing import Mount, Route

from tests.live.conftest import Live

WANTED = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


def check(reply: httpx.Response) -> None:
    where = f"{reply.request.method} {reply.request.url.path} -> {reply.status_code}"
    for name, value in WANTED.items():
        assert reply.headers.get(name) == value, (where, name)
    csp = reply.headers.get("content-security-policy", "")
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if " " in d.strip())
    assert directives.get("script-src") == "'self'", (where, csp)  # no inline, no eval
    assert directives.get("frame-ancestors") == "'none'", (where, csp)
    assert "unsafe" not in csp, (where, csp)


async def test_every_route_sends_the_headers(live: Live) -> None:
    duty = await live.client("duty1")
    anonymous = httpx.AsyncClient(base_url=live.url)
    live.opened.append(anonymous)
    incident = (
        await duty.post(
            "/incidents",
            json={"type": "medical", "location": "大厅", "headcount": 1, "summary": "头部"},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
    ).json()["incident_id"]
    paths = ["/static/app.css", "/static/console.js"]
    for route in live.app.routes:
        if isinstance(route, Route) and "GET" in (route.methods or ()):
            paths.append(re.sub(r"{incident_id}", incident, re.sub(r"{token}", "x", route.path)))
        elif isinstance(route, Mount):
            continue
    for client in (duty, anonymous):
        for path in paths:
            check(await client.get(path, headers={"Accept": "text/html"}))
    check(await anonymous.post("/incidents", json={}))  # a refusal
    check(await duty.post(f"/incidents/{incident}/notes", data={}, headers={"HX-Request": "1"}))


async def test_the_socket_host_is_never_copied_into_the_policy_raw(live: Live) -> None:
    """The Host header names the socket origin in connect-src; a hostile one is left out."""
    anonymous = httpx.AsyncClient(base_url=live.url)
    live.opened.append(anonymous)
    reply = await anonymous.get("/login", headers={"Host": "evil; script-src *"})
    csp = reply.headers["content-security-policy"]
    assert "evil" not in csp and "script-src *" not in csp
    good = await anonymous.get("/login")
    assert f"ws://{live.url.removeprefix('http://')}" in good.headers["content-security-policy"]
