"""What a file is, read from its first bytes: never its name, never the type the browser
declared. Only the types listed here are taken; each kind has its own size limit.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from incidents.evidence import EvidenceKind

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Found:
    kind: EvidenceKind
    content_type: str
    label: str  # the format's short name, for the README and refusals ("JPEG")


# The largest file of each kind (README "Evidence"): a phone's photo is 2-8 MiB, a minute of
# speech in AAC/AMR well under 1 MiB, a scanned custody form a few MiB.
LIMITS: dict[EvidenceKind, int] = {
    EvidenceKind.PHOTO: 15 * MIB,
    EvidenceKind.AUDIO: 25 * MIB,
    EvidenceKind.DOCUMENT: 10 * MIB,
}
MAX_UPLOAD = max(LIMITS.values()) + MIB  # the whole request, its other fields included


def _ftyp(head: bytes) -> bytes:
    return head[8:12] if head[4:8] == b"ftyp" else b""


_HEIF = {b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis", b"hevc"}
_MP3_SYNC = {b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"}  # MPEG-1/2 layer III frames, no ID3
_M4A = {b"M4A ", b"M4B ", b"3gp4", b"3gp5", b"3gp6", b"3g2a"}


def _docx(data: bytes) -> bool:
    """A Word document: a zip whose parts say so (any zip alone is refused)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_P, _A, _D = EvidenceKind.PHOTO, EvidenceKind.AUDIO, EvidenceKind.DOCUMENT

# (test on the first bytes, or the whole file) -> what it is; first match wins.
SIGNATURES: tuple[tuple[Callable[[bytes], bool], Found], ...] = (
    (lambda b: b[:3] == b"\xff\xd8\xff", Found(_P, "image/jpeg", "JPEG")),
    (lambda b: b[:8] == b"\x89PNG\r\n\x1a\n", Found(_P, "image/png", "PNG")),
    (lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP", Found(_P, "image/webp", "WebP")),
    (lambda b: _ftyp(b) in _HEIF, Found(_P, "image/heic", "HEIC")),
    (lambda b: b[:3] == b"ID3" or b[:2] in _MP3_SYNC, Found(_A, "audio/mpeg", "MP3")),
    (lambda b: _ftyp(b) in _M4A, Found(_A, "audio/mp4", "M4A")),
    (lambda b: b[:4] == b"OggS", Found(_A, "audio/ogg", "Ogg")),
    (lambda b: b[:4] == b"RIFF" and b[8:12] == b"WAVE", Found(_A, "audio/wav", "WAV")),
    (lambda b: b[:4] == b"\x1a\x45\xdf\xa3", Found(_A, "audio/webm", "WebM")),
    (lambda b: b[:6] == b"#!AMR\n", Found(_A, "audio/amr", "AMR")),
    (lambda b: b[:5] == b"%PDF-", Found(_D, "application/pdf", "PDF")),
    (
        lambda b: b[:4] == b"PK\x03\x04" and _docx(b),
        Found(
            _D, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX"
        ),
    ),
)

# Every type a stored file may be served as (its Content-Type is only ever one of these).
CONTENT_TYPES = frozenset(found.content_type for _, found in SIGNATURES)
THUMBNAILED = frozenset({"image/jpeg", "image/png", "image/webp"})


def sniff(data: bytes) -> Found | None:
    """What the file's content says it is; None: not a type taken as evidence."""
    return next((found for test, found in SIGNATURES if test(data)), None)
