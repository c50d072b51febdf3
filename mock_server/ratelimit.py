"""HubSpot's per-token rolling-window rate limit and its X-HubSpot-RateLimit-* headers."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from mock_server.config import RateLimit

Headers = list[tuple[bytes, bytes]]


@dataclass
class _Window:
    times: deque[float] = field(default_factory=deque)
    day: int = -1
    daily_count: int = 0


@dataclass(frozen=True)
class Decision:
    allowed: bool
    headers: Headers
    retry_after: int  # seconds, when not allowed
    policy_name: str = ""  # the limit that refused the request
    message: str = ""


class RateLimiter:
    def __init__(self, limit: RateLimit, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._wall = time.time
        self._windows: dict[str, _Window] = {}
        self._interval_ms = str(int(limit.interval_seconds * 1000)).encode()
        self._max = str(limit.max_requests).encode()
        self._daily = str(limit.daily_max).encode()

    def reset(self) -> None:
        self._windows.clear()

    def check(self, token: str) -> Decision:
        """Count one request of ``token``; a refused request is not counted."""
        now = self._clock()
        window = self._windows.setdefault(token, _Window())
        times = window.times
        horizon = now - self.limit.interval_seconds
        while times and times[0] <= horizon:
            times.popleft()
        day = int(self._wall() // 86_400)
        if day != window.day:
            window.day, window.daily_count = day, 0
        within_window = len(times) < self.limit.max_requests
        within_day = window.daily_count < self.limit.daily_max
        allowed = within_window and within_day
        if allowed:
            times.append(now)
            window.daily_count += 1
        remaining = self.limit.max_requests - len(times)
        headers: Headers = [
            (b"x-hubspot-ratelimit-max", self._max),
            (b"x-hubspot-ratelimit-remaining", str(remaining).encode()),
            (b"x-hubspot-ratelimit-interval-milliseconds", self._interval_ms),
            (b"x-hubspot-ratelimit-daily", self._daily),
            (
                b"x-hubspot-ratelimit-daily-remaining",
                str(self.limit.daily_max - window.daily_count).encode(),
            ),
        ]
        if allowed:
            return Decision(True, headers, 0)
        if not within_day:
            seconds_left = 86_400 - self._wall() % 86_400
            return Decision(
                False,
                headers,
                math.ceil(seconds_left),
                "DAILY",
                "You have reached your daily limit.",
            )
        wait = times[0] + self.limit.interval_seconds - now
        return Decision(
            False,
            headers,
            max(1, math.ceil(wait)),
            self.limit.policy_name,
            "You have reached your ten secondly limit.",
        )
