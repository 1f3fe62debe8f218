"""People, units and states by their names where a person reads them: exports, /resources."""

from __future__ import annotations

import csv
import io
import re
import uuid
from typing import Any
from uuid import UUID

import httpx
import pypdf
import pytest
from playwright.async_api import expect

from incidents.notifications import Escalate
from server.live.broker import Notice
from server.notify.timers import TIMERS
from tests.browser.conftest import Consoles, artefact, download, open_incident
from tests.live.conftest import Live

pytestmark = pytest.mark.browser
# Ids a reader must never meet: units, logins, notification states, escalation steps.
IDS = re.compile(
    r"petition_bureau|party_government_duty|\bpolice\b|\bhealth\b|commander1|staff1|duty1"
    r"|\bescalated\b|\backnowledged\b|\bplanned\b|renotify|next_contact|\bwebhook\b"
)


async def post(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> None:
    reply = await client.post(path, json=body, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert reply.status_code in (200, 201, 204), reply.text


async def escalate(live: Live, incident: str, notification: str, step: str) -> None:
    """What the timer worker does when a unit stays silent: the step, then the notice."""
    outcome = await live.app.state.services.store.execute(
        UUID(incident), Escalate(notification, step), TIMERS, f"test-escalation:{uuid.uuid4()}"
    )
    seqs = [e.seq for e in outcome.events]
    await live.app.state.services.broker.publish(Notice(UUID(incident), seqs[0], seqs[-1]))


async def worked_incident(live: Live) -> str:
    """A self-harm incident with a commander, ticks, a report, an escalation and an ack."""
    duty, staff = await live.client("duty1"), await live.client("staff1")
    commander = await live.client("commander1")
    incident = await open_incident(duty, "self_harm", location="二楼走廊", summary="来访人自伤")
    base = f"/incidents/{incident}"
    await post(duty, f"{base}/commander", {"user_id": "commander1"})
    await post(staff, f"{base}/items/report_to_head/tick", {"note": "已报告王主任"})
    report = {"time": "上午", "place": "二楼走廊", "scale": "1 人", "cause": "自伤"}
    await post(duty, f"{base}/reports", {"kind": "first", "fields": report})
    await escalate(live, incident, "tell_health", "renotify")
    await escalate(live, incident, "tell_health", "next_contact")
    await post(duty, f"{base}/notifications/tell_police/acknowledge", {"by": "张警官"})
    await post(commander, f"{base}/resources", {"resource": "ambulance"})
    return incident


async def test_exports_name_people_units_and_states(consoles: Consoles, live: Live) -> None:
    """The PDF, Markdown and CSV a duty officer downloads say 现场指挥 王 and 公安机关, no ids."""
    incident = await worked_incident(live)
    page = await consoles.open("duty1", f"/incidents/{incident}")
    consoles.expect_trouble(r"request failed: POST \S+/export net::ERR_ABORTED")  # a download
    pdf = pypdf.PdfReader(io.BytesIO(await download(page, "pdf")))
    readable(" ".join(p.extract_text() for p in pdf.pages))
    markdown = (await download(page, "md")).decode("utf-8")
    artefact("export-names.md").write_text(markdown, "utf-8")
    readable(markdown)
    rows = list(csv.DictReader(io.StringIO((await download(page, "csv")).decode("utf-8-sig"))))
    said = " ".join(r["who"] + " " + r["text"] for r in rows)
    assert "现场工作人员 李" in said and "已通知其他联系人及上级单位" in said
    assert not IDS.search(said), IDS.findall(said)


def readable(doc: str) -> None:
    """A report says who and which unit by name, each state in words, and no id."""
    for expected in (
        "现场指挥 王",
        "现场工作人员 李",
        "值班员 张",
        "信访局",
        "已回执",
        "已再次发送",
    ):
        assert expected in doc, expected
    assert not IDS.search(doc), IDS.findall(doc)


async def test_resources_page_names_who_dispatched(consoles: Consoles, live: Live) -> None:
    """/resources says who asked for the ambulance by name, and the unit by its name."""
    incident = await worked_incident(live)
    page = await consoles.open("commander1", "/resources")
    row = page.locator("tr.commitment", has_text="二楼走廊")
    await expect(row).to_contain_text("现场指挥 王")
    await expect(row).to_contain_text("卫生健康部门")
    text = await page.locator("main").inner_text()
    assert not IDS.search(text), IDS.findall(text)
    await page.screenshot(path=artefact("resources-names.png"))
    incident_page = await consoles.open("commander1", f"/incidents/{incident}")
    await incident_page.locator("#notifications-summary").click()
    await incident_page.locator("#incident-header").scroll_into_view_if_needed()
    timeline = await incident_page.locator("#timeline").inner_text()
    assert "卫生健康部门（120急救中心、医院）未按时回执：已再次发送" in timeline
    assert not IDS.search(timeline), IDS.findall(timeline)
    await incident_page.screenshot(path=artefact("incident-names.png"), full_page=True)
