"""An upload read from a multipart form: at most one file, within its kind's limit, its type
found from its content. Anything wrong is refused by name before a command exists, so a
refused file writes nothing: neither an event nor bytes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from starlette.datastructures import UploadFile
from starlette.requests import Request

from incidents.errors import InvalidCommand, Named
from incidents.evidence import Attachment
from server.evidence.sniff import LIMITS, MAX_UPLOAD, MIB, sniff
from server.forms import MULTIPART

FILE_FIELDS = ("file", "photo")  # the phone's camera input, and any other file


@dataclass(frozen=True, slots=True)
class Upload:
    attachment: Attachment
    content: bytes


def _too_large() -> InvalidCommand:
    return InvalidCommand(
        "upload.too_large", "the request is too large", field="file", max=MAX_UPLOAD // MIB
    )


async def cap_body(request: Request) -> None:
    """Read a multipart body whole, refusing it past MAX_UPLOAD (with or without a length)."""
    if not request.headers.get("content-type", "").startswith(MULTIPART):
        return
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_UPLOAD:
        raise _too_large()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_UPLOAD:
            raise _too_large()
        chunks.append(chunk)
    request._body = b"".join(chunks)  # starlette reads the form from it


async def read_upload(request: Request) -> Upload | None:
    """The one file of the form, checked; None when the form has none (or an empty input)."""
    if not request.headers.get("content-type", "").startswith(MULTIPART):
        return None
    form = await request.form(max_part_size=MAX_UPLOAD)
    try:
        files = [v for k, v in form.multi_items() if k in FILE_FIELDS and isinstance(v, UploadFile)]
        files = [f for f in files if f.filename or (f.size or 0) > 0]
        if len(files) > 1:
            raise InvalidCommand("upload.one_file", "one file per command", field="file")
        if not files:
            return None
        return checked(files[0].filename or "", await files[0].read())
    finally:
        await form.close()  # its spooled files


def checked(name: str, content: bytes) -> Upload:
    """The file as evidence, or a refusal naming what is wrong with it."""
    if not content:
        raise InvalidCommand("upload.empty", "the file is empty", field="file", name=name)
    found = sniff(content)
    if found is None:
        raise InvalidCommand(
            "upload.type", "not a photo, recording or document we take", field="file", name=name
        )
    if len(content) > LIMITS[found.kind]:
        limit = LIMITS[found.kind] // MIB
        raise InvalidCommand(
            "upload.kind_too_large",
            f"a {found.kind} may be {limit} MiB at most",
            field="file",
            name=name,
            kind=Named("evidence", found.kind.value),
            max=limit,
        )
    digest = hashlib.sha256(content).hexdigest()
    return Upload(Attachment(digest, found.kind, found.content_type, len(content), name), content)
