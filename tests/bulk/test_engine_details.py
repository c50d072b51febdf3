"""Details of the engine's per-contact results that the results file shows: attempts, error
categories and the correlation id HubSpot gave (found by mutation testing)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import pytest
from bulk_testing import Scripted, all_ok, collect_by_address, envelope, error_answer, status

from commprefs_kit.bulk import (
    ContactResult,
    Journal,
    Outcome,
    RunStopped,
    StopKind,
    unsubscribe_all,
)

CORRELATION = "0199a0c4-5b1e-7c3a-9d2f-1a2b3c4d5e6f"


async def test_a_400_naming_one_input_fails_it_on_that_attempt_and_resends_the_rest() -> None:
    def answer(inputs: list[str], request: httpx.Request) -> httpx.Response:
        if "bad@example.com" in inputs:
            return error_answer(
                400,
                "VALIDATION_ERROR",
                "Invalid input",
                CORRELATION,
                [
                    {
                        "message": "bad@example.com is blocked",
                        "context": {"subscriberIdString": ["bad@example.com"]},
                    }
                ],
            )
        return all_ok(inputs, request)

    hubspot = Scripted(answer)
    async with hubspot.client() as client:
        results = await collect_by_address(["ok@example.com", "bad@example.com"], client=client)
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
        results = await collect_by_address(
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


def _down(inputs: list[str], _: httpx.Request) -> httpx.Response:
    return error_answer(503, "SERVICE_UNAVAILABLE", "down for maintenance", CORRELATION)


async def test_the_breaker_counts_failed_batches_in_a_row_only() -> None:
    """Failures separated by a success do not trip it; the stop says why, with HubSpot's words."""
    pattern = iter([False, True, False, True, False, False])  # ok?

    def answer(inputs: list[str], request: httpx.Request) -> httpx.Response:
        return all_ok(inputs, request) if next(pattern) else _down(inputs, request)

    results: list[ContactResult] = []
    async with Scripted(answer).client() as client:
        with pytest.raises(RunStopped) as stopped:
            async for result in unsubscribe_all(
                [f"u{i}@example.com" for i in range(12)],
                client=client,
                rate=None,
                batch_size=2,
                concurrency=1,
                max_failed_batches=2,
            ):
                results.append(result)
    assert len(results) == 12  # six batches: stopped only after the last two failed in a row
    stop = stopped.value
    assert stop.kind is StopKind.UNAVAILABLE
    assert stop.hint == "Stopped after 2 batches in a row failed as a whole; rerun later to resume."
    assert "down for maintenance" in stop.error.message and stop.error.http_status == 503
    assert stop.error.correlation_id == CORRELATION
    failed = [r for r in results if r.outcome is Outcome.FAILED]
    assert len(failed) == 8 and all(r.attempts == 1 for r in failed)
    assert all(r.error is not None and r.error.http_status == 503 for r in failed)


async def test_bisecting_a_batch_a_400_names_nothing_in_keeps_attempt_counts() -> None:
    def answer(inputs: list[str], request: httpx.Request) -> httpx.Response:
        if "bad@example.com" in inputs:
            return error_answer(400, "VALIDATION_ERROR", "Invalid batch", CORRELATION)
        return all_ok(inputs, request)

    async with Scripted(answer).client() as client:
        results = await collect_by_address(
            ["a@example.com", "bad@example.com", "c@example.com", "d@example.com"],
            client=client,
        )
    bad = results["bad@example.com"]
    assert bad.outcome is Outcome.FAILED and bad.attempts == 1
    assert bad.error is not None and "Invalid batch" in bad.error.message
    assert all(results[a].outcome is Outcome.UNSUBSCRIBED for a in results if a != bad.address)


async def test_errors_of_every_attempt_are_kept_for_the_missing_contact() -> None:
    calls = iter(range(10))

    def answer(inputs: list[str], _: httpx.Request) -> httpx.Response:
        first = next(calls) == 0
        errors = [_unmatched("the first attempt's problem", CORRELATION)] if first else []
        return httpx.Response(200, json=envelope([], errors))

    async with Scripted(answer).client() as client:
        results = await collect_by_address(["ghost@example.com"], client=client, max_attempts=2)
    ghost = results["ghost@example.com"]
    assert ghost.attempts == 2 and ghost.error is not None
    assert ghost.error.message.endswith(
        "after 2 attempt(s); HubSpot said: the first attempt's problem"
    )


async def test_results_carry_input_positions_and_invalid_inputs_their_content() -> None:
    async with Scripted(all_ok).client() as client:
        results = await collect_by_address(
            [" Ann@Example.com ", "not an address", "bob@example.com"], client=client
        )
    assert results["ann@example.com"].line == 1
    assert results["bob@example.com"].line == 3
    invalid = results["not an address"]
    assert invalid.outcome is Outcome.INVALID and invalid.line == 2
    assert invalid.content == "not an address"
    assert invalid.error is not None and invalid.error.category == "INVALID_INPUT"
    assert invalid.error.message


