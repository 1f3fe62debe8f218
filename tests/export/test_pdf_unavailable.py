"""A server on a machine without Pango or without a Chinese font: a PDF request is answered
with the Debian packages to install, in the reader's language, never a 500, and no export is
recorded; the other formats still export.

The server is the real `watchfloor serve` in a process of its own. What it lacks is made so
for it alone: an empty fontconfig configuration (no fonts at all), or a `weasyprint` ahead
on its path that fails to import exactly as WeasyPrint does when libpango is absent."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.browser.conftest import open_incident
from tests.faults.conftest import Served, serve

NO_FONTS = '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig/>\n'
NO_PANGO = (
    "raise OSError(\"cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared"
    ' object file: No such file or directory.")\n'
)


def lacking(tmp_path: Path, what: str) -> dict[str, str]:
    """The environment of a server on a machine without `what` ("fonts" or "pango")."""
    if what == "fonts":
        (tmp_path / "fonts.conf").write_text(NO_FONTS)
        return {"FONTCONFIG_FILE": str(tmp_path / "fonts.conf")}
    shim = tmp_path / "no-pango"
    shim.mkdir()
    (shim / "weasyprint.py").write_text(NO_PANGO)
    return {"PYTHONPATH": str(shim)}


@pytest.fixture(params=["fonts", "pango"])
async def bare(
    request: pytest.FixtureRequest, database_url: str, tmp_path: Path
) -> AsyncIterator[tuple[str, Served]]:
    env = lacking(tmp_path, request.param)
    async with serve(database_url, tmp_path / "data", **env) as served:
        yield request.param, served


PACKAGES = {
    "fonts": "fonts-noto-cjk",
    "pango": "libpango-1.0-0 libpangoft2-1.0-0",
}


async def exports(served: Served, incident: str) -> int:
    count: int = await served.pool.fetchval(
        "SELECT count(*) FROM events WHERE incident_id = $1 AND kind = 'exported'",
        uuid.UUID(incident),
    )
    return count


async def test_a_pdf_request_names_the_packages_to_install_in_both_languages(
    bare: tuple[str, Served],
) -> None:
    """503 with the packages in Chinese (the default), in English for an English reader, as
    JSON for a program; nothing recorded; Markdown of the same incident still exports."""
    what, served = bare
    duty = await served.client("duty1")
    incident = await open_incident(duty, location="一楼大厅 🚑 Hall A")
    form = {"format": "pdf", "idempotency_key": uuid.uuid4().hex}
    chinese = await duty.post(f"/incidents/{incident}/export", data=form)
    assert chinese.status_code == 503, chinese.text
    assert chinese.text.startswith("本服务器无法生成 PDF：缺少系统软件包 " + PACKAGES[what])
    assert f"apt-get install {PACKAGES[what]}" in chinese.text

    english = await served.client("officer_en")
    reply = await english.post(f"/incidents/{incident}/export", data=form)
    assert reply.status_code == 503
    assert f"the Debian packages {PACKAGES[what]} are missing" in reply.text

    program = await duty.post(
        f"/incidents/{incident}/export", json={"format": "pdf"}, headers={"Idempotency-Key": "k1"}
    )
    assert program.status_code == 503
    assert program.json()["error"] == "pdf_unavailable"
    assert PACKAGES[what] in program.json()["text"]

    viewer = await served.client("viewer1")  # may not export: told so, not what this machine lacks
    refused = await viewer.post(f"/incidents/{incident}/export", data=form)
    assert refused.status_code == 403, refused.text
    assert "缺少" not in refused.text and PACKAGES[what] not in refused.text

    assert await exports(served, incident) == 0
    markdown = {"format": "md", "idempotency_key": uuid.uuid4().hex}
    done = await duty.post(f"/incidents/{incident}/export", data=markdown)
    assert done.status_code == 200 and "一楼大厅 🚑 Hall A" in done.text
    assert await exports(served, incident) == 1
    troubles = [x for x in served.lines() if x.get("status") == 500 or "exception" in x]
    assert troubles == []
    assert [x["packages"] for x in served.lines() if x["event"] == "pdf_unavailable"] == [
        PACKAGES[what].split()
    ] * 3
