"""The situation report form: labels above their fields, what was done, units by name."""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Consoles, artefact, open_incident
from tests.live.conftest import Live

pytestmark = pytest.mark.browser
FIELDS = ["报告类型", "时间", "地点", "规模", "涉及人员", "起因", "主要诉求", "已采取的措施"]


async def open_form(page: Page) -> None:
    await page.locator("#reports-summary").click()
    await page.locator("#report-form > summary").click()
    await expect(page.locator("#report-form form")).to_be_visible()


async def tick(client: httpx.AsyncClient, incident: str, item: str, note: str) -> None:
    reply = await client.post(
        f"/incidents/{incident}/items/{item}/tick",
        json={"note": note},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert reply.status_code == 201, reply.text


async def test_each_label_sits_above_its_own_field(consoles: Consoles, live: Live) -> None:
    """Every label of the report form is tied to its box and stands right above it."""
    incident = await open_incident(await live.client("duty1"), location="一楼大厅")
    page = await consoles.open("duty1", f"/incidents/{incident}")
    await open_form(page)
    form = page.locator("#report-form form")
    for label in FIELDS:
        field = form.get_by_label(label, exact=True)
        await expect(field).to_have_count(1)
        caption = form.locator(f"label[for='{await field.get_attribute('id')}']")
        above, box = await caption.bounding_box(), await field.bounding_box()
        assert above and box, label
        assert above["y"] + above["height"] <= box["y"] + 1, (label, above, box)
        assert abs(above["x"] - box["x"]) < 4, (label, above, box)  # aligned: read down
    await form.screenshot(path=artefact("report-form.png"))


async def test_actions_taken_says_what_was_done(consoles: Consoles, live: Live) -> None:
    """Nothing done yet: 已采取的措施 says 尚无; after two ticks it names them with their notes."""
    duty = await live.client("duty1")
    incident = await open_incident(duty, location="二号窗口")
    page = await consoles.open("duty1", f"/incidents/{incident}")
    await open_form(page)
    actions = page.locator("#report-form").get_by_label("已采取的措施")
    await expect(actions).to_have_value("尚无")
    await tick(await live.client("staff1"), incident, "call_ambulance", "120 已出车")
    await tick(duty, incident, "report_to_head", "")
    await page.reload()
    await open_form(page)
    value = await actions.input_value()
    assert "拨打120" in value and "120 已出车" in value and "报告接待室负责人" in value, value
    assert "无需通报" not in value and "尚无" not in value, value


async def test_report_goes_to_the_units_ticked_by_name(consoles: Consoles, live: Live) -> None:
    """报送单位 lists units by name, the chain ticked; ticking 公安机关 too sends to all three."""
    duty = await live.client("duty1")
    incident = await open_incident(duty, location="三号窗口")
    page = await consoles.open("duty1", f"/incidents/{incident}")
    await open_form(page)
    units = page.locator("#report-form fieldset", has_text="报送单位")
    await expect(units.get_by_label("信访局", exact=True)).to_be_checked()
    await expect(units.get_by_label("党委、政府总值班室", exact=True)).to_be_checked()
    police = units.get_by_label("公安机关（辖区派出所）", exact=True)
    await expect(police).not_to_be_checked()
    text = await units.inner_text()
    assert "petition_bureau" not in text and "," not in text, text
    await expect(units.get_by_label("家属或监护人")).to_have_count(0)  # a report is not for them
    await police.check()
    await page.locator("#report-form").get_by_label("起因").fill("来访人晕倒")
    async with page.expect_response(lambda r: r.url.endswith("/reports")) as answer:
        await page.locator("#report-form").get_by_role("button", name="签发报送").click()
    assert (await answer.value).status == 204
    events = (await duty.get(f"/api/incidents/{incident}/events")).json()
    filed = [e["payload"] for e in events if e["kind"] == "report_filed"]
    assert filed and filed[0]["to"] == ["petition_bureau", "party_government_duty", "police"]
    await expect(page.locator("#notifications")).to_contain_text("公安机关（辖区派出所）")