def test_a_long_input_is_read_without_waiting() -> None:
    """Every 512 inputs the reader yields to the loop (asyncio.sleep(0)), and never waits."""
    from test_pacing import run_virtual

    async def main(loop: Any) -> tuple[int, float]:
        async with Scripted(all_ok).client() as client:
            results = await collect_by_address(
                [f"u{i}@example.com" for i in range(1100)], client=client, batch_size=500
            )
        return len(results), loop.time()

    count, elapsed = run_virtual(main)
    assert count == 1100
    assert elapsed < 0.5  # virtual seconds: no sleep(1) anywhere on the way


async def test_other_tasks_run_at_least_every_512_inputs_of_a_long_input() -> None:
    """Reading an in-memory input that needs no request (here: all invalid) still gives the
    event loop a turn every 512 inputs, so progress and other tasks are not starved."""
    read = 0

    def source() -> Iterator[str]:
        nonlocal read
        for i in range(1100):
            read += 1
            yield f"not an address {i}"

    observed: list[int] = []

    async def watch() -> None:
        while True:
            observed.append(read)
            await asyncio.sleep(0)

    watcher = asyncio.create_task(watch())
    try:
        async with Scripted(all_ok).client() as client:
            results = await collect_by_address(source(), client=client, batch_size=5000)
    finally:
        watcher.cancel()
    assert len(results) == 1100 and read == 1100
    points = sorted({0, *observed, read})
    gaps = [b - a for a, b in pairwise(points)]
    assert max(gaps) <= 512, points


async def test_jobs_never_carry_more_than_a_batch_of_contacts(tmp_path: Path) -> None:
    """Sends and results that need no request (invalid, confirmed earlier) come in chunks of
    at most `batch_size`, so the pipeline's memory stays bounded by its queue sizes."""
    from commprefs_kit.bulk.engine import _jobs, _Ready, _Send

    with Journal(tmp_path / "j") as journal:
        journal.record(
            [ContactResult(f"old{i}@example.com", Outcome.UNSUBSCRIBED) for i in range(5)]
        )
        journal.begin_run()
        inputs = [f"bad {i}" for i in range(5)] + [f"old{i}@example.com" for i in range(5)]
        inputs += [f"new{i}@example.com" for i in range(5)]
        jobs = [job async for job in _jobs(inputs, journal, 2)]
    sizes = [len(j.addresses) if isinstance(j, _Send) else len(j.results) for j in jobs]
    assert max(sizes) == 2
    sent = [a for j in jobs if isinstance(j, _Send) for a in j.addresses]
    ready = [r for j in jobs if isinstance(j, _Ready) for r in j.results]
    assert sent == [f"new{i}@example.com" for i in range(5)]
    assert len(ready) == 10


@pytest.mark.parametrize("bad", ["batch_size", "concurrency", "max_attempts"])
async def test_sizes_below_one_are_refused(bad: str) -> None:
    async with Scripted(all_ok).client() as client:
        with pytest.raises(ValueError) as refused:
            await collect_by_address(["a@example.com"], client=client, **{bad: 0})
    assert str(refused.value) == "batch_size, concurrency and max_attempts must be at least 1"


async def test_sizes_of_one_are_enough() -> None:
    hubspot = Scripted(all_ok)
    async with hubspot.client() as client:
        results = await collect_by_address(
            ["a@example.com", "b@example.com"],
            client=client,
            batch_size=1,
            concurrency=1,
            max_attempts=1,
        )
    assert {r.outcome for r in results.values()} == {Outcome.UNSUBSCRIBED}
    assert hubspot.batches == [["a@example.com"], ["b@example.com"]]


async def test_a_second_run_on_one_journal_sends_what_failed_before(tmp_path: Path) -> None:
    up = iter([False, True])

    def answer(inputs: list[str], request: httpx.Request) -> httpx.Response:
        return all_ok(inputs, request) if next(up) else _down(inputs, request)

    addresses = ["a@example.com", "b@example.com"]
    async with Scripted(answer).client() as client:
        with Journal(tmp_path / "j") as journal:
            first = await collect_by_address(addresses, client=client, journal=journal)
            second = await collect_by_address(addresses, client=client, journal=journal)
    assert {r.outcome for r in first.values()} == {Outcome.FAILED}
    assert {r.outcome for r in second.values()} == {Outcome.UNSUBSCRIBED}


async def test_without_a_journal_a_duplicate_in_a_later_batch_is_neither_sent_nor_yielded() -> None:
    hubspot = Scripted(all_ok)
    async with hubspot.client() as client:
        results = [
            r
            async for r in unsubscribe_all(
                ["a@example.com", "b@example.com", " A@Example.com", "a@example.com"],
                client=client,
                rate=None,
                batch_size=1,
            )
        ]
    assert sorted(r.address for r in results) == ["a@example.com", "b@example.com"]
    assert sorted(hubspot.batches) == [["a@example.com"], ["b@example.com"]]


async def test_prepared_addresses_are_sent_as_they_are() -> None:
    hubspot = Scripted(all_ok)
    async with hubspot.client() as client:
        await collect_by_address(
            ["Ann@Example.com", "bob@example.com"], client=client, prepared=True
        )
    # Not normalised again (the journal did that): the first request carries them verbatim.
    assert hubspot.batches[0] == ["Ann@Example.com", "bob@example.com"]
