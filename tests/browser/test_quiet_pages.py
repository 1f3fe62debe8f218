"""Pages stay quiet: no missing icon, no pushed fragment without a place on the page."""

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import expect

from tests.browser.conftest import Consoles, artefact, open_incident
from tests.live.conftest import Live

pytestmark = pytest.mark.browser


async def test_every_page_has_its_icon(consoles: Consoles, live: Live) -> None:
    """The tab shows the console's icon on the board, the phone and the ack page; no 404."""
    board = await consoles.open("duty1")
    icon = board.locator("link[rel=icon]")
    await expect(icon).to_have_attribute("href", "/static/favicon.svg")
    status = await board.evaluate(
        "fetch(document.querySelector('link[rel=icon]').href).then(r => r.status)"
    )
    assert status == 200
    phone = await consoles.open("staff1", "/m", phone=True)
    await expect(phone.locator("link[rel=icon]")).to_have_count(1)
    consoles.expect_trouble(r"answer 4\d\d: GET .*/ack/not-a-token")
    consoles.expect_trouble(
        r"console error: Failed to load resource: .* status of 4\d\d \(.*\{'url': '[^']*/ack/"
    )
    ack = await phone.context.new_page()
    await ack.goto("/ack/not-a-token")
    await expect(ack.locator("link[rel=icon]")).to_have_count(1)
    await ack.wait_for_timeout(300)  # the browser asks for an icon after the page loads


async def test_another_incident_changing_leaves_every_page_without_errors(
    consoles: Consoles, live: Live
) -> None:
    """Another incident opens and moves: the incident, phone and list pages log no error."""
    duty = await live.client("duty1")
    watched = await open_incident(duty, location="一号接待室")
    pages = {
        "incident": await consoles.open("duty1", f"/incidents/{watched}"),
        "commander": await consoles.open("commander1", f"/incidents/{watched}"),
        "phone": await consoles.open("staff1", f"/m/incidents/{watched}", phone=True),
        "phones": await consoles.open("staff1", "/m", phone=True),
        "board": await consoles.open("duty1"),
        "resources": await consoles.open("duty1", "/resources"),
        "followup": await consoles.open("commander1", "/followup"),
    }
    other = await open_incident(duty, location=f"二号接待室 {uuid.uuid4().hex[:4]}")
    reply = await duty.post(
        f"/incidents/{other}/headcount",
        json={"headcount": 4, "reason": "又来了人"},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert reply.status_code == 201, reply.text
    await expect(pages["board"].locator(f"#incident-{other} td.num").first).to_have_text("4")
    await expect(pages["phones"].locator(f"#phone-item-{other}")).to_be_visible()
    for page in pages.values():
        await page.wait_for_timeout(200)
    await pages["phones"].screenshot(path=artefact("quiet-phone-list.png"))
