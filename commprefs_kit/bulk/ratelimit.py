"""Our own request budget, so that the tool never causes a 429 by itself.

HubSpot counts requests in a rolling 10-second window (policy TEN_SECONDLY_ROLLING:
100 per 10 s for OAuth apps and Free/Starter private apps, 190 per 10 s for
Pro/Enterprise private apps). A leaky bucket that allows a burst of the whole budget
(aiolimiter's `AsyncLimiter(100, 10)`) can send ~200 requests inside one rolling window
(a burst of 100, then 100 more as the bucket drains), so we pace instead: a bucket
of one, refilled every `per_seconds / (requests * utilisation)` seconds. Any 10-second
window then holds at most `requests * utilisation + 1` of our requests; with the default
utilisation of 0.98 that is 99 of 100, and over a long run 98 % of the budget is used.

aiolimiter (maintained, asyncio-native) does the waiting; pyrate-limiter 4 was the
alternative but its async acquire polls, and pacing needs no sliding-window log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx
from aiolimiter import AsyncLimiter

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)?\s*(ms|s|sec|seconds?|m|min)?\s*$")
_UNITS = {None: 1.0, "s": 1.0, "sec": 1.0, "second": 1.0, "seconds": 1.0, "ms": 0.001}
_UNITS.update({"m": 60.0, "min": 60.0})


@dataclass(frozen=True, slots=True)
class Rate:
    """A request budget: `requests` per `per_seconds`, used up to `utilisation`."""

    requests: int
    per_seconds: float = 10.0
    utilisation: float = 0.98

    def __post_init__(self) -> None:
        if self.requests < 1 or self.per_seconds <= 0:
            raise ValueError("a rate needs at least 1 request per a positive number of seconds")
        if not 0 < self.utilisation <= 1:
            raise ValueError("utilisation must be in (0, 1]")

    @classmethod
    def parse(cls, text: str, utilisation: float = 0.98) -> Rate:
        """'100/10s', '190/10', '10/1s', '600/1m'."""
        match = _RATE.match(text)
        if not match:
            raise ValueError(f"cannot read rate {text!r}; write it like 100/10s")
        count, amount, unit = match.groups()
        seconds = float(amount or 1) * _UNITS[unit]
        return cls(int(count), seconds, utilisation)

    @property
    def interval(self) -> float:
        """Seconds between two of our requests."""
        return self.per_seconds / (self.requests * self.utilisation)

    @property
    def per_second(self) -> float:
        return 1.0 / self.interval

    def limiter(self) -> AsyncLimiter:
        """A fresh pacer (one per event loop, as aiolimiter requires)."""
        return AsyncLimiter(1, self.interval)

    def __str__(self) -> str:
        return f"{self.requests}/{self.per_seconds:g}s"


#: HubSpot's lowest published budget (OAuth apps; Free/Starter private apps).
HUBSPOT_DEFAULT_RATE = Rate(100, 10.0)


class PacedTransport(httpx.AsyncBaseTransport):
    """Waits for the pacer before every HTTP attempt it forwards.

    Put it UNDER a retrying transport so that retries are paced too (otherwise a
    burst of retries after a fault could overrun the budget).
    """

    def __init__(self, inner: httpx.AsyncBaseTransport, limiter: AsyncLimiter) -> None:
        self._inner = inner
        self._limiter = limiter

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        async with self._limiter:
            pass
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()
