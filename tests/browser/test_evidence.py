"""Evidence on check-off, as on-site staff at 375 px in zh-CN and the duty officer at the desk:
a confiscated item needs a photo and a custody note; a file that is not what its name says is
refused with nothing written; a photo taken offline lands once, with its hash, and shows as a
thumbnail on the desk; only roles that may see evidence open the original; verify notices a
stored file changed behind the app's back."""

from __future__ import annotations

import hashlib
import io
import json
import re
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from PIL import Image
from playwright.async_api import Page, expect

from server.verify import verify_all
from tests.browser.conftest import (
    Consoles,
    artefact,
    download,
    eventually,
    no_english,
    open_incident,
    wait_live,
)
from tests.live.conftest import Live

pytestmark = pytest.mark.browser
ITEM = "confiscate_item"
PHOTO_NAME = "收缴刀具😟 第1张.jpg"
NOTE = "管制刀具一把（约 20cm）🔪，保管人：李；存放：证物柜 3 号 🔒 mixed 文字"
FAKE_NAME = "证物照片📷.jpg"


def jpeg() -> bytes:
    """A real photo's bytes: a JPEG drawn with Pillow (stripes, so the thumbnail shows them)."""
    image = Image.new("RGB", (1200, 900), "#2a6")
    for x in range(0, 1200, 150):
        image.paste((200, 40, 40), (x, 0, x + 60, 900))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


async def events(client: httpx.AsyncClient, incident: str, kind: str) -> list[dict[str, Any]]:
    found = (await client.get(f"/api/incidents/{incident}/events")).json()
    return [e for e in found if e["kind"] == kind]


async def stored_files(live: Live) -> int:
    count: int = await live.pool.fetchval("SELECT count(*) FROM evidence_files")
    return count


async def choose(page: Page, field: str, name: str, content: bytes, mime: str) -> None:
    await page.get_by_test_id(field).set_input_files(
        {"name": name, "mimeType": mime, "buffer": content}
    )


