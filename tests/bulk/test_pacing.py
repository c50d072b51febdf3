"""Our own request budget (commprefs_kit/bulk/ratelimit.py): never a 429 of our own making.

The pacing tests run on an event loop whose clock is injected: virtual time that jumps to the
next timer instead of sleeping, so hundreds of paced requests take milliseconds and every
figure below is exact (no wall clock is read or asserted on). The judge is the mock's own
rolling-window limiter, fed the same virtual clock.
"""

from __future__ import annotations

import asyncio
import json
import selectors
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import httpx
import pytest
from bulk_testing import TOKEN, all_ok, emails
from hubspot_communication_preferences import RetryPolicy, make_client

from commprefs_kit.bulk import unsubscribe_all
from commprefs_kit.bulk.ratelimit import HUBSPOT_DEFAULT_RATE, PacedTransport, Rate
from mock_server.config import RateLimit
from mock_server.ratelimit import RateLimiter

T = TypeVar("T")


# -- an event loop on an injected clock ------------------------------------------------------


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0


class _JumpingSelector(selectors.DefaultSelector):
    """Waiting for a timer jumps the clock there; real I/O (the loop's wake-up pipe) still works."""

    def __init__(self, clock: _Clock) -> None:
        super().__init__()
        self.clock = clock

    def select(self, timeout: float | None = None) -> list[Any]:
        events: list[Any] = super().select(0)
        if events or timeout is None:
            return events or super().select(timeout)
        # Like a real clock, time also moves a little on every turn of the loop (1 µs): a
        # timer due in 1e-17 s (float rounding in the limiter) must not spin forever.
        self.clock.now += max(timeout, 1e-6)
        return []


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        self.clock = _Clock()
        super().__init__(_JumpingSelector(self.clock))

    def time(self) -> float:
        return self.clock.now


def run_virtual(main: Callable[[VirtualTimeLoop], Coroutine[Any, Any, T]]) -> T:
    loop = VirtualTimeLoop()
    try:
        return loop.run_until_complete(main(loop))
    finally:
        loop.close()


class _Recorder(httpx.AsyncBaseTransport):
    """The server side: when each attempt arrives (virtual time), judged by the mock's limiter."""

    def __init__(
        self,
        loop: VirtualTimeLoop,
        budget: RateLimit,
        answer: Callable[[httpx.Request, int], httpx.Response],
    ) -> None:
        self.loop = loop
        self.limiter = RateLimiter(budget, clock=loop.time)
        self.answer = answer
        self.arrivals: list[float] = []
        self.refused = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.arrivals.append(self.loop.time())
        if not self.limiter.check(TOKEN).allowed:
            self.refused += 1
            return httpx.Response(429, headers={"Retry-After": "1"}, json={"status": "error"})
        return self.answer(request, len(self.arrivals))


def _most_in_any_window(arrivals: list[float], seconds: float) -> int:
    """Most arrivals inside any rolling window (t - seconds, t], as HubSpot counts them."""
    most, start = 0, 0
    for end, t in enumerate(arrivals):
        while arrivals[start] <= t - seconds:
            start += 1
        most = max(most, end - start + 1)
    return most


def _ok(request: httpx.Request, _: int) -> httpx.Response:
    return httpx.Response(200, json={"ok": True})


# -- Rate ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "requests", "seconds"),
    [
        ("100/10s", 100, 10.0),
        ("190/10", 190, 10.0),
        (" 10 / 1 sec ", 10, 1.0),
        ("600/1m", 600, 60.0),
        ("5/2min", 5, 120.0),
        ("50/500ms", 50, 0.5),
        ("7/", 7, 1.0),
        ("3/2.5seconds", 3, 2.5),
    ],
)
def test_rate_parse(text: str, requests: int, seconds: float) -> None:
    rate = Rate.parse(text)
    assert (rate.requests, rate.per_seconds, rate.utilisation) == (requests, seconds, 0.98)


@pytest.mark.parametrize("text", ["", "100", "x/10", "100/10h", "-1/10", "0/10", "100/0", "1/10s;"])
def test_rate_parse_refuses(text: str) -> None:
    # The CLI prints the message after `--rate:`; it says what was read and how to write it.
    with pytest.raises(ValueError, match=r"^cannot read rate .*; write it like 100/10s$|^a rate"):
        Rate.parse(text)


def test_rate_arithmetic() -> None:
    rate = Rate(100, 10.0)
    assert rate.interval == pytest.approx(10.0 / 98)
    assert rate.per_second == pytest.approx(9.8)
    assert str(rate) == "100/10s" and str(Rate(5, 0.5)) == "5/0.5s"
    assert Rate.parse("100/10s", utilisation=1.0).interval == pytest.approx(0.1)
    assert Rate(100, 10.0) == HUBSPOT_DEFAULT_RATE
    needs = "a rate needs at least 1 request per a positive number of seconds"
    for bad, message in (
        ({"requests": 0}, needs),
        ({"per_seconds": 0}, needs),
        ({"utilisation": 0}, "utilisation must be in (0, 1]"),
        ({"utilisation": 1.01}, "utilisation must be in (0, 1]"),
    ):
        with pytest.raises(ValueError) as caught:
            Rate(**{"requests": 1, **bad})  # type: ignore[arg-type]
        assert str(caught.value) == message
    with pytest.raises(ValueError) as caught:
        Rate.parse("x/10")
    assert str(caught.value) == "cannot read rate 'x/10'; write it like 100/10s"
    assert Rate(1, 1.0, utilisation=1.0).interval == 1.0


