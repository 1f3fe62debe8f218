"""The console page acts on the close codes the server sends: one table, read by both."""

from __future__ import annotations

import re
from pathlib import Path

import web
from server.live.close_codes import Close

CONSOLE_JS = Path(web.__file__).parent / "static" / "console.js"


def test_the_page_knows_every_code_the_server_sends() -> None:
    declared = dict(re.findall(r"\b([A-Z_]+) = (\d{4})\b", CONSOLE_JS.read_text()))
    for code in (Close.SESSION_ENDED, Close.POLICY, Close.NO_SUCH_VIEW):
        assert declared.get(code.name) == str(code.value), code.name
    # RESYNC is one htmx reconnects on by itself; the page lists those.
    assert (
        str(Close.RESYNC.value)
        in re.search(r"RECONNECTED_BY_HTMX = \[([^\]]*)\]", CONSOLE_JS.read_text())[1]
    )  # type: ignore[index]
