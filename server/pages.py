"""A desk page with no live incident of its own (the quiet socket): the context every such
page needs (who, CSRF, role, the time), rendered in the reader's language, never cached."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from server.auth.protect import require_session
from server.services import services


def quiet_page(request: Request, name: str, **ctx: Any) -> HTMLResponse:
    session = require_session(request)
    html = services(request).renderer.page(
        name,
        session.user.language,
        user=session.user,
        csrf=session.csrf_token,
        role=session.user.role,
        ws_url="/ws?view=quiet",
        now=services(request).clock.now(),
        **ctx,
    )
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})
