"""HubSpot's rolling-window rate limit per token (off by default)."""

from __future__ import annotations

from typing import Any

import httpx
from mock_testing import EMAIL

from mock_server import MockConfig, RateLimit
from mock_server.ratelimit import RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def limited(make_client: Any, limit: RateLimit) -> tuple[httpx.AsyncClient, FakeClock]:
    clock = FakeClock()
    app, client = await make_client(
        MockConfig(
            rate_limit=limit,
            tokens={
                "test-token": frozenset({"communication_preferences.read"}),
                "other": frozenset(),
            },
        )
    )
    app.limiter = RateLimiter(limit, clock=clock)
    return client, clock


async def test_off_by_default(client: httpx.AsyncClient) -> None:
    for _ in range(120):
        r = await client.get("/definitions")
        assert r.status_code == 200
    assert not any(h.startswith("x-hubspot-ratelimit") for h in r.headers)


async def test_headers_count_down_then_429(make_client: Any) -> None:
    client, clock = await limited(make_client, RateLimit(max_requests=3, interval_seconds=10))
    remaining = []
    for _ in range(3):
        r = await client.get("/definitions")
        assert r.status_code == 200
        assert r.headers["x-hubspot-ratelimit-max"] == "3"
        assert r.headers["x-hubspot-ratelimit-interval-milliseconds"] == "10000"
        remaining.append(int(r.headers["x-hubspot-ratelimit-remaining"]))
        clock.now += 1
    assert remaining == [2, 1, 0]
    r = await client.get("/definitions")
    assert r.status_code == 429
    body = r.json()
    assert body["errorType"] == "RATE_LIMIT"
    assert body["policyName"] == "TEN_SECONDLY_ROLLING"
    assert body["status"] == "error"
    assert body["correlationId"] == r.headers["x-hubspot-correlation-id"]
    assert body["requestId"]
    # The first request leaves the window 10 s after it was made, i.e. in 7 s.
    assert r.headers["retry-after"] == "7"
    assert r.headers["x-hubspot-ratelimit-remaining"] == "0"
    clock.now += 7
    assert (await client.get("/definitions")).status_code == 200


async def test_refused_requests_do_not_count(make_client: Any) -> None:
    client, clock = await limited(make_client, RateLimit(max_requests=1, interval_seconds=10))
    assert (await client.get("/definitions")).status_code == 200
    for _ in range(5):
        assert (await client.get("/definitions")).status_code == 429
    clock.now += 10
    assert (await client.get("/definitions")).status_code == 200


async def test_limits_are_per_token(make_client: Any) -> None:
    client, _ = await limited(make_client, RateLimit(max_requests=1, interval_seconds=10))
    assert (await client.get("/definitions")).status_code == 200
    assert (await client.get("/definitions")).status_code == 429
    other = await client.get("/definitions", headers={"Authorization": "Bearer other"})
    assert other.status_code == 403  # counted for its own token, then refused for scopes
    assert other.headers["x-hubspot-ratelimit-remaining"] == "0"


async def test_errors_carry_the_headers_too(make_client: Any) -> None:
    client, _ = await limited(make_client, RateLimit(max_requests=5, interval_seconds=10))
    r = await client.get("/statuses/not-an-email", params=EMAIL)
    assert r.status_code in (400, 403)
    assert r.headers["x-hubspot-ratelimit-remaining"] == "4"


async def test_daily_limit(make_client: Any) -> None:
    client, _ = await limited(make_client, RateLimit(max_requests=100, daily_max=2))
    assert (await client.get("/definitions")).headers["x-hubspot-ratelimit-daily-remaining"] == "1"
    assert (await client.get("/definitions")).status_code == 200
    r = await client.get("/definitions")
    assert r.status_code == 429
    assert r.json()["policyName"] == "DAILY"
    assert int(r.headers["retry-after"]) > 0


async def test_unauthenticated_requests_are_not_counted(make_client: Any) -> None:
    client, _ = await limited(make_client, RateLimit(max_requests=1, interval_seconds=10))
    for _ in range(3):
        r = await client.get("/definitions", headers={"Authorization": "Bearer unknown"})
        assert r.status_code == 401
    assert (await client.get("/definitions")).status_code == 200
