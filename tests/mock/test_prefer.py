"""``Prefer: code=NNN`` (Prism's convention): the declared status with a spec-valid,
HubSpot-shaped body, nothing changed; an undeclared status is a HubSpot 400 naming the
declared ones. Every answer here also passes the spec check of conftest's client."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from mock_testing import EMAIL, state
from valid_requests import VALID, call

from commprefs_spec.model import pinned_spec
from mock_server import MockConfig, RateLimit

ERROR_CODES = [400, 401, 403, 404, 409, 429, 500, 502, 503, 504]


def assert_hubspot_error(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status
    assert r.headers["content-type"] == "application/json;charset=utf-8"
    body: dict[str, Any] = r.json()
    assert body["status"] == "error"
    assert body["correlationId"] == r.headers["x-hubspot-correlation-id"]
    assert body["message"]
    return body


@pytest.mark.parametrize("operation_id", sorted(VALID))
@pytest.mark.parametrize("code", ERROR_CODES)
async def test_each_declared_error_status_of_each_operation(
    client: httpx.AsyncClient, operation_id: str, code: int
) -> None:
    r = await call(client, operation_id, {"Prefer": f"code={code}"})
    body = assert_hubspot_error(r, code)
    if code == 429:
        assert body["errorType"] == "RATE_LIMIT"
        assert body["policyName"] == "TEN_SECONDLY_ROLLING"
        assert r.headers["retry-after"] == "1"
    else:
        assert body["category"]
        assert "Prefer: code=" in body["message"] or code in (401, 403)
    assert (await state(client))["subscribers"] == {}  # nothing changed


async def test_auth_and_scope_answers_look_like_the_real_ones(client: httpx.AsyncClient) -> None:
    real_401 = await client.get("/definitions", headers={"Authorization": "Bearer nope"})
    asked_401 = await client.get("/definitions", headers={"Prefer": "code=401"})
    assert asked_401.json()["category"] == real_401.json()["category"] == "INVALID_AUTHENTICATION"
    assert asked_401.headers["x-hubspot-auth-failure"] == "401 Unauthorized"
    asked_403 = await call(client, "batch_unsubscribe_all", {"Prefer": "code=403"})
    body = asked_403.json()
    assert body["category"] == "MISSING_SCOPES"
    required = body["errors"][0]["context"]["requiredScopes"]
    op = pinned_spec().operations["batch_unsubscribe_all"]
    assert set(required) == {s for need in op.scope_sets for s in need}


async def test_categories(client: httpx.AsyncClient) -> None:
    expected = {
        400: "VALIDATION_ERROR",
        404: "OBJECT_NOT_FOUND",
        500: "INTERNAL_ERROR",
        502: "BAD_GATEWAY",
        503: "SERVICE_UNAVAILABLE",
    }
    for code, category in expected.items():
        r = await client.get("/definitions", headers={"Prefer": f"code={code}"})
        assert r.json()["category"] == category
    assert (await client.get("/definitions", headers={"Prefer": "code=400"})).json()["errors"]


async def test_a_prefer_answer_changes_nothing(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/statuses/ann@example.com/unsubscribe-all", params=EMAIL, headers={"Prefer": "code=503"}
    )
    assert r.status_code == 503
    assert (await state(client))["subscribers"] == {}
    # The same request without the header does change the state: the header made the difference.
    assert (
        await client.post("/statuses/ann@example.com/unsubscribe-all", params=EMAIL)
    ).status_code == 200
    assert "ann@example.com" in (await state(client))["subscribers"]


async def test_a_declared_2xx_is_served_normally(client: httpx.AsyncClient) -> None:
    r = await call(client, "batch_unsubscribe_all", {"Prefer": "code=200"})
    assert r.status_code == 200
    assert r.json()["results"][0]["subscriberIdString"] == "ann@example.com"
    assert "ann@example.com" in (await state(client))["subscribers"]
    # 207 is declared by the batch reads only; the answer is the normal one.
    assert (await call(client, "batch_get_statuses", {"Prefer": "code=207"})).status_code == 200


@pytest.mark.parametrize(
    ("operation_id", "code"),
    [
        ("get_definitions", 207),  # declared by the batch reads, not here
        ("get_definitions", 302),
        ("update_status", 201),
        ("batch_unsubscribe_all", 204),
        ("generate_links", 100),
    ],
)
async def test_an_undeclared_status_is_a_400_naming_the_declared_ones(
    client: httpx.AsyncClient, operation_id: str, code: int
) -> None:
    r = await call(client, operation_id, {"Prefer": f"code={code}"})
    body = assert_hubspot_error(r, 400)
    assert body["category"] == "VALIDATION_ERROR"
    declared = sorted(pinned_spec().operations[operation_id].responses)
    assert f"declared: {', '.join(declared)}" in body["message"]
    assert f"{code}" in body["message"] and operation_id in body["message"]
    assert body["errors"][0]["in"] == "Prefer"
    assert (await state(client))["subscribers"] == {}


@pytest.mark.parametrize("value", ["code=abc", "code=", "code=4299", "code=42", "code=600"])
async def test_a_malformed_code_is_a_400(client: httpx.AsyncClient, value: str) -> None:
    r = await client.get("/definitions", headers={"Prefer": value})
    body = assert_hubspot_error(r, 400)
    assert "Prefer: code=" in body["message"]
    assert body["errors"][0]["in"] == "Prefer"


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("return=minimal", 200),  # other preferences are ignored (RFC 7240)
        ("respond-async, code=429", 429),
        ("wait=5; code=503", 503),
        ('code="502"', 502),
        ("CODE=500", 500),
    ],
)
async def test_the_code_preference_among_others(
    client: httpx.AsyncClient, value: str, status: int
) -> None:
    assert (await client.get("/definitions", headers={"Prefer": value})).status_code == status


async def test_prefer_needs_no_token_and_is_not_counted_by_the_rate_limit(
    make_client: Any,
) -> None:
    _, client = await make_client(MockConfig(rate_limit=RateLimit(max_requests=1)))
    for _ in range(3):
        r = await client.get("/definitions", headers={"Prefer": "code=500"})
        assert r.status_code == 500
    r = await client.get("/definitions", headers={"Prefer": "code=503", "Authorization": ""})
    assert r.status_code == 503
    assert (await client.get("/definitions")).status_code == 200  # the first counted request
    assert (await client.get("/definitions")).status_code == 429
