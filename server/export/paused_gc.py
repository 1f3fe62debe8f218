"""The cyclic garbage collector paused while an export is built.

Building an export allocates hundreds of thousands of objects (events redacted, rows, boxes,
lines) and frees few until it ends, so each full collection the allocations set off walks all
of them for little to free: three full collections, ≈ 0.3 s of a 10,000-event PDF
(`python -m bench.export 10000 --stages`, `gc_seconds`). Paused, the cycles made meanwhile
(WeasyPrint's boxes, and the Pango layouts they hold) wait until the block ends: a 10,000-event
PDF's peak memory grows by ≈ 3 MiB (298 → 300 MiB; ≈ 75 MiB when the timeline was laid out in
blocks of 200 events, whose lines each held a copy of the rest of their block). Reference
counting still frees everything else at once.
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
