"""Run a coroutine's first step now, as Python 3.12's eager tasks do (we support 3.11).

Sending one frame to a socket almost never has to wait: stepping the send coroutine
directly saves a task switch per console per message, which is most of the fan-out's
cost above a raw broadcast. When it does have to wait (flow control), a task finishes it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Coroutine
from typing import Any


def run_eagerly(coro: Awaitable[None]) -> asyncio.Future[None] | None:
    """None when the coroutine finished at once; otherwise a future that finishes it."""
    if not isinstance(coro, Coroutine):  # an awaitable that is no coroutine: a task runs it
        return asyncio.ensure_future(coro)
    try:
        waiting = coro.send(None)
    except StopIteration:
        return None
    return asyncio.ensure_future(_resume(coro, waiting))


async def _resume(coro: Coroutine[Any, Any, None], waiting: Any) -> None:
    try:
        while True:
            if waiting is None:  # a bare yield (asyncio.sleep(0)): give the loop one turn
                await asyncio.sleep(0)
            else:
                await asyncio.wait([_as_future(waiting)])  # resume only once it is done
            try:
                waiting = coro.send(None)
            except StopIteration:
                return
    finally:
        coro.close()


def _as_future(waiting: Any) -> asyncio.Future[Any]:
    if isinstance(waiting, asyncio.Future):
        return waiting
    raise RuntimeError(f"a send coroutine yielded {waiting!r}, not a future")
