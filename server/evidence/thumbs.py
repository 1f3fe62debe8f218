"""Thumbnails of attached photos, made with Pillow off the event loop and kept in memory."""

from __future__ import annotations

import asyncio
import io
from collections import OrderedDict

from PIL import Image, ImageOps

SIZE = (240, 240)
KEPT = 256  # thumbnails kept (about 10 KiB each)


def thumbnail(content: bytes) -> bytes | None:
    """A JPEG at most 240 px a side, turned as the camera held it; None: not readable."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.draft("RGB", (SIZE[0] * 2, SIZE[1] * 2))  # a JPEG decodes at a fraction
            small = ImageOps.exif_transpose(image).convert("RGB")
            small.thumbnail(SIZE)
            out = io.BytesIO()
            small.save(out, "JPEG", quality=80)
            return out.getvalue()
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


class Thumbnails:
    def __init__(self) -> None:
        self._kept: OrderedDict[str, bytes | None] = OrderedDict()

    async def of(self, sha256: str, content: bytes) -> bytes | None:
        if sha256 in self._kept:
            self._kept.move_to_end(sha256)
            return self._kept[sha256]
        made = await asyncio.to_thread(thumbnail, content)
        self._kept[sha256] = made
        while len(self._kept) > KEPT:
            self._kept.popitem(last=False)
        return made
