"""A bounded pipeline: one feeder, N workers, results in completion order.

Queues are bounded on both sides, so at most ~3N jobs exist at any moment however
long the input is (memory flat), and a slow consumer slows the workers down.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Generic, TypeVar

J = TypeVar("J")
R = TypeVar("R")


class _End:
    pass


_END = _End()


class _Failure(Generic[R]):
    def __init__(self, error: BaseException) -> None:
        self.error = error


async def run_pool(
    jobs: AsyncIterator[J],
    work: Callable[[J], Awaitable[R]],
    concurrency: int,
) -> AsyncIterator[R]:
    """Yield `work(job)` for every job, at most `concurrency` at a time.

    The first exception (from the jobs iterator or a worker) stops everything: the
    other workers are cancelled, results already finished are still yielded, then the
    exception is raised to the consumer.
    """
    inbox: asyncio.Queue[J | _End] = asyncio.Queue(maxsize=concurrency)
    outbox: asyncio.Queue[R | _End | _Failure[R]] = asyncio.Queue(maxsize=2 * concurrency)

    async def feed() -> None:
        try:
            async for job in jobs:
                await inbox.put(job)
        except Exception as exc:
            await outbox.put(_Failure(exc))
            return
        for _ in range(concurrency):
            await inbox.put(_END)

    async def worker() -> None:
        while True:
            job = await inbox.get()
            if isinstance(job, _End):
                await outbox.put(_END)
                return
            try:
                result = await work(job)
            except Exception as exc:
                await outbox.put(_Failure(exc))
                return
            await outbox.put(result)

    tasks: list[asyncio.Task[Any]] = [asyncio.create_task(feed())]
    tasks += [asyncio.create_task(worker()) for _ in range(concurrency)]
    finished = 0
    failure: BaseException | None = None
    try:
        while finished < concurrency:
            item = await outbox.get()
            if isinstance(item, _End):
                finished += 1
            elif isinstance(item, _Failure):
                failure = item.error
                break
            else:
                yield item
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    if failure is not None:
        while not outbox.empty():
            item = outbox.get_nowait()
            if not isinstance(item, _End | _Failure):
                yield item
        raise failure
