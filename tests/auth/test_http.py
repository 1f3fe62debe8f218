"""Sign-in and request protection as a browser meets them, through a small in-process console."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from incidents.kinds import Role
from server.auth import LoginLimiter, SessionStore, User, UserStore
from server.auth.ratelimit import Policy
from tests.auth.conftest import PASSWORD
from tests.auth.support import PARTNER, console, csrf_token, set_cookie, sign_in

SITE = "http://console.test"


@pytest.fixture
def app(users: UserStore, sessions: SessionStore, limiter: LoginLimiter) -> Starlette:
    return console(users, sessions, limiter)


@pytest.fixture
async def client(app: Starlette, duty: User) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=SITE) as c:
        yield c


async def test_the_login_page_speaks_chinese_unless_asked_for_english(
    client: httpx.AsyncClient,
) -> None:
    """/login is a Chinese form; /login?lang=en is the same form in English."""
    zh = await client.get("/login")
    assert zh.status_code == 200
    assert '<html lang="zh-CN">' in zh.text and "值班台登录" in zh.text
    assert zh.headers["cache-control"] == "no-store"
    en = await client.get("/login", params={"lang": "en"})
    assert '<html lang="en">' in en.text and "Sign in" in en.text


async def test_signing_in_sets_an_httponly_lax_cookie_and_goes_on(
    client: httpx.AsyncClient,
) -> None:
    """After sign-in the browser holds an HttpOnly, SameSite=Lax cookie and lands on the board."""
    response = await sign_in(client, next="/board?tab=open")
    assert response.status_code == 303
    assert response.headers["location"] == "/board?tab=open"
    cookie = set_cookie(response).lower()
    assert cookie.startswith("wf_session=")
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert "secure" not in cookie and "domain" not in cookie
    assert (await client.get("/board")).json()["user"] == "duty1"


async def test_over_https_the_cookie_is_host_prefixed_and_secure(
    app: Starlette, duty: User
) -> None:
    """Over https the cookie is __Host-wf_session: Secure, Path=/, no Domain."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://console.test") as client:
        cookie = set_cookie(await sign_in(client)).lower()
        assert cookie.startswith("__host-wf_session=")
        assert "; secure" in cookie and "path=/" in cookie and "domain" not in cookie
        assert (await client.get("/board")).json()["user"] == "duty1"