async def test_staff_attach_a_photo_offline_and_the_desk_sees_it(
    consoles: Consoles, live: Live
) -> None:
    """No tick without its evidence; an .exe named .jpg refused; offline photo lands once."""
    consoles.expect_trouble(r"^staff1 (request failed|console error): .*(net::ERR_|/ws)")
    consoles.expect_refusal(409, f"/incidents/[^/]+/items/{ITEM}/tick")
    consoles.expect_refusal(422, f"/incidents/[^/]+/items/{ITEM}/tick")
    consoles.expect_trouble(r"^staff1 console error: .*status of 4(09|22)")
    duty = await live.client("duty1")
    incident = await open_incident(duty, "hazardous_items", location="安检口 🚪")
    desk = await consoles.open("duty1", f"/incidents/{incident}")
    phone = await consoles.open("staff1", f"/m/incidents/{incident}", phone=True)
    await wait_live(phone)
    row = phone.locator(f"#item-{ITEM}")
    await expect(row.locator(".needs")).to_have_text("需要：照片、文字说明")
    files_before = await stored_files(live)

    # 1. No photo, no note: refused in Chinese, nothing written.
    await row.get_by_role("button", name="完成").tap()
    await expect(phone.locator("#flash")).to_contain_text(
        "须附证据后才能完成，缺少：照片、文字说明"
    )
    assert await events(duty, incident, "item_ticked") == []

    # 2. A program renamed .jpg: refused by its content, by name; no event, no bytes.
    await row.locator("input[name=note]").fill(NOTE)
    await choose(phone, f"photo-{ITEM}", FAKE_NAME, EXE, "image/jpeg")
    await row.get_by_role("button", name="完成").tap()
    await expect(phone.locator("#flash")).to_contain_text(f"文件「{FAKE_NAME}」不是可接受的")
    await expect(phone.locator("#flash")).to_be_in_viewport()
    await phone.screenshot(path=artefact("evidence-refused-type.png"))
    assert await events(duty, incident, "evidence_attached") == []
    assert await stored_files(live) == files_before

    # 3. Offline: the photo and the note wait in IndexedDB, then land once.
    photo = jpeg()
    await phone.context.set_offline(True)
    await row.locator("input[name=note]").fill(NOTE)
    await choose(phone, f"photo-{ITEM}", PHOTO_NAME, photo, "image/jpeg")
    await row.get_by_role("button", name="完成").tap()
    await expect(row).to_have_class(re.compile(r"\bpending\b"))
    queued = await phone.evaluate("window.wfOutbox.all()")
    assert len(queued) == 1 and queued[0]["parts"], queued
    await phone.screenshot(path=artefact("evidence-phone-offline.png"))
    assert await events(duty, incident, "evidence_attached") == []
    await phone.context.set_offline(False)
    await expect(phone.locator(f"#item-{ITEM}")).to_have_class(re.compile(r"\bitem-done\b"))
    await eventually(lambda: _queue_empty(phone))
    await phone.evaluate("window.wfOutbox.flush()")  # a second send, were anything left
    [attached] = await events(duty, incident, "evidence_attached")
    [ticked] = await events(duty, incident, "item_ticked")
    digest = hashlib.sha256(photo).hexdigest()
    assert attached["payload"] | {"note": ""} == {
        "sha256": digest,
        "kind": "photo",
        "content_type": "image/jpeg",
        "size": len(photo),
        "file_name": PHOTO_NAME,
        "note": "",
        "item": ITEM,
    }
    assert attached["recorded_by"] == "staff1" and ticked["payload"]["note"] == NOTE
    assert attached["seq"] + 1 == ticked["seq"]
    assert await stored_files(live) == files_before + 1
    await row.scroll_into_view_if_needed()
    await phone.screenshot(path=artefact("evidence-phone-done.png"))
    await no_english(phone, NOTE, PHOTO_NAME, FAKE_NAME)

    # 4. The desk: the thumbnail pushed live, the sentence on the timeline, the original.
    thumb = desk.locator(f'#evidence [data-sha256="{digest}"] img.thumb')
    await expect(thumb).to_be_visible()
    await expect(thumb).to_have_attribute("alt", PHOTO_NAME)
    await eventually(lambda: thumb.evaluate("img => img.complete && img.naturalWidth > 0"))
    await expect(desk.locator("#timeline")).to_contain_text(
        f"附上照片「{PHOTO_NAME}」（{round(len(photo) / 1024)} KB），步骤「"
    )
    await expect(desk.locator("#timeline")).to_contain_text(NOTE)
    await desk.locator("#evidence").scroll_into_view_if_needed()
    await desk.screenshot(path=artefact("evidence-desk.png"))
    await no_english(desk, NOTE, PHOTO_NAME, "安检口 🚪")

    # The desk: a note with a document, through the note form (htmx, multipart).
    pdf = b"%PDF-1.4\n" + b"0" * 2040
    await desk.locator(".note-form textarea").fill("收缴清单（签字版）📄")
    await choose(desk, "file-note", "收缴清单📄.pdf", pdf, "application/pdf")
    await desk.locator(".note-form").get_by_role("button", name="保存").click()
    said = "附上文档「收缴清单📄.pdf」（2 KB） — 收缴清单（签字版）📄"
    await expect(desk.locator("#timeline")).to_contain_text(said)
    await expect(desk.locator("#evidence .evidence-document")).to_have_count(1)
    await expect(desk.locator("#evidence .evidence-document img")).to_have_count(0)
    await expect(desk.locator("#evidence h2 small")).to_have_text("2")

    # 5. The export names the file by its hash, its name and note as typed.
    exported = json.loads(await download(desk, "json"))
    row_out, _ = [e for e in exported["events"] if e["kind"] == "evidence_attached"]
    assert row_out["payload"]["file_name"] == PHOTO_NAME and row_out["payload"]["sha256"] == digest
    ticked_out = next(e for e in exported["events"] if e["kind"] == "item_ticked")
    assert ticked_out["payload"]["note"] == NOTE

    # 6. Who opens the original.
    url = f"/incidents/{incident}/evidence/{digest}"
    reply = await duty.get(url)
    assert reply.status_code == 200 and reply.content == photo
    assert reply.headers["content-type"] == "image/jpeg"
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["content-disposition"] == f"inline; filename*=UTF-8''{quote(PHOTO_NAME)}"
    assert "sandbox" in reply.headers["content-security-policy"]
    assert (await (await live.client("staff1")).get(url)).status_code == 200
    viewer = await live.client("viewer1")
    assert (await viewer.get(url)).status_code == 403
    assert (await viewer.get(url + "/thumb")).status_code == 403
    async with httpx.AsyncClient(base_url=live.url) as nobody:
        assert (await nobody.get(url)).status_code in (401, 303)
    other = await open_incident(duty, "medical", location="二楼")
    assert (await duty.get(f"/incidents/{other}/evidence/{digest}")).status_code == 404
    assert (await duty.get(f"/incidents/{incident}/evidence/{'0' * 64}")).status_code == 404
    viewer_page = await consoles.open("viewer1", f"/incidents/{incident}")
    await expect(viewer_page.locator("#evidence")).to_contain_text("原件仅值班")
    await expect(viewer_page.locator("#evidence img")).to_have_count(0)

    # 7. verify: a stored file changed behind the app's back is named by its seq.
    async with live.pool.acquire() as conn:
        assert (await verify_all(conn)).broken is None
        await tamper(conn, digest)
        verdict = await verify_all(conn)
        await restore_guards(conn)
    assert verdict.broken is not None
    assert verdict.broken[1].seq == attached["seq"]
    assert "no longer hashes" in verdict.broken[1].reason


async def tamper(conn: Any, digest: str) -> None:
    """What only someone going round the app could do: drop the guards, change the bytes."""
    await conn.execute(
        "ALTER TABLE evidence_files DROP CONSTRAINT evidence_files_hash;"
        "ALTER TABLE evidence_files DISABLE TRIGGER evidence_files_no_update"
    )
    await conn.execute(
        "UPDATE evidence_files SET content = overlay(content placing '\\x00'::bytea from 300) "
        "WHERE sha256 = $1",
        digest,
    )


async def restore_guards(conn: Any) -> None:
    await conn.execute(
        "ALTER TABLE evidence_files ENABLE TRIGGER evidence_files_no_update;"
        "ALTER TABLE evidence_files ADD CONSTRAINT evidence_files_hash "
        "CHECK (sha256 = encode(sha256(content), 'hex')) NOT VALID"
    )


async def _queue_empty(page: Page) -> bool:
    return len(await page.evaluate("window.wfOutbox.all()")) == 0
