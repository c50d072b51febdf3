"""Seeded fault injection (in-process; the dropped connection over a socket is in
test_server.py)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from mock_testing import EMAIL, state

from mock_server import ConnectionDropped, Faults, MockConfig

NON_DROP = ("429", "500", "502", "503", "html", "latency")


async def outcomes(make_client: Any, seed: int | None, n: int = 60) -> list[int]:
    faults = Faults(rate=0.5, kinds=NON_DROP, latency_ms=1)
    _, client = await make_client(MockConfig(faults=faults, seed=seed))
    return [(await client.get("/definitions")).status_code for _ in range(n)]


async def test_same_seed_same_faults(make_client: Any) -> None:
    first = await outcomes(make_client, seed=7)
    assert first == await outcomes(make_client, seed=7)
    assert first != await outcomes(make_client, seed=8)
    assert {429, 500, 502, 503} <= set(first)  # several kinds drawn
    assert 200 in first


async def test_reset_restarts_the_fault_sequence(make_client: Any) -> None:
    _, client = await make_client(
        MockConfig(faults=Faults(rate=0.5, kinds=NON_DROP, latency_ms=1), seed=3)
    )
    first = [(await client.get("/definitions")).status_code for _ in range(30)]
    await client.post("http://mock/_mock/reset")
    assert first == [(await client.get("/definitions")).status_code for _ in range(30)]


@pytest.mark.parametrize("kind", ["500", "502", "503"])
async def test_json_5xx(make_client: Any, kind: str) -> None:
    _, client = await make_client(MockConfig(faults=Faults(rate=1.0, kinds=(kind,))))
    r = await client.get("/definitions")
    assert r.status_code == int(kind)
    assert r.headers["content-type"] == "application/json;charset=utf-8"
    assert r.json()["correlationId"] == r.headers["x-hubspot-correlation-id"]


async def test_429_fault(make_client: Any) -> None:
    faults = Faults(rate=1.0, kinds=("429",), retry_after_seconds=2)
    _, client = await make_client(MockConfig(faults=faults))
    r = await client.get("/definitions")
    assert r.status_code == 429
    assert r.headers["retry-after"] == "2"
    assert r.json()["policyName"] == "TEN_SECONDLY_ROLLING"


async def test_html_page(make_client: Any) -> None:
    _, client = await make_client(MockConfig(faults=Faults(rate=1.0, kinds=("html",))))
    r = await client.get("/definitions")
    assert r.status_code == 502
    assert r.headers["content-type"].startswith("text/html")
    assert "<html>" in r.text


async def test_latency_then_served(make_client: Any) -> None:
    _, client = await make_client(
        MockConfig(faults=Faults(rate=1.0, kinds=("latency",), latency_ms=1))
    )
    assert (await client.get("/definitions")).status_code == 200


async def test_drop_in_process_raises_a_transport_error(make_client: Any) -> None:
    _, client = await make_client(MockConfig(faults=Faults(rate=1.0, kinds=("drop",))))
    with pytest.raises(httpx.RemoteProtocolError):
        await client.get("/definitions")
    with pytest.raises(ConnectionDropped):
        await client.get("/definitions")


async def test_faulted_requests_change_nothing(make_client: Any) -> None:
    faults = Faults(rate=1.0, kinds=("429", "500", "502", "503", "html", "drop"))
    _, client = await make_client(MockConfig(faults=faults, seed=1))
    for i in range(20):
        try:
            r = await client.post(
                "/statuses/batch/unsubscribe-all",
                params=EMAIL,
                json={"inputs": [f"user{i}@example.com"]},
            )
            assert r.status_code >= 429
        except httpx.RemoteProtocolError:
            pass
    assert (await state(client))["subscribers"] == {}


async def test_lost_responses_happen_after_the_change(make_client: Any) -> None:
    faults = Faults(rate=0.0, lost_response_rate=1.0, kinds=("503",))
    _, client = await make_client(MockConfig(faults=faults))
    r = await client.post(
        "/statuses/batch/unsubscribe-all", params=EMAIL, json={"inputs": ["a@example.com"]}
    )
    assert r.status_code == 503
    subscriber = (await state(client))["subscribers"]["a@example.com"]
    assert set(subscriber["wideStatuses"]) == {"0"}


async def test_lost_response_by_drop(make_client: Any) -> None:
    faults = Faults(lost_response_rate=1.0, kinds=("drop", "latency"))
    _, client = await make_client(MockConfig(faults=faults))
    with pytest.raises(httpx.RemoteProtocolError):
        await client.post("/statuses/a@example.com/unsubscribe-all", params=EMAIL)
    assert "a@example.com" in (await state(client))["subscribers"]


async def test_faults_hit_before_auth_and_hooks_are_exempt(make_client: Any) -> None:
    _, client = await make_client(MockConfig(faults=Faults(rate=1.0, kinds=("500",))), headers={})
    assert (await client.get("/definitions")).status_code == 500
    assert (await client.get("http://mock/_mock/state")).status_code == 200


@pytest.mark.parametrize(
    "bad",
    [
        {"rate": 1.5},
        {"lost_response_rate": -0.1},
        {"kinds": ("teapot",)},
        {"kinds": ()},
        {"latency_ms": -1},
    ],
)
def test_bad_fault_settings_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        Faults(**bad)


@pytest.mark.parametrize(
    ("faults", "may_drop"),
    [
        (Faults(rate=0.1), True),
        (Faults(rate=0.1, kinds=("500", "latency")), False),
        (Faults(rate=0.0, kinds=("drop",)), False),
        (Faults(lost_response_rate=0.1, kinds=("latency",)), True),
        (Faults(lost_response_rate=0.1, kinds=("503",)), False),
    ],
)
def test_which_settings_may_drop_connections(faults: Faults, may_drop: bool) -> None:
    # The CLI serves with uvicorn exactly when a connection may have to be dropped.
    assert faults.may_drop is may_drop
