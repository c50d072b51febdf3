"""Details of the engine's per-contact results that the results file shows: attempts, error
categories and the correlation id HubSpot gave (found by mutation testing)."""

from __future__ import annotations

from typing import Any

import httpx
from bulk_testing import Scripted, all_ok, envelope, status

from commprefs_kit.bulk import ContactResult, Outcome, unsubscribe_all

CORRELATION = "0199a0c4-5b1e-7c3a-9d2f-1a2b3c4d5e6f"


async def collect(*args: Any, **kwargs: Any) -> dict[str, ContactResult]:
    kwargs.setdefault("rate", None)
    results = [r async for r in unsubscribe_all(*args, **kwargs)]
    return {r.address: r for r in results}


async def test_a_400_naming_one_input_fails_it_on_that_attempt_and_resends_the_rest() -> None:
    def answer(inputs: list[str], request: httpx.Request) -> httpx.Response:
        if "bad@example.com" in inputs:
            return httpx.Response(
                400,
                json={
                    "status": "error",
                    "category": "VALIDATION_ERROR",
                    "message": "Invalid input",
                    "correlationId": CORRELATION,
                    "errors": [
                        {
                            "message": "bad@example.com is blocked",
                            "context": {"subscriberIdString": ["bad@example.com"]},
                        }
                    ],
                },
            )
        return all_ok(inputs, request)

    hubspot = Scripted(answer)
    async with hubspot.client() as client:
        results = await collect(["ok@example.com", "bad@example.com"], client=client)
    bad, ok = results["bad@example.com"], results["ok@example.com"]
    assert bad.outcome is Outcome.FAILED and bad.attempts == 1
    assert bad.error is not None and bad.error.message == "bad@example.com is blocked"
    assert bad.error.correlation_id == CORRELATION and bad.error.http_status == 400
    assert ok.outcome is Outcome.UNSUBSCRIBED and ok.attempts == 2  # the resend is attempt 2
    assert hubspot.batches == [["ok@example.com", "bad@example.com"], ["ok@example.com"]]


def _unmatched(message: str, correlation: str) -> dict[str, Any]:
    return {
        "status": "error",
        "category": "INTERNAL_ERROR",
        "message": message,
        "context": {},
        "correlationId": correlation,
    }


async def test_a_contact_left_out_says_what_hubspot_said_first() -> None:
    other = "0199a0c4-0000-7000-8000-000000000000"

    def answer(inputs: list[str], _: httpx.Request) -> httpx.Response:
        kept = [a for a in inputs if a != "ghost@example.com"]
        results = [{"subscriberIdString": a, "statuses": [status(a)]} for a in kept]
        errors = [_unmatched("first problem", CORRELATION), _unmatched("second problem", other)]
        return httpx.Response(200, json=envelope(results, errors))

    async with Scripted(answer).client() as client:
        results = await collect(
            ["ok@example.com", "ghost@example.com"], client=client, max_attempts=1
        )
    ghost = results["ghost@example.com"]
    assert ghost.outcome is Outcome.FAILED and ghost.attempts == 1
    assert ghost.error is not None
    assert ghost.error.category == "MISSING_FROM_RESPONSE"
    assert ghost.error.message == (
        "missing from HubSpot's response after 1 attempt(s); HubSpot said: first problem"
    )
    assert ghost.error.correlation_id == CORRELATION
    assert results["ok@example.com"].outcome is Outcome.UNSUBSCRIBED
