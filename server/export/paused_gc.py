"""The cyclic garbage collector paused while an export is built.

Building an export allocates hundreds of thousands of objects (events redacted, rows, boxes,
lines) and frees few until it ends, so each full collection the allocations set off walks all
of them for little to free: three full collections, ≈ 0.3 s of a 10,000-event PDF
(`python -m bench.export 10000 --stages`, `gc_seconds`). Paused, that garbage waits until the
block ends: the cycles WeasyPrint makes (its boxes, and the Pango layouts they hold) raise a
10,000-event PDF's peak memory by ≈ 75 MiB. Reference counting still frees everything else.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic collection inside the block; after it, the collector is as it was before,
    even when the block raises. Process-wide: an inner block leaves it to the outermost."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
