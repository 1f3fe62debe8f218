"""Evidence files over HTTP and in exports: what a file is comes from its bytes; a refused
file writes nothing; a retry keeps one event and one file; the export lists each file by its
hash (full and redacted), a full export's zip carries the bytes, and verify checks them."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from incidents.evidence import EvidenceKind
from server.evidence.sniff import LIMITS, MIB, sniff
from tests.browser.conftest import key, open_incident
from tests.live.conftest import Live
from tests.test_cli import cli

NOTE = "现场录音 🎙️ 与照片：来访人情绪激动 mixed 文字"
NAME = "大厅照片😟（二）.png"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "#c33").save(out, "PNG")
    return out.getvalue()


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "kind", "content_type"),
    [
        (b"\xff\xd8\xff\xe0" + b"\0" * 20, EvidenceKind.PHOTO, "image/jpeg"),
        (png(), EvidenceKind.PHOTO, "image/png"),
        (b"RIFF\0\0\0\0WEBPVP8 ", EvidenceKind.PHOTO, "image/webp"),
        (b"\0\0\0\x18ftypheic\0\0\0\0", EvidenceKind.PHOTO, "image/heic"),
        (b"ID3\x04\0\0\0\0\0\0", EvidenceKind.AUDIO, "audio/mpeg"),
        (b"\0\0\0\x20ftypM4A \0\0\0\0", EvidenceKind.AUDIO, "audio/mp4"),
        (b"#!AMR\n\x3c", EvidenceKind.AUDIO, "audio/amr"),
        (b"RIFF\0\0\0\0WAVEfmt ", EvidenceKind.AUDIO, "audio/wav"),
        (b"%PDF-1.7\n", EvidenceKind.DOCUMENT, "application/pdf"),
        (
            docx(),
            EvidenceKind.DOCUMENT,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_a_file_is_what_its_first_bytes_say(
    content: bytes, kind: EvidenceKind, content_type: str
) -> None:
    found = sniff(content)
    assert found is not None and (found.kind, found.content_type) == (kind, content_type)


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\0\3\0",  # a Windows program
        b"\x7fELF\2\1\1",
        b"PK\3\4" + b"\0" * 30,  # a zip that is no Word document
        b"<html><script>alert(1)</script>",
        b"\xff\xfeh\0i\0",  # UTF-16 text: no MP3 frame
        "纯文本".encode(),
    ],
)
def test_anything_else_is_refused(content: bytes) -> None:
    assert sniff(content) is None


async def counts(live: Live) -> tuple[int, int]:
    events = await live.pool.fetchval("SELECT count(*) FROM events")
    files = await live.pool.fetchval("SELECT count(*) FROM evidence_files")
    return events, files


async def note(
    client: httpx.AsyncClient, incident: str, name: str, content: bytes, idem: str | None = None
) -> httpx.Response:
    return await client.post(
        f"/incidents/{incident}/notes",
        data={"text": NOTE},
        files={"file": (name, content, "image/jpeg")},
        headers={"Idempotency-Key": idem or key(), "Accept": "application/json"},
    )


async def test_refused_files_write_nothing_and_a_retry_keeps_one(live: Live) -> None:
    duty = await live.client("duty1")
    staff = await live.client("staff1")
    incident = await open_incident(duty, "violence", location="接待大厅")
    before = await counts(live)
    too_big = b"\xff\xd8\xff" + b"\0" * (LIMITS[EvidenceKind.PHOTO])
    for name, content, reason in [
        ("程序.jpg", b"MZ\x90\0" * 40, "upload.type"),
        ("空的.png", b"", "upload.empty"),
        ("太大.jpg", too_big, "upload.kind_too_large"),
    ]:
        reply = await note(staff, incident, name, content)
        assert reply.status_code == 422, reply.text
        assert reply.json()["reason"] == reason
        assert name in reply.json()["text"]  # in the reader's language, naming the file
    assert await counts(live) == before

    idem, photo = key(), png()
    first = await note(staff, incident, NAME, photo, idem)
    again = await note(staff, incident, NAME, photo, idem)
    assert (first.status_code, again.status_code) == (201, 200)
    assert await counts(live) == (before[0] + 1, before[1] + 1)
    listed = (await duty.get(f"/api/incidents/{incident}/events")).json()
    [attached] = [e for e in listed if e["kind"] == "evidence_attached"]
    assert attached["payload"]["sha256"] == hashlib.sha256(photo).hexdigest()
    assert (attached["payload"]["file_name"], attached["payload"]["note"]) == (NAME, NOTE)
    timeline = (await duty.get(f"/incidents/{incident}")).text
    assert f"附上照片「{NAME}」" in timeline and NOTE in timeline


def _export(url: str, incident: str, out: Path, *flags: str) -> Any:
    done = cli(url, "export", incident, "--format", "json", "-o", str(out), *flags)
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_bytes())


async def test_exports_list_files_by_hash_and_verify_checks_the_zip(
    live: Live, database_url: str, tmp_path: Path
) -> None:
    duty = await live.client("duty1")
    incident = await open_incident(duty, "violence", location="接待大厅")
    photo = png()
    assert (await note(await live.client("staff1"), incident, NAME, photo)).status_code == 201
    digest = hashlib.sha256(photo).hexdigest()

    full = _export(database_url, incident, tmp_path / "full.json", "--full", "--files")
    [listed] = full["manifest"]["attachments"]
    assert listed | {"seq": 0} == {
        "seq": 0,
        "sha256": digest,
        "kind": "photo",
        "content_type": "image/png",
        "size": len(photo),
    }
    with zipfile.ZipFile(tmp_path / "full.files.zip") as z:
        assert z.read(f"files/{digest}") == photo
    ok = cli(database_url, "verify", str(tmp_path / "full.json"))
    assert ok.returncode == 0 and "1 attached files verified in full.files.zip" in ok.stdout

    private = "来访人姓名：张三伟的身份证.png"
    assert (await note(await live.client("staff1"), incident, private, png())).status_code == 201
    redacted = _export(database_url, incident, tmp_path / "redacted.json", "--redact")
    assert "张三伟" not in (tmp_path / "redacted.json").read_text("utf-8")
    full = _export(database_url, incident, tmp_path / "full.json", "--full", "--files")
    assert redacted["manifest"]["attachments"] == full["manifest"]["attachments"]
    assert len(full["manifest"]["attachments"]) == 2
    assert not (tmp_path / "redacted.files.zip").exists()
    listed_only = cli(database_url, "verify", str(tmp_path / "redacted.json"))
    assert listed_only.returncode == 0 and "listed by hash" in listed_only.stdout

    with zipfile.ZipFile(tmp_path / "full.files.zip", "w") as z:  # one byte changed
        z.writestr(f"files/{digest}", photo[:-1] + bytes([photo[-1] ^ 1]))
    broken = cli(database_url, "verify", str(tmp_path / "full.json"))
    assert broken.returncode == 1
    seq = listed["seq"]
    assert f"seq {seq}: the file attached at seq {seq} no longer hashes" in broken.stdout

    md = cli(
        database_url, "export", incident, "--format", "md", "--full", "-o", str(tmp_path / "r.md")
    )
    assert md.returncode == 0, md.stderr
    report = (tmp_path / "r.md").read_text("utf-8")
    assert digest in report and NAME in report and "## 证据附件" in report

    forged = dict(full, manifest={**full["manifest"], "attachments": []})
    (tmp_path / "forged.json").write_text(json.dumps(forged, ensure_ascii=False))
    assert cli(database_url, "verify", str(tmp_path / "forged.json")).returncode == 1


def test_limits_are_whole_mebibytes() -> None:
    assert all(limit % MIB == 0 for limit in LIMITS.values())