async def test_a_wrong_password_and_an_unknown_name_look_the_same(
    client: httpx.AsyncClient,
) -> None:
    """Both say "login name or password is not correct" with 401, and set no cookie."""
    wrong = await sign_in(client, password="not-the-password")
    unknown = await sign_in(client, login="nobody", password="not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert "用户名或密码不正确" in wrong.text and "用户名或密码不正确" in unknown.text
    assert "set-cookie" not in wrong.headers and "set-cookie" not in unknown.headers
    assert 'value="nobody"' in unknown.text and "not-the-password" not in unknown.text


async def test_an_empty_form_asks_for_both_fields(client: httpx.AsyncClient) -> None:
    """Submitting without a password re-shows the form with 400 and a clear message."""
    response = await sign_in(client, password="", lang="en")
    assert response.status_code == 400
    assert "Please enter your login name and password." in response.text


async def test_a_failure_too_many_is_refused_with_retry_after(client: httpx.AsyncClient) -> None:
    """After three wrong passwords, even the right one gets 429, a Retry-After, and the
    wait in seconds in the user's language."""
    for _ in range(Policy().free):
        assert (await sign_in(client, password="not-the-password")).status_code == 401
    refused = await sign_in(client)
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    assert "登录失败次数过多，请 1 秒后再试。" in refused.text
    assert "set-cookie" not in refused.headers
    english = await sign_in(client, lang="en")
    assert english.status_code == 429
    assert "Please try again in 1 s." in english.text


@pytest.mark.parametrize(
    "target", ["//evil.example", "https://evil.example/x", "/\\evil.example", "/\t/evil.example"]
)
async def test_next_cannot_send_the_user_to_another_site(
    client: httpx.AsyncClient, target: str
) -> None:
    """A `next` pointing off the site is ignored: sign-in lands on /."""
    response = await sign_in(client, next=target)
    assert response.status_code == 303 and response.headers["location"] == "/"


async def test_a_command_without_the_csrf_token_is_refused(client: httpx.AsyncClient) -> None:
    """A signed-in POST without the CSRF token gets 403; with it (header or field), 200."""
    await sign_in(client)
    token = await csrf_token(client)
    assert (await client.post("/incidents/raise")).status_code == 403
    bad = await client.post("/incidents/raise", headers={"X-CSRF-Token": token + "x"})
    assert bad.status_code == 403 and bad.json()["error"] == "csrf_failed"
    ok = await client.post("/incidents/raise", headers={"X-CSRF-Token": token})
    assert ok.status_code == 200 and ok.text == "done by duty1"
    by_form = await client.post("/incidents/raise", data={"csrf_token": token})
    assert by_form.status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://console.test.evil.example"},
        {"Referer": "https://evil.example/page"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": SITE, "Sec-Fetch-Site": "cross-site"},
    ],
)
async def test_a_cross_site_post_is_refused(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    """A POST from another site gets 403, even carrying a valid CSRF token."""
    await sign_in(client)
    token = await csrf_token(client)
    response = await client.post("/incidents/raise", headers={"X-CSRF-Token": token, **headers})
    assert response.status_code == 403 and response.json()["error"] == "cross_site"


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": SITE, "Sec-Fetch-Site": "same-origin"},
        {"Origin": "http://CONSOLE.test:80"},
        {"Referer": f"{SITE}/board"},
        {"Origin": PARTNER},
    ],
)
async def test_same_site_and_configured_origins_are_accepted(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    """A POST from the console itself or a configured partner origin goes through."""
    await sign_in(client)
    token = await csrf_token(client)
    response = await client.post("/incidents/raise", headers={"X-CSRF-Token": token, **headers})
    assert response.status_code == 200


async def test_a_cross_site_login_form_is_refused(client: httpx.AsyncClient) -> None:
    """Another site cannot sign the browser in to some account (login CSRF)."""
    response = await sign_in(client)
    assert response.status_code == 303
    client.cookies.clear()
    response = await client.post(
        "/login",
        data={"username": "duty1", "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403 and "set-cookie" not in response.headers


async def test_a_viewer_cannot_send_a_command(client: httpx.AsyncClient, users: UserStore) -> None:
    """A viewer with a valid CSRF token still gets 403 for a duty officer's command."""
    await users.add("viewer1", "观察员", Role.VIEWER, PASSWORD)
    await sign_in(client, login="viewer1")
    token = await csrf_token(client)
    response = await client.post("/incidents/raise", headers={"X-CSRF-Token": token})
    assert response.status_code == 403 and response.json()["error"] == "forbidden"


async def test_without_a_session_pages_redirect_and_apis_say_401(
    client: httpx.AsyncClient,
) -> None:
    """A browser is sent to /login (and back after); htmx and API clients get a 401."""
    page = await client.get("/board?tab=open", headers={"Accept": "text/html"})
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=%2Fboard%3Ftab%3Dopen"
    api = await client.get("/board", headers={"Accept": "application/json"})
    assert api.status_code == 401 and api.json()["error"] == "login_required"
    htmx = await client.get("/board", headers={"Accept": "text/html", "HX-Request": "true"})
    assert htmx.status_code == 401 and htmx.headers["hx-redirect"] == "/login"
    command = await client.post("/incidents/raise", headers={"X-CSRF-Token": "x"})
    assert command.status_code == 401


async def test_logging_out_ends_the_session_for_good(
    client: httpx.AsyncClient, sessions: SessionStore
) -> None:
    """Logout needs the CSRF token; afterwards the old cookie no longer opens the board."""
    await sign_in(client)
    token = await csrf_token(client)
    cookie = client.cookies["wf_session"]
    assert (await client.post("/logout")).status_code == 403
    response = await client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert set_cookie(response).startswith('wf_session=""')
    assert await sessions.lookup(cookie) is None
    assert (await client.get("/board")).status_code == 401


async def test_signing_in_again_replaces_the_old_session(
    client: httpx.AsyncClient, sessions: SessionStore
) -> None:
    """A new sign-in on the same browser ends the session it had before."""
    await sign_in(client)
    before = client.cookies["wf_session"]
    await client.get("/login")  # already signed in: straight on
    await sign_in(client)
    assert client.cookies["wf_session"] != before
    assert await sessions.lookup(before) is None


async def test_disabling_a_user_signs_them_out_on_the_next_request(
    client: httpx.AsyncClient, users: UserStore
) -> None:
    """Once an admin disables duty1, their open browser gets 401 on the next request."""
    await sign_in(client)
    assert (await client.get("/board")).status_code == 200
    await users.disable("duty1")
    assert (await client.get("/board")).status_code == 401
