"""Sign-in and sign-out pages: GET/POST /login, POST /logout.

Uses the app's templates, users, sessions and login limiter (server/auth/services.py).
A failed sign-in never says whether the login name exists.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode, urlsplit

import structlog
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from incidents.kinds import Role
from incidents.text import is_refused
from server.auth.cookies import clear_session_cookie, session_token, set_session_cookie
from server.auth.errors import (
    AuthError,
    BadCredentials,
    CredentialsMissing,
    InvalidUser,
    TooManyAttempts,
)
from server.auth.protect import current_session, require_csrf
from server.auth.proxies import client_address
from server.auth.ratelimit import LoginLimiter
from server.auth.services import auth_services
from server.auth.sessions import SessionStore
from server.auth.users import Language, User, UserStore, normalize_login
from server.errors import status_of
from server.i18n import default_catalogue

log = structlog.get_logger(__name__)

# The sign-in page's words, from the catalogues (login.*): the page's own, then its refusals'.
PAGE_WORDS = ("title", "heading", "username", "password", "submit", "other_language", "footer")


def safe_next(value: str | None) -> str:
    """A local path to return to after sign-in; "/" for anything that could leave the site."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return "/"
    if "\\" in value or any(ord(c) <= 0x20 or ord(c) == 0x7F for c in value):
        return "/"
    parts = urlsplit(value)
    return "/" if parts.scheme or parts.netloc else value


def landing(user: User, next_path: str) -> str:
    """Where sign-in leads: the page asked for; on-site staff, by default, their phone view."""
    return "/m" if next_path == "/" and user.role is Role.ONSITE_STAFF else next_path


def _language(value: object) -> Language:
    return "en" if value == "en" else "zh-CN"


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _render(
    request: Request,
    lang: Language,
    next_path: str,
    *,
    error: str | None = None,
    status: int = 200,
    username: str = "",
    headers: dict[str, str] | None = None,
) -> Response:
    other: Language = "zh-CN" if lang == "en" else "en"
    context: dict[str, Any] = {
        "t": {word: default_catalogue().t(lang, f"login.{word}") for word in PAGE_WORDS},
        "lang": lang,
        "next": next_path,
        "error": error,
        "username": username,
        "other_language_url": "/login?" + urlencode({"lang": other, "next": next_path}),
    }
    templates: Jinja2Templates = auth_services(request).templates
    return templates.TemplateResponse(
        request,
        "login.html",
        context,
        status_code=status,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


async def login_page(request: Request) -> Response:
    """The sign-in form; someone already signed in goes straight on."""
    next_path = safe_next(request.query_params.get("next"))
    if (session := current_session(request)) is not None:
        return RedirectResponse(landing(session.user, next_path), status_code=303)
    return _render(request, _language(request.query_params.get("lang")), next_path)


async def login(request: Request) -> Response:
    """Check the password within the rate limits; on success a new session and its cookie."""
    form = await request.form()
    lang, next_path = _language(_field(form, "lang")), safe_next(_field(form, "next"))
    login_name, password = normalize_login(_field(form, "username"))[:100], _field(form, "password")
    try:
        user = await _authenticate(request, login_name, password)
    except AuthError as refused:
        shown = "" if isinstance(refused, InvalidUser) else login_name  # never echo a bad name
        retry = (
            {"Retry-After": str(refused.retry_after)}
            if isinstance(refused, TooManyAttempts)
            else None
        )
        text, status = _refusal_text(lang, refused), status_of(refused)
        return _render(
            request, lang, next_path, error=text, status=status, username=shown, headers=retry
        )
    return await _sign_in(request, user, next_path)


async def _authenticate(request: Request, login_name: str, password: str) -> User:
    """The user whose password this is, within the rate limits; an AuthError otherwise."""
    if not login_name or not password:
        raise CredentialsMissing("enter a login name and a password")
    if any(is_refused(c) for c in login_name):  # no login has one: never stored nor logged
        raise InvalidUser("the login name holds a control character")
    limiter: LoginLimiter = auth_services(request).login_limiter
    attempt = await limiter.begin(login_name, client_address(request.scope))
    users: UserStore = auth_services(request).users
    user = await users.authenticate(login_name, password)
    await limiter.finish(attempt, ok=user is not None)
    if user is None:
        raise BadCredentials("the login name or password is not correct")
    return user


# The sign-in page's own words for each refusal (TooManyAttempts says how long to wait).
_WORDS: dict[type[AuthError], str] = {
    CredentialsMissing: "missing",
    InvalidUser: "bad_name",
    BadCredentials: "bad_credentials",
}


def _refusal_text(lang: Language, refused: AuthError) -> str:
    if isinstance(refused, TooManyAttempts):
        return _wait_text(lang, refused.retry_after)
    return default_catalogue().t(lang, f"login.{_WORDS[type(refused)]}")


def _wait_text(lang: Language, seconds: int) -> str:
    """The wait as Retry-After says it: in seconds under a minute, else in minutes."""
    if seconds < 60:
        return default_catalogue().t(lang, "login.throttled_seconds", seconds=seconds)
    return default_catalogue().t(lang, "login.throttled", minutes=math.ceil(seconds / 60))


async def _sign_in(request: Request, user: User, next_path: str) -> Response:
    sessions: SessionStore = auth_services(request).sessions
    previous = session_token(request)
    if previous is not None:  # never keep a session id from before sign-in
        await sessions.revoke(previous)
    token, _ = await sessions.create(user)
    response = RedirectResponse(landing(user, next_path), status_code=303)
    set_session_cookie(response, request, token)
    log.info("signed_in", user_id=user.id)
    return response


async def logout(request: Request) -> Response:
    """End the session (the form must carry its CSRF token) and forget the cookie."""
    session, token = current_session(request), session_token(request)
    if session is not None and token is not None:
        await require_csrf(request)
        sessions: SessionStore = auth_services(request).sessions
        await sessions.revoke(token)
        log.info("signed_out", user_id=session.user.id)
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response, request)
    # The phone's offline copies (web/static/sw.js) and queue go with the session.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


def auth_routes() -> list[Route]:
    return [
        Route("/login", login_page, methods=["GET"], name="login_page"),
        Route("/login", login, methods=["POST"], name="login"),
        Route("/logout", logout, methods=["POST"], name="logout"),
    ]
