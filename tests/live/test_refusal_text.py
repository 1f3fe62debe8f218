"""Refusals over HTTP, as people read them: the htmx flash, the JSON `text`, in their language."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx

from tests.i18n_check import chinese_runs, english_words, html_text
from tests.live.conftest import Live

FLASH = re.compile(r'<p class="error" data-code="([^"]+)" data-reason="([^"]+)">([^<]*)</p>')


async def htmx(client: httpx.AsyncClient, path: str, **data: Any) -> httpx.Response:
    headers = {"Idempotency-Key": uuid.uuid4().hex, "HX-Request": "true"}
    return await client.post(path, data=data, headers=headers)


async def api(client: httpx.AsyncClient, path: str, **body: Any) -> httpx.Response:
    return await client.post(path, json=body, headers={"Idempotency-Key": uuid.uuid4().hex})


def flash(response: httpx.Response) -> tuple[str, str]:
    """The refusal's reason and the sentence the page's #flash shows."""
    assert response.headers["hx-retarget"] == "#flash", response.text
    match = FLASH.fullmatch(response.text)
    assert match, response.text
    return match[2], match[3]


async def collective_visit(client: httpx.AsyncClient) -> str:
    body = {"type": "collective_visit", "location": "一楼大厅", "headcount": 35, "summary": "征地"}
    opened = await api(client, "/incidents", **body)
    assert opened.status_code == 201, opened.text
    return str(opened.json()["incident_id"])


async def test_the_flash_says_why_in_chinese_naming_items_and_levels(live: Live) -> None:
    """Lowering a visit of 35, an early tick, closing unreported: the flash says why, in Chinese."""
    lead, staff = await live.client("commander1"), await live.client("staff1")
    incident = await collective_visit(lead)
    lower = await htmx(lead, f"/incidents/{incident}/level", to="general", reason="人少了")
    early = await htmx(staff, f"/incidents/{incident}/items/departments_on_scene/tick")
    await htmx(lead, f"/incidents/{incident}/status", to="contained")
    close = await htmx(lead, f"/incidents/{incident}/close", reason="处置完毕")
    said = dict(flash(r) for r in (lower, early, close))
    assert said == {
        "level.floor": "集体访达到 30 人的至少为「重大」（现有 35 人），不能调低",
        "checklist.unmet": "请先完成：确定涉及的部门，录入其联系人并通知负责人到现场",
        "report.final_first": "关闭事件前请先报送终报",
    }
    assert [english_words(html_text(r.text)) for r in (lower, early, close)] == [[], [], []]
    assert (lower.status_code, early.status_code, close.status_code) == (409, 409, 409)


async def test_an_english_user_reads_refusals_in_english(live: Live) -> None:
    """The English duty officer's refusal has no Chinese; the JSON keeps the reason key."""
    lead, officer = await live.client("commander1"), await live.client("officer_en")
    incident = await collective_visit(lead)
    refused = await api(officer, f"/incidents/{incident}/level", to="critical", reason="more")
    body = refused.json()
    assert refused.status_code == 403 and body["reason"] == "role.forbidden"
    assert body["text"] == "Your role (duty officer) may not change the level"
    early = await htmx(officer, f"/incidents/{incident}/items/departments_on_scene/tick")
    reason, text = flash(early)
    assert reason == "checklist.unmet" and chinese_runs(text) == [], text
    assert text.startswith("First finish: Name the departments concerned")


async def test_an_expired_form_is_refused_in_the_readers_language(live: Live) -> None:
    """A stale CSRF token under htmx: the flash, in Chinese only (no English detail after it)."""
    duty = await live.client("duty1")
    incident = await collective_visit(duty)
    duty.headers["X-CSRF-Token"] = "stale"
    refused = await htmx(duty, f"/incidents/{incident}/notes", text="记录")
    assert refused.status_code == 403
    assert flash(refused) == ("auth.csrf_failed", "表单已过期，请刷新页面后重试")
    page = await duty.post(
        f"/incidents/{incident}/notes", data={"text": "记录"}, headers={"Accept": "text/html"}
    )
    assert page.status_code == 403 and english_words(html_text(page.text)) == [], page.text
