"""Group commit: requests that arrive while others are being written share the next batch.

A few batches run at once (each on its own connection); a request that arrives when all of
them are busy waits in the queue, and the first batch to finish takes everything queued,
up to `max_batch`. At low load a request starts its own batch at once, so it never waits
for company. Each request is answered only when its batch has finished: with its own
result or error, or, when the batch as a whole failed (its COMMIT), with that failure.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

R = TypeVar("R")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Batching:
    """How commands share transactions: `lanes` queues (an incident always in the same one),
    each with up to `in_flight` transactions at once of up to `max_batch` commands."""

    lanes: int = 1
    in_flight: int = 1
    max_batch: int = 64


# One lane, one transaction at a time: the Python work of a command (deciding, encoding) is
# what a node runs out of first, and big batches share their round trips and their COMMIT
# among the most commands (bench/README.md). 64: PostgreSQL keeps a transaction's first 64
# subtransactions (a savepoint each) in shared memory; past that every snapshot grows slower.
GROUP_COMMIT = Batching()
# The comparison the bench draws: a transaction per command, as many at once as there are.
ONE_TRANSACTION_EACH = Batching(lanes=1, in_flight=1_000, max_batch=1)

Runner = Callable[[Sequence[R]], Awaitable[Sequence[T | Exception]]]


class GroupCommit(Generic[R, T]):
    def __init__(self, run: Runner[R, T], *, in_flight: int, max_batch: int) -> None:
        self._run = run
        self._in_flight = in_flight
        self._max_batch = max_batch
        self._queue: deque[tuple[R, asyncio.Future[T]]] = deque()
        self._draining = 0  # counted, not read off the tasks: see _drain
        self._tasks: set[asyncio.Task[None]] = set()  # held, so none is collected mid-batch

    async def submit(self, request: R) -> T:
        """The request's result, once the transaction that holds it has committed."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.append((request, future))
        if self._draining < self._in_flight:
            self._draining += 1
            # Its own task (a caller that goes away cancels its wait, never its neighbours'
            # batch), with a context of its own: not the request id of whoever started it.
            task = asyncio.create_task(self._drain(), context=contextvars.Context())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await future

    def _take(self) -> list[tuple[R, asyncio.Future[T]]]:
        """The next batch: the oldest queued requests whose callers still wait."""
        batch: list[tuple[R, asyncio.Future[T]]] = []
        while self._queue and len(batch) < self._max_batch:
            request, future = self._queue.popleft()
            if not future.done():  # a caller cancelled before its batch began: never run
                batch.append((request, future))
        return batch

    async def _drain(self) -> None:
        try:
            while batch := self._take():
                await self._settle(batch)
        finally:
            # In the same step as finding the queue empty: a request queued after this
            # line starts a drainer of its own, so none is left waiting for one.
            self._draining -= 1

    async def _settle(self, batch: list[tuple[R, asyncio.Future[T]]]) -> None:
        try:
            results = await self._run([request for request, _ in batch])
        except Exception as failed:  # the batch's transaction: nobody is acknowledged
            results = [failed] * len(batch)
        except BaseException:
            for _, future in batch:
                future.cancel()
            raise
        for (_, future), result in zip(batch, results, strict=True):
            if future.done():
                continue
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)
