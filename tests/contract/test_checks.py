"""The suite's own HubSpot checks judge hand-made responses as they should: each passes a
faithful answer, skips what it has nothing to say about, and fails a broken one."""

from __future__ import annotations

import datetime
import json
from typing import Any, ClassVar

import httpx
import pytest
import schemathesis
from schemathesis import Response

from commprefs_kit import paths
from commprefs_kit.contract import checks

API = "/communication-preferences/2026-03"
SCHEMA = schemathesis.openapi.from_path(paths.SPEC_PATH)
CORRELATION = "019cd9fe-d093-7d4f-8a7e-2f1c3b4d5e6f"  # UUIDv7-shaped, as HubSpot sends


def case_for(path: str, method: str, **parts: Any) -> Any:
    return SCHEMA[f"{API}{path}"][method].Case(**parts)


def response(status: int, body: Any = None, headers: dict[str, str] | None = None) -> Response:
    content = b"" if body is None else json.dumps(body).encode()
    all_headers = {"content-type": "application/json;charset=utf-8", **(headers or {})}
    return as_schemathesis(httpx.Response(status, headers=all_headers, content=content))


def as_schemathesis(answer: httpx.Response) -> Response:
    answer.request = httpx.Request("GET", "http://mock.local/")
    answer.elapsed = datetime.timedelta(0)  # Schemathesis reads it; a client would set it
    return Response.from_any(answer)


def judge(check: Any, case: Any, answer: Response) -> str:
    """'skip', 'pass' or the failure message."""
    try:
        outcome = check(None, answer, case)
    except AssertionError as exc:
        return str(exc)
    return "skip" if outcome is checks.SKIP else "pass"


def batch_read(inputs: list[str]) -> Any:
    return case_for(
        "/statuses/batch/read", "POST", body={"inputs": inputs}, query={"channel": "EMAIL"}
    )


def envelope(results: list[Any], errors: list[Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": "2026-03-01T00:00:00Z",
        "completedAt": "2026-03-01T00:00:00Z",
    }
    if errors:
        out["errors"] = errors
    return out


def bulk(email: str) -> dict[str, Any]:
    return {"subscriberIdString": email, "statuses": []}


class TestBatchResultPerInput:
    def test_one_result_per_distinct_input_in_any_order(self) -> None:
        case = batch_read(["a@x.com", "b@x.com", "a@x.com"])
        answer = response(200, envelope([bulk("b@x.com"), bulk("a@x.com")]))
        assert judge(checks.batch_result_per_input, case, answer) == "pass"

    def test_answer_in_other_letter_case_counts(self) -> None:
        case = batch_read(["Ann@X.com"])
        answer = response(200, envelope([bulk("ann@x.com")]))
        assert judge(checks.batch_result_per_input, case, answer) == "pass"

    def test_failed_input_in_errors_counts(self) -> None:
        case = batch_read(["a@x.com", "not-an-email"])
        error = {
            "status": "error",
            "category": "VALIDATION_ERROR",
            "message": "bad",
            "context": {},
            "id": "not-an-email",
        }
        answer = response(207, envelope([bulk("a@x.com")], [error]))
        assert judge(checks.batch_result_per_input, case, answer) == "pass"

    def test_dropped_input_fails(self) -> None:
        case = batch_read(["a@x.com", "b@x.com"])
        answer = response(200, envelope([bulk("a@x.com")]))
        assert "'b@x.com'" in judge(checks.batch_result_per_input, case, answer)

    def test_answer_twice_fails(self) -> None:
        case = batch_read(["a@x.com", "b@x.com"])
        answer = response(200, envelope([bulk("a@x.com"), bulk("a@x.com")]))
        assert "neither" in judge(checks.batch_result_per_input, case, answer)

    def test_errors_and_other_operations_are_skipped(self) -> None:
        assert (
            judge(checks.batch_result_per_input, batch_read(["a@x.com"]), response(400, {}))
            == "skip"
        )
        statuses = case_for(
            "/statuses/{subscriberIdString}",
            "GET",
            path_parameters={"subscriberIdString": "a@x.com"},
        )
        assert judge(checks.batch_result_per_input, statuses, response(200, envelope([]))) == "skip"

    def test_batch_write_is_one_result_per_change(self) -> None:
        change = {
            "channel": "EMAIL",
            "statusState": "SUBSCRIBED",
            "subscriberIdString": "a@x.com",
            "subscriptionId": 1,
        }
        case = case_for(
            "/statuses/batch/write",
            "POST",
            body={"inputs": [change, {**change, "subscriptionId": 2}]},
        )
        one = {"subscriberIdString": "a@x.com", "subscriptionId": 1}
        assert "('a@x.com', 2)" in judge(
            checks.batch_result_per_input, case, response(200, envelope([one]))
        )


class TestHubSpotErrorBody:
    good: ClassVar[dict[str, str]] = {
        "status": "error",
        "message": "Bad",
        "category": "VALIDATION_ERROR",
        "correlationId": CORRELATION,
    }

    def test_faithful_error_passes(self) -> None:
        assert judge(checks.hubspot_error_body, batch_read([]), response(400, self.good)) == "pass"

    @pytest.mark.parametrize(
        ("change", "named"),
        [
            ({"correlationId": None}, "correlationId"),
            ({"correlationId": "not-a-uuid"}, "correlationId"),
            ({"status": "fail"}, "status"),
            ({"message": ""}, "message"),
            ({"category": None}, "category"),
        ],
    )
    def test_broken_error_fails(self, change: dict[str, Any], named: str) -> None:
        body = {k: v for k, v in {**self.good, **change}.items() if v is not None}
        assert named in judge(checks.hubspot_error_body, batch_read([]), response(404, body))

    def test_html_page_and_429_are_not_judged(self) -> None:
        html = as_schemathesis(
            httpx.Response(502, headers={"content-type": "text/html"}, content=b"<html>")
        )
        assert judge(checks.hubspot_error_body, batch_read([]), html) == "skip"
        assert judge(checks.hubspot_error_body, batch_read([]), response(429, {})) == "skip"


class TestCorrelationAndRateLimit:
    def test_header_must_repeat_body_id(self) -> None:
        body = {**TestHubSpotErrorBody.good}
        same = response(401, body, {"x-hubspot-correlation-id": CORRELATION})
        other = response(401, body, {"x-hubspot-correlation-id": "another"})
        assert judge(checks.correlation_id_header, batch_read([]), same) == "pass"
        assert "another" in judge(checks.correlation_id_header, batch_read([]), other)

    def test_429_needs_retry_after_or_policy(self) -> None:
        body = {"status": "error", "message": "You have reached your ten secondly limit."}
        with_policy = response(429, {**body, "policyName": "TEN_SECONDLY_ROLLING"})
        with_header = response(429, body, {"retry-after": "1"})
        bare = response(429, body)
        assert judge(checks.rate_limit_guidance, batch_read([]), with_policy) == "pass"
        assert judge(checks.rate_limit_guidance, batch_read([]), with_header) == "pass"
        assert "Retry-After" in judge(checks.rate_limit_guidance, batch_read([]), bare)