# -- PacedTransport on the injected clock ----------------------------------------------------


@pytest.mark.parametrize(
    "rate", [Rate(100, 10.0), Rate(190, 10.0), Rate(10, 1.0), Rate(3, 2.0, utilisation=1.0)]
)
def test_paced_transport_stays_within_the_budget_and_uses_it(rate: Rate) -> None:
    count = rate.requests * 3 + 7

    async def main(loop: VirtualTimeLoop) -> _Recorder:
        server = _Recorder(loop, RateLimit(rate.requests, rate.per_seconds), _ok)
        paced = PacedTransport(server, rate.limiter())

        async def one(i: int) -> None:
            await paced.handle_async_request(httpx.Request("POST", f"http://hubspot/{i}"))

        await asyncio.gather(*(one(i) for i in range(count)))  # all at once: a burst
        return server

    server = run_virtual(main)
    assert len(server.arrivals) == count and server.refused == 0
    assert _most_in_any_window(server.arrivals, rate.per_seconds) <= rate.requests
    gaps = [b - a for a, b in zip(server.arrivals, server.arrivals[1:], strict=False)]
    assert min(gaps) >= rate.interval * 0.999
    # ... and no slower than the budget: the last request leaves on its slot.
    assert server.arrivals[-1] <= (count - 1) * rate.interval * 1.001


def test_paced_transport_passes_the_answer_and_closes_the_inner_transport() -> None:
    closed: list[bool] = []

    class Inner(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            return httpx.Response(207, content=request.url.path.encode())

        async def aclose(self) -> None:
            closed.append(True)

    async def main(loop: VirtualTimeLoop) -> httpx.Response:
        paced = PacedTransport(Inner(), Rate(1, 1.0).limiter())
        response = await paced.handle_async_request(httpx.Request("GET", "http://h/p"))
        await paced.aclose()
        return response

    response = run_virtual(main)
    assert response.status_code == 207 and response.content == b"/p"
    assert closed == [True]


def _flaky(request: httpx.Request, arrival: int) -> httpx.Response:
    """Every third attempt fails (503 with Retry-After: 0): the retries must be paced too."""
    if arrival % 3 == 0:
        return httpx.Response(
            503, headers={"Retry-After": "0"}, json={"status": "error", "message": "busy"}
        )
    return all_ok(json.loads(request.content)["inputs"], request)


def test_bulk_run_with_retries_causes_no_429_of_its_own() -> None:
    """The CLI's stack: retries above, the pacer under them, so every attempt is paced."""
    rate = Rate(10, 1.0)
    addresses = emails(90)

    async def main(loop: VirtualTimeLoop) -> tuple[_Recorder, list[Any]]:
        server = _Recorder(loop, RateLimit(rate.requests, rate.per_seconds), _flaky)
        retry = RetryPolicy(max_attempts=5, jitter=0.0)  # real backoff: virtual time is free
        client = make_client(
            TOKEN,
            base_url="http://hubspot",
            retry=retry,
            async_transport=PacedTransport(server, rate.limiter()),
        )
        async with client:
            results = [
                r
                async for r in unsubscribe_all(
                    addresses, client=client, rate=None, batch_size=3, concurrency=8
                )
            ]
        return server, results

    server, results = run_virtual(main)
    assert {r.outcome.value for r in results} == {"unsubscribed"}
    assert len(results) == len(addresses)
    assert len(server.arrivals) == 44  # 30 batches answered; 14 attempts failed, were retried
    assert server.refused == 0
    assert _most_in_any_window(server.arrivals, rate.per_seconds) <= rate.requests


def test_without_pacing_the_same_run_would_be_refused() -> None:
    """The judge is not vacuous: the same burst unpaced gets 429s from the mock's limiter."""
    rate = Rate(10, 1.0)

    async def main(loop: VirtualTimeLoop) -> _Recorder:
        server = _Recorder(loop, RateLimit(rate.requests, rate.per_seconds), _ok)
        await asyncio.gather(
            *(server.handle_async_request(httpx.Request("GET", "http://h/")) for _ in range(30))
        )
        return server

    assert run_virtual(main).refused == 20


def test_the_library_paces_with_its_own_rate() -> None:
    """`unsubscribe_all(rate=...)` paces its requests when the client is not paced already."""
    rate = Rate(10, 1.0)

    async def main(loop: VirtualTimeLoop) -> _Recorder:
        server = _Recorder(
            loop,
            RateLimit(rate.requests, rate.per_seconds),
            lambda request, _: all_ok(json.loads(request.content)["inputs"], request),
        )
        client = make_client(TOKEN, base_url="http://hubspot", retry=None, async_transport=server)
        async with client:
            async for _ in unsubscribe_all(
                emails(60), client=client, rate=rate, batch_size=2, concurrency=8
            ):
                pass
        return server

    server = run_virtual(main)
    assert len(server.arrivals) == 30 and server.refused == 0
    gaps = [b - a for a, b in zip(server.arrivals, server.arrivals[1:], strict=False)]
    assert min(gaps) >= rate.interval * 0.999
