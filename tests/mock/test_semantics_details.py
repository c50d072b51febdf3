"""The exact error details of the hand-written rules (mock_server/semantics.py), and the rule
that only a write leaving a subscription subscribed ends an opt-out from all.

HubSpot's error bodies say where the problem is (`in`), what kind (`code`) and which value
(`context`); clients and the bulk tool match inputs by them, so they are part of the contract.
"""

from __future__ import annotations

from typing import Any

import httpx
from mock_testing import EMAIL, UNIT0, state

from mock_server import MockConfig


def _without_ids(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in ("correlationId",)}


async def test_missing_legal_basis_names_the_field(make_client: Any) -> None:
    _, client = await make_client(MockConfig(require_legal_basis=True))
    r = await client.post(
        "/statuses/a@example.com",
        json={"channel": "EMAIL", "statusState": "SUBSCRIBED", "subscriptionId": UNIT0[0]},
    )
    assert r.status_code == 400
    message = "A legal basis is required to subscribe a contact in a GDPR-enabled account"
    assert _without_ids(r.json()) == {
        "status": "error",
        "message": message,
        "category": "VALIDATION_ERROR",
        "errors": [{"message": message, "code": "REQUIRED", "in": "legalBasis"}],
    }


async def test_batch_write_problems_are_per_input_with_their_place(make_client: Any) -> None:
    _, client = await make_client(MockConfig(require_legal_basis=True))
    change = {
        "channel": "EMAIL",
        "statusState": "SUBSCRIBED",
        "subscriberIdString": "Ann@Example.com",
        "subscriptionId": 999,
    }
    r = await client.post("/statuses/batch/write", json={"inputs": [change]})
    assert r.status_code == 200
    body = r.json()
    assert body["results"] == [] and body["numErrors"] == 1
    assert body["errors"] == [
        {
            "status": "error",
            "category": "VALIDATION_ERROR",
            "message": "Subscription 999 does not exist",
            "id": "Ann@Example.com",
            "context": {"subscriberIdString": ["Ann@Example.com"]},
            "errors": [
                {
                    "message": "Subscription 999 does not exist",
                    "code": "INVALID_SUBSCRIPTION_ID",
                    "in": "inputs[0].subscriptionId",
                    "context": {"subscriptionId": ["999"]},
                },
                {
                    "message": "A legal basis is required to subscribe a contact in a "
                    "GDPR-enabled account",
                    "code": "REQUIRED",
                    "in": "inputs[0].legalBasis",
                },
            ],
            "links": {},
        }
    ]


async def test_unknown_subscription_is_404_with_its_id(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/statuses/a@example.com",
        json={"channel": "EMAIL", "statusState": "UNSUBSCRIBED", "subscriptionId": 999},
    )
    assert r.status_code == 404
    assert _without_ids(r.json()) == {
        "status": "error",
        "message": "Subscription 999 does not exist",
        "category": "OBJECT_NOT_FOUND",
        "errors": [
            {
                "message": "Subscription 999 does not exist",
                "code": "INVALID_SUBSCRIPTION_ID",
                "in": "subscriptionId",
                "context": {"subscriptionId": ["999"]},
            }
        ],
    }


async def test_a_link_for_a_subscription_of_another_unit_is_404(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/links/generate",
        params=EMAIL,
        json={"subscriberIdString": "a@example.com", "subscriptionId": 200001},
    )
    assert r.status_code == 404
    assert _without_ids(r.json()) == {
        "status": "error",
        "message": "Subscription 200001 does not exist in business unit 0",
        "category": "OBJECT_NOT_FOUND",
        "errors": [
            {
                "message": "Unknown subscription 200001",
                "code": "INVALID_SUBSCRIPTION_ID",
                "in": "subscriptionId",
                "context": {"subscriptionId": ["200001"]},
            }
        ],
    }
    ok = await client.post(
        "/links/generate",
        params={**EMAIL, "businessUnitId": "1"},
        json={"subscriberIdString": "a@example.com", "subscriptionId": 200001},
    )
    assert ok.status_code == 200


async def test_a_non_address_in_a_batch_is_answered_on_its_own(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/statuses/batch/unsubscribe-all",
        params=EMAIL,
        json={"inputs": ["a@example.com", "nope", "nope"]},
    )
    assert r.status_code == 200
    body = r.json()
    assert body["results"] == [{"subscriberIdString": "a@example.com"}]
    assert body["numErrors"] == 1
    assert body["errors"] == [
        {
            "status": "error",
            "category": "VALIDATION_ERROR",
            "message": "Invalid input 'nope'",
            "id": "nope",
            "context": {"subscriberIdString": ["nope"]},
            "errors": [
                {
                    "message": "'nope' is not an email address",
                    "code": "INVALID_EMAIL",
                    "in": "inputs[1]",
                }
            ],
            "links": {},
        }
    ]


async def test_an_unsubscribe_of_one_subscription_keeps_the_opt_out_from_all(
    client: httpx.AsyncClient,
) -> None:
    """Only a write that leaves a subscription not UNSUBSCRIBED ends the wide opt-out."""
    await client.post("/statuses/a@example.com/unsubscribe-all", params=EMAIL)
    r = await client.post(
        "/statuses/a@example.com",
        json={"channel": "EMAIL", "statusState": "UNSUBSCRIBED", "subscriptionId": UNIT0[1]},
    )
    assert r.json()["results"][0]["setStatusSuccessReason"] == "NO_STATUS_CHANGE"
    r = await client.post(
        "/statuses/batch/write",
        json={
            "inputs": [
                {
                    "channel": "EMAIL",
                    "statusState": "UNSUBSCRIBED",
                    "subscriberIdString": "a@example.com",
                    "subscriptionId": UNIT0[2],
                }
            ]
        },
    )
    assert r.status_code == 200
    wide = await client.get("/statuses/a@example.com/unsubscribe-all", params=EMAIL)
    assert [w["status"] for w in wide.json()["results"]] == ["UNSUBSCRIBED"]
    assert set((await state(client))["subscribers"]["a@example.com"]["wideStatuses"]) == {"0"}


async def test_unknown_business_unit_is_404_naming_the_parameter(
    client: httpx.AsyncClient,
) -> None:
    r = await client.get("/statuses/a@example.com", params={**EMAIL, "businessUnitId": "99"})
    assert r.status_code == 404
    assert _without_ids(r.json()) == {
        "status": "error",
        "message": "Business unit 99 does not exist",
        "category": "OBJECT_NOT_FOUND",
        "errors": [
            {"message": "Unknown business unit 99", "code": "INVALID_ID", "in": "businessUnitId"}
        ],
    }
