"""The library call against scripted answers: what counts as confirmed, and what stops a run."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from bulk_testing import (
    Scripted,
    all_ok,
    by_address,
    collect,
    emails,
    envelope,
    error_answer,
    mock_client,
    opted_out,
    status,
)

from commprefs_kit.bulk import (
    ContactResult,
    Journal,
    Outcome,
    RunStopped,
    StopKind,
    unsubscribe_all,
)
from mock_server import ALL_SCOPES, MockApp, MockConfig, create_app


async def test_no_status_change_is_already_unsubscribed() -> None:
    def answer(inputs: list[str], _: httpx.Request) -> httpx.Response:
        results = [
            {"subscriberIdString": a, "statuses": [status(a, "NO_STATUS_CHANGE")]}
            if a.startswith("old")
            else {"subscriberIdString": a, "statuses": [status(a)]}
            for a in inputs
        ]
        return httpx.Response(200, json=envelope(results))

    hubspot = Scripted(answer)
    async with hubspot.client() as client:
        results = by_address(await collect(["old@example.com", "new@example.com"], client=client))
    assert results["old@example.com"].outcome is Outcome.ALREADY_UNSUBSCRIBED
    assert results["new@example.com"].outcome is Outcome.UNSUBSCRIBED
    assert results["new@example.com"].statuses[0].reason == "UNSUBSCRIBE_FROM_ALL_OCCURRED"


async def test_sends_verbose_and_business_unit(app: MockApp) -> None:
    seen: list[httpx.Request] = []

    def answer(inputs: list[str], request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return all_ok(inputs, request)

    async with Scripted(answer).client() as client:
        await collect(["a@example.com"], client=client, business_unit_id=7)
    params = seen[0].url.params
    assert params["verbose"] == "true" and params["businessUnitId"] == "7"
    assert params["channel"] == "EMAIL"


async def test_a_contact_missing_from_the_answer_is_retried_then_failed() -> None:
    def answer(inputs: list[str], request: httpx.Request) -> httpx.Response:
        # HubSpot "forgets" ghost@ every time, and flaky@ the first time only.
        kept = [a for a in inputs if a != "ghost@example.com"]
        if hubspot.batches.count(inputs) == 1 and len(inputs) == 3:
            kept = [a for a in kept if a != "flaky@example.com"]
        return all_ok(kept, request)

    hubspot = Scripted(answer)
    async with hubspot.client() as client:
        results = by_address(
            await collect(
                ["ok@example.com", "flaky@example.com", "ghost@example.com"],
                client=client,
                max_attempts=3,
            )
        )
    assert results["ok@example.com"].outcome is Outcome.UNSUBSCRIBED
    assert results["flaky@example.com"].outcome is Outcome.UNSUBSCRIBED
    assert results["flaky@example.com"].attempts == 2
    ghost = results["ghost@example.com"]
    assert ghost.outcome is Outcome.FAILED and ghost.attempts == 3
    assert ghost.error is not None and ghost.error.category == "MISSING_FROM_RESPONSE"
    assert "missing" in ghost.error.message
    # Re-sends carry only the unconfirmed contacts.
    assert hubspot.batches[1:] == [
        ["flaky@example.com", "ghost@example.com"],
        ["ghost@example.com"],
    ]


async def test_per_input_errors_fail_the_contacts_they_name() -> None:
    def answer(inputs: list[str], _: httpx.Request) -> httpx.Response:
        errors = [
            {
                "status": "error",
                "category": "VALIDATION_ERROR",
                "message": "Contact is blocked",
                "context": {"subscriberIdString": ["Blocked@Example.com"]},
                "errors": [],
                "links": {},
            },
            {
                "status": "error",
                "category": "OBJECT_NOT_FOUND",
                "message": "gone",
                "id": "gone@example.com",
                "context": {},
            },
        ]
        ok = [a for a in inputs if not a.startswith(("blocked", "gone"))]
        results = [{"subscriberIdString": a, "statuses": [status(a)]} for a in ok]
        return httpx.Response(200, json=envelope(results, errors))

    async with Scripted(answer).client() as client:
        results = by_address(
            await collect(
                ["a@example.com", "blocked@example.com", "gone@example.com"], client=client
            )
        )
    assert results["a@example.com"].outcome is Outcome.UNSUBSCRIBED
    blocked = results["blocked@example.com"]
    assert blocked.outcome is Outcome.FAILED and blocked.attempts == 1
    assert blocked.error is not None and blocked.error.message == "Contact is blocked"
    assert results["gone@example.com"].error.category == "OBJECT_NOT_FOUND"  # type: ignore[union-attr]


async def test_still_subscribed_in_the_answer_is_not_trusted() -> None:
    def answer(inputs: list[str], _: httpx.Request) -> httpx.Response:
        results = [
            {"subscriberIdString": a, "statuses": [status(a, "NO_STATUS_CHANGE", "SUBSCRIBED")]}
            for a in inputs
        ]
        return httpx.Response(200, json=envelope(results))

    async with Scripted(answer).client() as client:
        (result,) = await collect(["a@example.com"], client=client)
    assert result.outcome is Outcome.FAILED
    assert result.error is not None and result.error.category == "STILL_SUBSCRIBED"


async def test_a_rejected_batch_is_bisected_to_isolate_the_bad_input() -> None:
    def answer(inputs: list[str], _: httpx.Request) -> httpx.Response:
        if "poison@example.com" in inputs:
            return error_answer(
                400, "VALIDATION_ERROR", "Invalid input", "0f0e0d0c-0000-4000-8000-000000000001"
            )
        return all_ok(inputs, _)

    addresses = [*emails(15), "poison@example.com", *emails(16, "more")]
    hubspot = Scripted(answer)
    async with hubspot.client() as client:
        results = by_address(await collect(addresses, client=client, batch_size=32))
    poison = results.pop("poison@example.com")
    assert poison.outcome is Outcome.FAILED
    assert poison.error is not None and poison.error.http_status == 400
    assert poison.error.correlation_id == "0f0e0d0c-0000-4000-8000-000000000001"
    assert all(r.outcome is Outcome.UNSUBSCRIBED for r in results.values())
    assert len(results) == 31
    assert len(hubspot.batches) <= 2 * 6  # log2(32) levels, two calls each


async def test_a_400_naming_inputs_fails_those_and_resends_the_rest() -> None:
    def answer(inputs: list[str], _: httpx.Request) -> httpx.Response:
        bad = [a for a in inputs if a.startswith("bad")]
        if bad:
            return error_answer(
                400,
                "VALIDATION_ERROR",
                "Some inputs are invalid",
                "0f0e0d0c-0000-4000-8000-000000000002",
                [{"message": "not a contact", "in": "inputs", "context": {"invalidInputs": bad}}],
            )
        return all_ok(inputs, _)

    hubspot = Scripted(answer)
    async with hubspot.client() as client:
        results = by_address(
            await collect(["bad1@example.com", "a@example.com", "bad2@example.com"], client=client)
        )
    assert results["a@example.com"].outcome is Outcome.UNSUBSCRIBED
    assert results["bad1@example.com"].error.message == "not a contact"  # type: ignore[union-attr]
    assert hubspot.batches == [
        ["bad1@example.com", "a@example.com", "bad2@example.com"],
        ["a@example.com"],
    ]


@pytest.mark.parametrize(
    ("token_scopes", "kind", "needle"),
    [
        (None, StopKind.AUTHENTICATION, "token"),
        (
            frozenset({"communication_preferences.read"}),
            StopKind.SCOPES,
            "communication_preferences.statuses.batch.write",
        ),
    ],
)
async def test_bad_token_or_missing_scope_stops_at_once(
    token_scopes: frozenset[str] | None, kind: StopKind, needle: str
) -> None:
    tokens = {"good": ALL_SCOPES} if token_scopes is None else {"weak": token_scopes}
    app = create_app(MockConfig(tokens=tokens))
    token = "wrong-token" if token_scopes is None else "weak"
    results: list[ContactResult] = []
    async with mock_client(app, token=token) as client:
        with pytest.raises(RunStopped) as stopped:
            async for result in unsubscribe_all(
                emails(5_000), client=client, rate=None, concurrency=4
            ):
                results.append(result)
    assert stopped.value.kind is kind
    assert needle in str(stopped.value)
    assert token not in str(stopped.value)
    assert results == []
    # Not 50 failed batches: at most the requests already in flight were sent.
    assert app.request_count <= 4


async def test_breaker_stops_when_every_batch_keeps_failing() -> None:
    def answer(inputs: list[str], _: httpx.Request) -> httpx.Response:
        return httpx.Response(503, text="<html>down</html>", headers={"content-type": "text/html"})

    hubspot = Scripted(answer)
    results: list[ContactResult] = []
    async with hubspot.client() as client:
        with pytest.raises(RunStopped) as stopped:
            async for result in unsubscribe_all(
                emails(10_000),
                client=client,
                rate=None,
                batch_size=10,
                concurrency=1,
                max_failed_batches=3,
            ):
                results.append(result)
    assert stopped.value.kind is StopKind.UNAVAILABLE
    assert len(hubspot.batches) == 3
    assert len(results) == 30 and all(r.outcome is Outcome.FAILED for r in results)
    assert all("503" in (r.error.message if r.error else "") for r in results)


async def test_journal_skips_confirmed_contacts_on_a_second_run(tmp_path: Path) -> None:
    app = create_app(MockConfig())
    addresses = emails(250)
    async with mock_client(app) as client:
        with Journal(tmp_path / "j") as journal:
            first = await collect(addresses[:100], client=client, journal=journal)
        before = app.request_count
        with Journal(tmp_path / "j") as journal:
            second = await collect(addresses, client=client, journal=journal)
    assert len(first) == 100 and len(second) == 250
    resumed = [r for r in second if r.from_journal]
    assert {r.address for r in resumed} == set(addresses[:100])
    assert all(r.outcome is Outcome.UNSUBSCRIBED for r in resumed)
    assert app.request_count - before == 2  # only the 150 new contacts were sent
    assert opted_out(app) == set(addresses)


async def test_async_iterable_input_invalid_and_duplicate_inputs(app: MockApp) -> None:
    async def source() -> AsyncIterator[str]:
        for item in ["A@Example.com", "a@example.com ", "not an email", "b@example.com"]:
            yield item

    async with mock_client(app) as client:
        results = await collect(source(), client=client)
    outcomes = sorted((r.address, r.outcome.value) for r in results)
    assert outcomes == [
        ("a@example.com", "unsubscribed"),
        ("b@example.com", "unsubscribed"),
        ("not an email", "invalid"),
    ]
    invalid = next(r for r in results if r.outcome is Outcome.INVALID)
    assert invalid.line == 3 and invalid.error is not None


async def test_batches_above_the_server_limit_are_split(tmp_path: Path) -> None:
    app = create_app(MockConfig(max_batch_inputs=50))
    async with mock_client(app) as client:
        results = await collect(emails(300), client=client, batch_size=200)
    assert all(r.outcome is Outcome.UNSUBSCRIBED for r in results)
    assert len(results) == 300 and opted_out(app) == set(emails(300))


async def test_a_plain_generated_client_stops_the_same_way() -> None:
    # The kit's transport raises AuthenticationError; a plain generated client returns the
    # 401 as a value instead. Both stop the run.
    def answer(inputs: list[str], _: httpx.Request) -> httpx.Response:
        return httpx.Response(
            401,
            json={
                "status": "error",
                "category": "INVALID_AUTHENTICATION",
                "message": "Authentication credentials not found.",
                "correlationId": "0f0e0d0c-0000-4000-8000-000000000003",
            },
        )

    from hubspot_communication_preferences import AuthenticatedClient

    plain = AuthenticatedClient(
        base_url="http://hubspot",
        token="secret-token-value",
        httpx_args={"transport": httpx.MockTransport(Scripted(answer))},
    )
    async with plain as client:
        with pytest.raises(RunStopped) as stopped:
            await collect(["a@example.com"], client=client)
    assert stopped.value.kind is StopKind.AUTHENTICATION
    assert "secret-token-value" not in str(stopped.value)
