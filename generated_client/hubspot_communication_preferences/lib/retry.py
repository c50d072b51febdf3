"""How the client retries: a small, stable policy object on top of ``httpx_retries.Retry``.

Why httpx-retries (0.6.0) and not stamina or tenacity: it sits at the httpx *transport* seam, which
is the one place the generated client lets us add behaviour for all 10 operations, sync and async,
without wrapping 40 generated functions; it already knows HTTP (status lists, ``Retry-After`` as
seconds or HTTP date, exception classes) and drives both ``handle_request`` and
``handle_async_request``. stamina (26.1) and tenacity (9.2) retry *function calls* on exceptions;
either would need the transport to raise for retryable statuses and a wrapper per call, and neither
parses ``Retry-After`` (stamina can take a wait from a hook, which we would write by hand).

What this module adds to httpx-retries, and why:

* ``RetryPolicy`` counts *attempts* (``max_attempts=4`` is one call plus three retries) and states
  the backoff plainly: the wait before retry *n* is ``min(max_backoff, backoff_base * 2**(n-1))``
  scaled by a random factor in ``[1 - jitter, 1]``. (httpx-retries' own formula starts at
  ``factor * 2``, because it counts the retry before computing the wait.)
* ``Retry-After`` has its own cap (``max_retry_after``), apart from the backoff cap; httpx-retries
  has a single cap for both. A date in the past, or ``0``, means "retry now".
* The waiting is injectable (``sleep`` / ``async_sleep``): httpx-retries calls ``time.sleep`` and
  ``asyncio.sleep`` directly, so tests could not record waits without patching those globally.
* ``max_total_wait`` bounds the sum of waits for one call (httpx-retries' ``total_timeout``).

Which requests are retried at all is not decided here but by the spec: each generated call tags
its request with its operation's ``x-retry-safe`` (see ``operation.py``).

One real gap in httpx-retries, closed in ``transport.py``: ``RetryTransport`` only sees response
*headers*, so a connection dropped while the body streams is not retried (its FAQ says so).
``AttemptTransport`` reads each body inside the retry loop. Two traps avoided:
``Retry(allowed_methods=[])`` silently means the default methods (no POST), and
``RetryTransport(transport=<sync only>)`` has no async side.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from httpx_retries import Retry

from .retry_after import parse_retry_after

#: 429, the usual gateway failures, and Cloudflare's 520-524 (origin unreachable or timed out).
DEFAULT_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
#: No HTTP answer: timeouts, refused/reset connections, a connection dropped mid-response.
DEFAULT_RETRY_EXCEPTIONS: tuple[type[Exception], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)
# Every method: the operation's x-retry-safe, not the method, decides (most safe calls are POSTs).
_ALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a retry-safe call. Immutable; safe to share.

    Defaults: 4 attempts; waits of about 1, 2, 4 s (each 50-100 % of that, capped at 10 s);
    ``Retry-After`` honoured up to 60 s; at most 120 s of waiting per call in total.
    """

    max_attempts: int = 4
    backoff_base: float = 1.0
    max_backoff: float = 10.0
    jitter: float = 0.5
    max_retry_after: float = 60.0
    max_total_wait: float | None = 120.0
    retry_statuses: frozenset[int] = DEFAULT_RETRY_STATUSES
    retry_exceptions: tuple[type[Exception], ...] = DEFAULT_RETRY_EXCEPTIONS
    #: Called with the seconds to wait; replace it to record waits in tests.
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)
    async_sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, repr=False, compare=False)
    #: Draws the jitter factor in [low, high]; replace it for deterministic tests.
    uniform: Callable[[float, float], float] = field(default=random.uniform, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1 (1 means no retries)")
        if self.backoff_base < 0 or self.max_backoff <= 0 or self.max_retry_after < 0:
            raise ValueError("backoff_base and max_retry_after must be >= 0, max_backoff > 0")
        if not 0 <= self.jitter <= 1:
            raise ValueError("jitter must be between 0 and 1")
        if self.max_total_wait is not None and self.max_total_wait <= 0:
            raise ValueError("max_total_wait must be positive, or None for no bound")

    def backoff(self, retry_number: int) -> float:
        """Seconds to wait before retry ``retry_number`` (1 = first retry) without Retry-After."""
        ceiling: float = min(self.max_backoff, self.backoff_base * 2.0 ** max(0, retry_number - 1))
        if self.jitter:
            return ceiling * self.uniform(1 - self.jitter, 1)
        return ceiling

    def retry_after(self, header: str | None) -> float | None:
        """The wait ``Retry-After`` asks for, capped at ``max_retry_after``; None if unusable."""
        seconds = parse_retry_after(header)
        return None if seconds is None else min(seconds, self.max_retry_after)

    def to_retry(self) -> Retry:
        """The ``httpx_retries.Retry`` that applies this policy."""
        return _PolicyRetry(
            policy=self,
            total=self.max_attempts - 1,
            allowed_methods=_ALL_METHODS,
            status_forcelist=self.retry_statuses,
            retry_on_exceptions=self.retry_exceptions,
            # No max_backoff_wait: only Retry's own backoff and sleep read it, and _PolicyRetry
            # replaces both (the policy applies its own caps).
            total_timeout=self.max_total_wait,
        )


def no_retry() -> Retry:
    """A ``Retry`` that sends once: the request passes through, errors are not repeated."""
    return Retry(total=0)


class _PolicyRetry(Retry):
    """``httpx_retries.Retry`` whose waits come from a ``RetryPolicy`` and its injectable sleep."""

    def __init__(self, *, policy: RetryPolicy | None = None, **kwargs: Any) -> None:
        # Keywords only: to_retry and Retry.copy_with build it so.
        super().__init__(**kwargs)
        self.policy = policy or RetryPolicy()

    def copy_with(self, *args: Any, **kwargs: Any) -> Retry:
        # Retry.copy_with rebuilds from its own arguments only; carry the policy across.
        copy = super().copy_with(*args, **kwargs)
        assert isinstance(copy, _PolicyRetry)
        copy.policy = self.policy
        return copy

    def backoff_strategy(self) -> float:
        # attempts_made is already incremented for the retry about to happen.
        return self.policy.backoff(self.attempts_made)

    def wait_seconds(self, outcome: httpx.Response | Exception) -> float:
        """The wait before the next attempt after ``outcome``."""
        wait: float | None = None
        if isinstance(outcome, httpx.Response):
            wait = self.policy.retry_after(outcome.headers.get("retry-after"))
        if wait is None:
            wait = self.backoff_strategy()
        if self.total_timeout is not None:
            wait = min(wait, max(0.0, self.total_timeout - self.elapsed_sleep))
        return wait

    def sleep(self, response: httpx.Response | Exception) -> None:
        seconds = self.wait_seconds(response)
        self.policy.sleep(seconds)
        self.elapsed_sleep += seconds

    async def asleep(self, response: httpx.Response | Exception) -> None:
        seconds = self.wait_seconds(response)
        await self.policy.async_sleep(seconds)
        self.elapsed_sleep += seconds
