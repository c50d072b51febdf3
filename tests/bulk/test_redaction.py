"""The token never reaches the results file, even when HubSpot's answer echoes it.

Error messages, per-input errors, subscription names and read-back notes are copied from
HubSpot's answers into the journal and the results file; a server that repeats the request's
token (a proxy's debug page, a misconfigured gateway) must not put it there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from bulk_testing import TOKEN, Scripted, envelope, status

from commprefs_kit.bulk import Journal, Outcome, unsubscribe_all
from commprefs_kit.bulk.inputs import Address
from commprefs_kit.bulk.results import (
    REDACTED,
    ContactResult,
    ErrorInfo,
    StatusInfo,
    jsonl_chunks,
    redact_result,
    write_atomically,
    write_results_atomically,
)
from commprefs_kit.bulk.verify import verify_opted_out

ECHO = f"request had Authorization: Bearer {TOKEN}"
OK = "ok@example.com"
BLOCKED = "blocked@example.com"
GHOST = "ghost@example.com"
REJECTED = "rejected@example.com"
NOT_CONFIRMED = ErrorInfo("NOT_CONFIRMED", "not confirmed")


def _error(message: str, context: dict[str, Any]) -> dict[str, Any]:
    return {
        "status": "error",
        "category": "VALIDATION_ERROR",
        "message": message,
        "context": context,
        "errors": [],
        "links": {},
    }


def _hubspot(inputs: list[str], request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith("/unsubscribe-all/read"):
        # 207: the read-back fails for every input, echoing the token.
        errors = [_error(f"cannot read {a}: {ECHO}", {"subscriberIdString": [a]}) for a in inputs]
        return httpx.Response(207, json=envelope([], errors))
    if REJECTED in inputs:
        # A whole-batch 400 naming one input, its message echoing the token.
        body = _error(f"{REJECTED} refused, {ECHO}", {"subscriberIdString": [REJECTED]})
        body["correlationId"] = "c0ffee00-0000-0000-0000-000000000000"
        return httpx.Response(400, json=body)
    named = status(OK)
    named["subscriptionName"] = f"Newsletter ({ECHO})"
    results = [{"subscriberIdString": OK, "statuses": [named]}] if OK in inputs else []
    errors = [_error(f"something else went wrong; {ECHO}", {})]  # names no input
    if BLOCKED in inputs:
        errors.insert(0, _error(f"{BLOCKED} is blocked; {ECHO}", {"subscriberIdString": [BLOCKED]}))
    return httpx.Response(200, json=envelope(results, errors))


def _assert_clean(text: str) -> None:
    assert TOKEN not in text
    assert REDACTED in text


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
async def test_results_file_never_holds_the_token(tmp_path: Path, suffix: str) -> None:
    addresses = [OK, BLOCKED, GHOST, REJECTED]
    output = tmp_path / f"results{suffix}"
    with Journal(tmp_path / "j") as journal:
        journal.ingest(Address(n, a) for n, a in enumerate(addresses, start=1))
        async with Scripted(_hubspot).client() as client:
            results = {
                r.address: r
                async for r in unsubscribe_all(
                    journal.unconfirmed(),
                    client=client,
                    journal=journal,
                    rate=None,
                    prepared=True,
                    max_attempts=2,
                )
            }
            verified = [v async for v in verify_opted_out(addresses, client=client, rate=None)]
        journal.record_verified([(v.address, v.opted_out, v.note) for v in verified])
        # The answer's texts did arrive (redacted), so the test is not vacuous.
        assert results[OK].outcome is Outcome.UNSUBSCRIBED
        assert (
            results[OK].statuses[0].name
            == f"Newsletter (request had Authorization: Bearer {REDACTED})"
        )
        for address in (BLOCKED, GHOST, REJECTED):
            error = results[address].error
            assert results[address].outcome is Outcome.FAILED and error is not None
            _assert_clean(error.message)
        assert "HubSpot said: something else went wrong" in results[GHOST].error.message  # type: ignore[union-attr]
        assert all(v.note and REDACTED in v.note and TOKEN not in v.note for v in verified)
        # The file, as the CLI writes it: JSON Lines from the journal's documents, or CSV.
        if suffix == ".csv":
            write_results_atomically(output, journal.results(NOT_CONFIRMED))
        else:
            write_atomically(output, jsonl_chunks(journal.result_documents(NOT_CONFIRMED)))
    text = output.read_text(encoding="utf-8")
    _assert_clean(text)
    assert text.count(REDACTED) >= 4  # name, three errors (and the notes in JSON Lines)
    if suffix == ".jsonl":
        assert text.count("verifyNote") == 4
    # The journal on disk too.
    for path in tmp_path.glob("j*"):
        assert TOKEN.encode() not in path.read_bytes(), path


def test_redact_result_covers_every_text_from_the_answer() -> None:
    result = ContactResult(
        "a@example.com",
        Outcome.FAILED,
        statuses=(StatusInfo(1, "UNSUBSCRIBED", "NO_STATUS_CHANGE", f"x{TOKEN}x"),),
        error=ErrorInfo(f"C{TOKEN}", f"m {TOKEN} m {TOKEN}", f"id-{TOKEN}", 400),
        attempts=2,
        line=7,
        extra={"verifyNote": f"n {TOKEN}", "more": [f"{TOKEN}", {"k": TOKEN}], "n": 3},
    )
    clean = redact_result(result, ["", TOKEN])
    assert TOKEN not in str(clean.to_dict())
    assert clean.error == ErrorInfo(
        f"C{REDACTED}", f"m {REDACTED} m {REDACTED}", f"id-{REDACTED}", 400
    )
    assert clean.statuses[0].name == f"x{REDACTED}x"
    assert clean.extra == {
        "verifyNote": f"n {REDACTED}",
        "more": [REDACTED, {"k": REDACTED}],
        "n": 3,
    }
    kept = clean.to_dict()
    del kept["error"], kept["statuses"], kept["verifyNote"], kept["more"]
    assert kept == {
        "address": "a@example.com",
        "outcome": "failed",
        "attempts": 2,
        "line": 7,
        "n": 3,
    }
    assert redact_result(result, []) is result
    assert redact_result(result, [""]) is result
