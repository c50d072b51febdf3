"""The HubSpot checks in detail: where each one starts and stops judging, what it accepts, and
the sentence it fails with. The checks run on hand-built cases and responses; the probes of
`auth_enforced` and the linked cases of the stateful checks come from fakes, no server starts."""

from __future__ import annotations

import copy
import datetime
import json
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import schemathesis
from schemathesis import Response
from schemathesis.openapi import checks as openapi_failures

from commprefs_kit import paths
from commprefs_kit.contract import checks
from commprefs_spec import Spec, pinned_spec

API = "/communication-preferences/2026-03"
SCHEMA = schemathesis.openapi.from_path(paths.SPEC_PATH)
CORRELATION = "019cd9fe-d093-7d4f-8a7e-2f1c3b4d5e6f"
STATUSES = f"{API}/statuses/{{subscriberIdString}}"
UNSUBSCRIBE_ALL = f"{STATUSES}/unsubscribe-all"


def case_for(path: str, method: str, **parts: Any) -> Any:
    return SCHEMA[f"{API}{path}"][method].Case(**parts)


def raw_response(status: int, content: bytes, headers: dict[str, str] | None = None) -> Response:
    answer = httpx.Response(status, headers=headers or {}, content=content)
    answer.request = httpx.Request("GET", "http://mock.local/")
    answer.elapsed = datetime.timedelta(0)
    return Response.from_any(answer)


def response(status: int, body: Any = None, headers: dict[str, str] | None = None) -> Response:
    content = b"" if body is None else json.dumps(body).encode()
    return raw_response(
        status, content, {"content-type": "application/json;charset=utf-8", **(headers or {})}
    )


def judge(check: Any, case: Any, answer: Response, ctx: Any = None) -> str:
    """'skip', 'pass' or the failure message."""
    try:
        outcome = check(ctx, answer, case)
    except AssertionError as exc:
        return str(exc)
    assert outcome is None or outcome is checks.SKIP
    return "skip" if outcome is checks.SKIP else "pass"


def test_the_operation_groups_come_from_the_spec() -> None:
    email_batch, unsubscribe_all, contact_reads = checks._groups(pinned_spec())
    assert email_batch == {
        "batch_get_statuses",
        "batch_get_unsubscribe_all_statuses",
        "batch_unsubscribe_all",
    }
    assert unsubscribe_all == {"unsubscribe_all", "batch_unsubscribe_all"}
    assert contact_reads == {"get_statuses", "get_unsubscribe_all_status"}
    assert email_batch == checks.EMAIL_BATCH_OPERATIONS
    assert unsubscribe_all == checks.UNSUBSCRIBE_ALL_OPERATIONS
    assert contact_reads == checks.CONTACT_READ_OPERATIONS


def test_an_opt_out_path_with_a_trailing_slash_is_still_an_opt_out_of_all() -> None:
    document = copy.deepcopy(pinned_spec().document)
    document["paths"] = {
        (f"{path}/" if path.endswith("/unsubscribe-all") else path): item
        for path, item in document["paths"].items()
    }
    _, unsubscribe_all, _ = checks._groups(Spec(document))
    assert unsubscribe_all == {"unsubscribe_all", "batch_unsubscribe_all"}


def test_an_operation_without_an_id_is_named_by_its_label() -> None:
    schema = schemathesis.openapi.from_dict(
        {
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/things": {"get": {"responses": {"200": {"description": "ok"}}}}},
        }
    )
    assert checks.operation_id(schema["/things"]["GET"].Case()) == "GET /things"
    assert checks.operation_id(case_for("/definitions", "GET")) == "get_definitions"


# ---- batch_result_per_input ---------------------------------------------------------------


def batch_read(inputs: Any) -> Any:
    return case_for(
        "/statuses/batch/read", "POST", body={"inputs": inputs}, query={"channel": "EMAIL"}
    )


def answers(results: Any, errors: Any = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"status": "COMPLETE", "results": results, **extra}
    if errors is not None:
        out["errors"] = errors
    return out


def bulk(email: Any) -> dict[str, Any]:
    return {"subscriberIdString": email, "statuses": []}


def batch_judge(inputs: Any, results: Any, errors: Any = None, status: int = 200) -> str:
    return judge(
        checks.batch_result_per_input,
        batch_read(inputs),
        response(status, answers(results, errors)),
    )


def missing(count: int, of: int, shown: str) -> str:
    return (
        "Batch answer does not match its inputs: "
        f"{count} of {of} distinct inputs are neither in `results` nor in `errors`: {shown}"
    )


class TestBatchAnswerIsJudged:
    @pytest.mark.parametrize("status", [200, 207, 299])
    def test_every_2xx_answer(self, status: int) -> None:
        assert batch_judge(["a@x.com"], [], status=status) == missing(1, 1, "'a@x.com'")

    @pytest.mark.parametrize("status", [199, 300, 400, 500])
    def test_not_other_statuses(self, status: int) -> None:
        assert batch_judge(["a@x.com"], [], status=status) == "skip"

    def test_not_an_answer_that_is_not_json(self) -> None:
        text = raw_response(200, b'{"results": []}', {"content-type": "text/plain"})
        assert judge(checks.batch_result_per_input, batch_read(["a@x.com"]), text) == "skip"

    def test_not_a_json_list_or_a_body_without_results(self) -> None:
        case = batch_read(["a@x.com"])
        bodies: list[Any] = [[], {"status": "COMPLETE"}, answers({"a@x.com": {}}), answers([], "x")]
        for body in bodies:
            assert judge(checks.batch_result_per_input, case, response(200, body)) == "skip"

    def test_errors_null_is_no_errors(self) -> None:
        body: dict[str, Any] = {"results": [], "errors": None}
        verdict = judge(checks.batch_result_per_input, batch_read(["a@x.com"]), response(200, body))
        assert verdict == missing(1, 1, "'a@x.com'")

    def test_not_a_request_whose_inputs_are_not_all_emails(self) -> None:
        for inputs in (["a@x.com", 7], "a@x.com", None):
            assert batch_judge(inputs, []) == "skip"
        not_a_mapping = case_for("/statuses/batch/read", "POST", body=["a@x.com"])
        assert (
            judge(checks.batch_result_per_input, not_a_mapping, response(200, answers([])))
            == "skip"
        )

    def test_every_email_batch_operation(self) -> None:
        for path in ("/statuses/batch/unsubscribe-all", "/statuses/batch/unsubscribe-all/read"):
            case = case_for(path, "POST", body={"inputs": ["a@x.com"]})
            verdict = judge(checks.batch_result_per_input, case, response(200, answers([])))
            assert verdict == missing(1, 1, "'a@x.com'")


class TestBatchMatching:
    def test_results_that_name_no_email_answer_nothing(self) -> None:
        results = ["a@x.com", {"subscriberIdString": 5}, {"email": "a@x.com"}]
        assert batch_judge(["a@x.com"], results) == missing(1, 1, "'a@x.com'")

    def test_an_answer_for_no_input_is_reported(self) -> None:
        assert batch_judge(["a@x.com"], [bulk("a@x.com"), bulk("c@x.com")]) == (
            "Batch answer does not match its inputs: answers no distinct input is left for: "
            "('c@x.com', None)"
        )

    def test_both_problems_are_reported_together(self) -> None:
        assert batch_judge(["a@x.com", "b@x.com"], [bulk("c@x.com")]) == (
            "Batch answer does not match its inputs: answers no distinct input is left for: "
            "('c@x.com', None); 2 of 2 distinct inputs are neither in `results` nor in "
            "`errors`: 'a@x.com', 'b@x.com'"
        )

    @pytest.mark.parametrize(
        ("count", "shown"),
        [
            (3, "'m0@x.com', 'm1@x.com', 'm2@x.com'"),
            (4, "'m0@x.com', 'm1@x.com', 'm2@x.com' (+1 more)"),
            (6, "'m0@x.com', 'm1@x.com', 'm2@x.com' (+3 more)"),
        ],
    )
    def test_at_most_three_missing_inputs_are_shown(self, count: int, shown: str) -> None:
        inputs = [f"m{i}@x.com" for i in range(count)]
        assert batch_judge(inputs, []) == missing(count, count, shown)

    def test_the_input_answered_in_its_own_spelling_is_not_the_missing_one(self) -> None:
        # Two spellings of one contact, one answer: it belongs to the input spelled like it.
        assert batch_judge(["A@x.com", "a@x.com"], [bulk("a@x.com")]) == missing(1, 2, "'A@x.com'")
        assert batch_judge(["a@x.com", "A@x.com"], [bulk("A@x.com")]) == missing(1, 2, "'a@x.com'")

    def test_two_spellings_answered_in_the_other_spellings_pass(self) -> None:
        assert batch_judge(["A@x.com", "a@X.com"], [bulk("a@x.com"), bulk("A@X.COM")]) == "pass"


class TestBatchErrors:
    def test_an_error_names_its_input_by_id(self) -> None:
        assert batch_judge(["a@x.com", "b@x.com"], [bulk("a@x.com")], [{"id": "b@x.com"}]) == (
            "pass"
        )

    def test_an_error_id_in_another_letter_case_counts(self) -> None:
        errors = [{"id": "ANN@x.com"}]
        assert batch_judge(["a@x.com", "Ann@X.com"], [bulk("a@x.com")], errors) == "pass"

    def test_an_error_id_naming_no_input_accounts_for_none(self) -> None:
        errors = [{"id": "zed@x.com"}]
        verdict = batch_judge(["a@x.com", "b@x.com"], [bulk("a@x.com")], errors)
        assert verdict == missing(1, 2, "'b@x.com'")

    def test_an_error_id_is_used_once(self) -> None:
        errors = [{"id": "b@x.com"}]
        verdict = batch_judge(["a@x.com", "b@x.com", "c@x.com"], [], errors)
        assert verdict == missing(2, 3, "'a@x.com', 'c@x.com'")

    def test_the_error_id_takes_its_own_spelling_first(self) -> None:
        errors = [{"id": "a@x.com"}]
        assert batch_judge(["A@x.com", "a@x.com"], [], errors) == missing(1, 2, "'A@x.com'")
        errors = [{"id": "A@x.com"}]
        assert batch_judge(["a@x.com", "A@x.com"], [], errors) == missing(1, 2, "'a@x.com'")

    @pytest.mark.parametrize("error", [{"message": "bad"}, {"id": 5}, {"id": None}, "bad"])
    def test_an_error_without_an_id_accounts_for_one_input(self, error: Any) -> None:
        assert batch_judge(["a@x.com", "b@x.com"], [bulk("b@x.com")], [error]) == "pass"
        verdict = batch_judge(["a@x.com", "b@x.com", "c@x.com"], [bulk("b@x.com")], [error])
        assert verdict == missing(1, 3, "'c@x.com'")

    def test_errors_without_an_id_once_every_input_is_answered(self) -> None:
        assert batch_judge(["a@x.com"], [bulk("a@x.com")], [{}, {}]) == "pass"

    def test_errors_with_and_without_id_together(self) -> None:
        errors = [{"message": "bad"}, {"id": "c@x.com"}]
        assert batch_judge(["a@x.com", "b@x.com", "c@x.com"], [], errors) == missing(
            1, 3, "'b@x.com'"
        )


def batch_write(changes: Any) -> Any:
    return case_for("/statuses/batch/write", "POST", body={"inputs": changes})


def change(email: str, subscription: int, **extra: Any) -> dict[str, Any]:
    return {
        "channel": "EMAIL",
        "statusState": "SUBSCRIBED",
        "subscriberIdString": email,
        "subscriptionId": subscription,
        **extra,
    }


def public_status(email: str, subscription: int) -> dict[str, Any]:
    return {"subscriberIdString": email, "subscriptionId": subscription, "status": "SUBSCRIBED"}


class TestBatchWrite:
    def judge_write(self, changes: Any, results: Any, errors: Any = None) -> str:
        return judge(
            checks.batch_result_per_input,
            batch_write(changes),
            response(200, answers(results, errors)),
        )

    def test_every_change_answered_passes(self) -> None:
        changes = [change("a@x.com", 1), change("a@x.com", 2)]
        results = [public_status("a@x.com", 2), public_status("A@X.com", 1)]
        assert self.judge_write(changes, results) == "pass"

    def test_the_same_change_twice_is_one_input_whatever_its_key_order(self) -> None:
        first = change("a@x.com", 1)
        again = dict(reversed(list(first.items())))
        assert self.judge_write([first, again], [public_status("a@x.com", 1)]) == "pass"

    def test_a_missing_change_is_named_by_email_and_subscription(self) -> None:
        changes = [change("a@x.com", 1), change("a@x.com", 2)]
        verdict = self.judge_write(changes, [public_status("a@x.com", 1)])
        assert verdict == missing(1, 2, "('a@x.com', 2)")

    def test_results_without_an_email_answer_nothing(self) -> None:
        results = [{"subscriptionId": 1}, "a@x.com", {"subscriberIdString": 1, "subscriptionId": 1}]
        verdict = self.judge_write([change("a@x.com", 1)], results)
        assert verdict == missing(1, 1, "('a@x.com', 1)")

    def test_an_error_names_the_change_by_email(self) -> None:
        changes = [change("a@x.com", 1), change("b@x.com", 1)]
        errors = [{"id": "b@x.com"}]
        assert self.judge_write(changes, [public_status("a@x.com", 1)], errors) == "pass"

    def test_not_judged_when_a_change_names_no_email(self) -> None:
        for odd in ({"subscriptionId": 2}, {"subscriberIdString": 3}, "b@x.com"):
            assert self.judge_write([change("a@x.com", 1), odd], []) == "skip"
        assert self.judge_write("a@x.com", []) == "skip"

    def test_other_operations_are_not_judged(self) -> None:
        links = case_for("/links/generate", "POST", body={"inputs": ["a@x.com"]})
        assert judge(checks.batch_result_per_input, links, response(200, answers([]))) == "skip"


# ---- hubspot_error_body ---------------------------------------------------------------------

GOOD_ERROR = {
    "status": "error",
    "message": "Bad",
    "category": "VALIDATION_ERROR",
    "correlationId": CORRELATION,
}
ANY_CASE = case_for("/definitions", "GET")


class TestHubSpotErrorBody:
    @pytest.mark.parametrize("status", [400, 404, 428, 430, 500, 503])
    def test_every_error_status_but_429_is_judged(self, status: int) -> None:
        assert judge(checks.hubspot_error_body, ANY_CASE, response(status, GOOD_ERROR)) == "pass"
        broken = {**GOOD_ERROR, "status": "failed"}
        assert "`status` is 'failed'" in judge(
            checks.hubspot_error_body, ANY_CASE, response(status, broken)
        )

    @pytest.mark.parametrize("status", [200, 302, 399, 429])
    def test_other_statuses_are_not(self, status: int) -> None:
        assert judge(checks.hubspot_error_body, ANY_CASE, response(status, {})) == "skip"

    def test_a_json_content_type_in_capitals_is_judged(self) -> None:
        answer = raw_response(400, b"{}", {"content-type": "Application/JSON"})
        assert judge(checks.hubspot_error_body, ANY_CASE, answer).startswith("Not HubSpot's")

    @pytest.mark.parametrize(
        "answer",
        [
            raw_response(400, b'{"status": "error"}'),
            raw_response(400, b"{not json", {"content-type": "application/json"}),
        ],
        ids=["no content type", "broken json"],
    )
    def test_a_body_that_is_not_json_is_not_judged(self, answer: Response) -> None:
        assert judge(checks.hubspot_error_body, ANY_CASE, answer) == "skip"

    def test_a_json_value_that_is_not_an_object_fails(self) -> None:
        verdict = judge(checks.hubspot_error_body, ANY_CASE, response(400, ["error"]))
        assert verdict == "Error body is a JSON list, not an object"

    def test_every_problem_is_named(self) -> None:
        verdict = judge(checks.hubspot_error_body, ANY_CASE, response(400, {"correlationId": 7}))
        assert verdict == (
            "Not HubSpot's error body: `status` is None, not 'error'; `message` is missing or "
            "empty; `category` is missing or empty; `correlationId` 7 is not a UUID"
        )

    def test_blank_message_and_category_fail(self) -> None:
        body = {**GOOD_ERROR, "message": "  ", "category": "\t"}
        verdict = judge(checks.hubspot_error_body, ANY_CASE, response(400, body))
        assert verdict == (
            "Not HubSpot's error body: `message` is missing or empty; "
            "`category` is missing or empty"
        )

    def test_a_uuid_of_any_version_passes(self) -> None:
        for correlation in ("a8098c1a-f86e-11da-bd1a-00112444be1e", CORRELATION.upper()):
            body = {**GOOD_ERROR, "correlationId": correlation}
            assert judge(checks.hubspot_error_body, ANY_CASE, response(500, body)) == "pass"


# ---- correlation_id_header ------------------------------------------------------------------


class TestCorrelationIdHeader:
    @pytest.mark.parametrize("status", [400, 429, 500])
    def test_error_answers_are_judged(self, status: int) -> None:
        same = response(status, GOOD_ERROR, {"x-hubspot-correlation-id": CORRELATION})
        assert judge(checks.correlation_id_header, ANY_CASE, same) == "pass"
        other = response(status, GOOD_ERROR, {"X-HubSpot-Correlation-Id": "another"})
        assert judge(checks.correlation_id_header, ANY_CASE, other) == (
            f"x-hubspot-correlation-id is 'another' but the body's correlationId is {CORRELATION!r}"
        )

    def test_success_answers_are_not(self) -> None:
        other = response(399, GOOD_ERROR, {"x-hubspot-correlation-id": "another"})
        assert judge(checks.correlation_id_header, ANY_CASE, other) == "skip"

    def test_nothing_to_compare_is_not_judged(self) -> None:
        header = {"x-hubspot-correlation-id": "another"}
        without_id = {k: v for k, v in GOOD_ERROR.items() if k != "correlationId"}
        for answer in (
            response(400, GOOD_ERROR),
            response(400, without_id, header),
            response(400, [CORRELATION], header),
            raw_response(400, json.dumps(GOOD_ERROR).encode(), header),
        ):
            assert judge(checks.correlation_id_header, ANY_CASE, answer) == "skip"


# ---- rate_limit_guidance --------------------------------------------------------------------

LIMITED = {"status": "error", "message": "You have reached your ten secondly limit."}


class TestRateLimitGuidance:
    def test_only_429_is_judged(self) -> None:
        for status in (428, 430, 503):
            assert judge(checks.rate_limit_guidance, ANY_CASE, response(status, {})) == "skip"

    @pytest.mark.parametrize("retry_after", ["0", "10", " 2 "])
    def test_retry_after_seconds_pass(self, retry_after: str) -> None:
        answer = response(429, LIMITED, {"retry-after": retry_after})
        assert judge(checks.rate_limit_guidance, ANY_CASE, answer) == "pass"

    @pytest.mark.parametrize("retry_after", ["soon", "1.5", "-1"])
    def test_retry_after_that_is_not_seconds_fails(self, retry_after: str) -> None:
        body = {**LIMITED, "policyName": "TEN_SECONDLY_ROLLING"}
        answer = response(429, body, {"Retry-After": retry_after})
        assert judge(checks.rate_limit_guidance, ANY_CASE, answer) == (
            f"Retry-After {retry_after!r} is not a number of seconds"
        )

    def test_retry_after_in_other_digits_fails(self) -> None:
        # HTTP clients read header bytes as Latin-1: the byte 0xB2 arrives as "²", a digit to
        # str.isdigit but no number of seconds.
        body = json.dumps({**LIMITED, "policyName": "TEN_SECONDLY_ROLLING"}).encode()
        answer = httpx.Response(
            429,
            headers=[(b"content-type", b"application/json"), (b"retry-after", b"1\xb2")],
            content=body,
        )
        answer.request = httpx.Request("GET", "http://mock.local/")
        answer.elapsed = datetime.timedelta(0)
        verdict = judge(checks.rate_limit_guidance, ANY_CASE, Response.from_any(answer))
        assert verdict == "Retry-After '1\xb2' is not a number of seconds"

    @pytest.mark.parametrize(
        "answer",
        [
            response(429, {**LIMITED, "policyName": " "}),
            response(429, {**LIMITED, "policyName": 5}),
            response(429, LIMITED, {"retry-after": "  "}),
            response(429, [{"policyName": "TEN_SECONDLY_ROLLING"}]),
        ],
    )
    def test_no_guidance_fails(self, answer: Response) -> None:
        assert judge(checks.rate_limit_guidance, ANY_CASE, answer) == (
            "429 without Retry-After and without a policyName in the body"
        )

    @pytest.mark.parametrize(
        "answer",
        [
            response(429, {"policyName": "TEN_SECONDLY_ROLLING"}),
            response(429, {"policyName": "DAILY", "message": " "}),
            response(429, ["message"], {"retry-after": "1"}),
            raw_response(429, b"slow down", {"retry-after": "1"}),
        ],
    )
    def test_a_429_without_a_message_fails(self, answer: Response) -> None:
        assert judge(checks.rate_limit_guidance, ANY_CASE, answer) == "429 body has no `message`"


# ---- auth_enforced --------------------------------------------------------------------------


class Probes:
    """The probes auth_enforced sent (case, transport arguments), and the statuses to answer."""

    def __init__(self) -> None:
        self.sent: list[tuple[Any, dict[str, Any]]] = []
        self.replies: list[int] = []  # then 401

    def send(self, case: Any, **kwargs: Any) -> Response:
        self.sent.append((case, kwargs))
        return response(self.replies.pop(0) if self.replies else 401, GOOD_ERROR)


@pytest.fixture
def probes(monkeypatch: pytest.MonkeyPatch) -> Probes:
    monkeypatch.setattr(checks, "_AUTH_PROBED", set())
    fake = Probes()
    monkeypatch.setattr(SCHEMA.transport, "send", fake.send)
    return fake


def auth_ctx(**transport_kwargs: Any) -> Any:
    return SimpleNamespace(internals=SimpleNamespace(transport_kwargs=transport_kwargs))


def statuses_read(email: str = "a@x.com", **parts: Any) -> Any:
    return case_for(
        "/statuses/{subscriberIdString}",
        "GET",
        path_parameters={"subscriberIdString": email},
        **parts,
    )


class TestAuthEnforced:
    def test_a_2xx_operation_is_probed_without_and_with_a_bogus_token(self, probes: Probes) -> None:
        case = statuses_read(headers={"authorization": "Bearer real", "X-Trace": "t1"})
        ctx = auth_ctx(headers={"Authorization": "Bearer real", "X-Run": "r"}, timeout=5)
        assert judge(checks.auth_enforced, case, response(200, {}), ctx) == "pass"
        assert len(probes.sent) == 2
        (without, without_kwargs), (bogus, bogus_kwargs) = probes.sent
        assert without_kwargs == {"headers": {"X-Run": "r"}, "timeout": 5}
        assert bogus_kwargs == {
            "headers": {"X-Run": "r", "Authorization": "Bearer contract-suite-bogus-token-0000"},
            "timeout": 5,
        }
        for probe in (without, bogus):
            assert dict(probe.headers) == {"X-Trace": "t1"}
            assert probe.path_parameters == {"subscriberIdString": "a@x.com"}
        assert dict(case.headers) == {"authorization": "Bearer real", "X-Trace": "t1"}

    def test_each_operation_is_probed_once(self, probes: Probes) -> None:
        assert judge(checks.auth_enforced, statuses_read(), response(200, {}), auth_ctx()) == "pass"
        again = statuses_read("b@x.com")
        assert judge(checks.auth_enforced, again, response(204), auth_ctx()) == "skip"
        assert len(probes.sent) == 2
        other = case_for("/definitions", "GET")
        assert judge(checks.auth_enforced, other, response(200, {}), auth_ctx()) == "pass"
        assert len(probes.sent) == 4

    @pytest.mark.parametrize("status", [199, 300, 401, 500])
    def test_an_answer_that_is_not_2xx_probes_nothing_yet(
        self, probes: Probes, status: int
    ) -> None:
        case = statuses_read()
        assert judge(checks.auth_enforced, case, response(status, {}), auth_ctx()) == "skip"
        assert probes.sent == []
        assert judge(checks.auth_enforced, case, response(299, {}), auth_ctx()) == "pass"
        assert len(probes.sent) == 2

    def test_an_answer_without_a_token_fails(self, probes: Probes) -> None:
        probes.replies.extend([200])
        verdict = judge(checks.auth_enforced, statuses_read(), response(200, {}), auth_ctx())
        assert verdict == (
            f"GET {STATUSES} answered 200 without a token (expected 401; it answered 200 with "
            "the token)"
        )
        assert len(probes.sent) == 1

    def test_an_answer_to_a_bogus_token_fails(self, probes: Probes) -> None:
        probes.replies.extend([401, 403])
        verdict = judge(checks.auth_enforced, statuses_read(), response(207, {}), auth_ctx())
        assert verdict == (
            f"GET {STATUSES} answered 403 with a token nobody issued (expected 401; it "
            "answered 207 with the token)"
        )

    @pytest.mark.parametrize(
        "ctx",
        [
            SimpleNamespace(internals=SimpleNamespace()),
            SimpleNamespace(internals=SimpleNamespace(transport_kwargs=None)),
            auth_ctx(headers=None),
        ],
    )
    def test_a_run_without_transport_settings_probes_bare(self, probes: Probes, ctx: Any) -> None:
        assert judge(checks.auth_enforced, statuses_read(), response(200, {}), ctx) == "pass"
        assert [kwargs for _, kwargs in probes.sent] == [
            {"headers": {}},
            {"headers": {"Authorization": "Bearer contract-suite-bogus-token-0000"}},
        ]

    def test_an_in_process_app_is_passed_unless_the_run_names_one(
        self, probes: Probes, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        app, run_app = object(), object()
        case = statuses_read()
        monkeypatch.setattr(case.operation, "app", app)
        assert judge(checks.auth_enforced, case, response(200, {}), auth_ctx()) == "pass"
        assert [kwargs.get("app") for _, kwargs in probes.sent] == [app, app]
        other = case_for("/definitions", "GET")
        monkeypatch.setattr(other.operation, "app", app)
        assert judge(checks.auth_enforced, other, response(200, {}), auth_ctx(app=run_app)) == (
            "pass"
        )
        assert [kwargs.get("app") for _, kwargs in probes.sent[2:]] == [run_app, run_app]


# ---- the stateful checks: a read judged against the write it was linked from ----------------


def linked(parent: Any, parent_answer: Response | None, child: Any) -> Any:
    """A stateful run's context in which `child` was linked from `parent`."""
    parents = {child.id: parent}
    answers_by_case = {parent.id: parent_answer}

    def find_parent(*, case_id: str) -> Any:
        return parents.get(case_id)

    def find_response(*, case_id: str) -> Response | None:
        return answers_by_case.get(case_id)

    return SimpleNamespace(
        internals=SimpleNamespace(find_parent=find_parent, find_response=find_response)
    )


def unsubscribe_all(email: str = "a@x.com", **parts: Any) -> Any:
    return case_for(
        "/statuses/{subscriberIdString}/unsubscribe-all",
        "POST",
        path_parameters={"subscriberIdString": email},
        **parts,
    )


def wide_read(email: str = "a@x.com", **parts: Any) -> Any:
    return case_for(
        "/statuses/{subscriberIdString}/unsubscribe-all",
        "GET",
        path_parameters={"subscriberIdString": email},
        **parts,
    )


def statuses(*states: Any, subscription: int = 1) -> dict[str, Any]:
    return {
        "results": [
            {"subscriptionId": subscription + i, "status": state} for i, state in enumerate(states)
        ]
    }


OK = response(200, {})


class TestUnsubscribeAllVisible:
    def see(self, parent: Any, read: Any, body: Any, parent_answer: Response = OK) -> str:
        ctx = linked(parent, parent_answer, read)
        return judge(checks.unsubscribe_all_visible, read, response(200, body), ctx)

    def test_every_subscription_reads_unsubscribed(self) -> None:
        body = statuses("UNSUBSCRIBED", "UNSUBSCRIBED")
        assert self.see(unsubscribe_all(), statuses_read(), body) == "pass"

    def test_a_subscription_still_subscribed_fails(self) -> None:
        body = statuses("UNSUBSCRIBED", "SUBSCRIBED", "NOT_SPECIFIED", "SUBSCRIBED", "x", "y")
        body["results"].append("not a status")
        assert self.see(unsubscribe_all(), statuses_read(), body) == (
            f"5 of 6 subscriptions are not UNSUBSCRIBED right after `POST {UNSUBSCRIBE_ALL}` "
            "for the same contact: 'SUBSCRIBED', 'NOT_SPECIFIED', 'SUBSCRIBED' (+2 more)"
        )

    def test_the_wide_status_must_read_unsubscribed(self) -> None:
        body: dict[str, Any] = {"results": [{"status": "SUBSCRIBED"}, {"status": "UNSUBSCRIBED"}]}
        assert self.see(unsubscribe_all(), wide_read(), body) == "pass"
        body = {"results": [{"status": "SUBSCRIBED"}, "UNSUBSCRIBED"]}
        assert self.see(unsubscribe_all(), wide_read(), body) == (
            f"No UNSUBSCRIBED wide status right after `POST {UNSUBSCRIBE_ALL}` for the same contact"
        )
        assert self.see(unsubscribe_all(), wide_read(), {"results": []}).startswith("No ")

    def test_after_a_batch_opt_out_naming_the_contact_in_any_case(self) -> None:
        batch = case_for(
            "/statuses/batch/unsubscribe-all", "POST", body={"inputs": ["b@x.com", "Ann@X.com"]}
        )
        body = statuses("SUBSCRIBED")
        assert self.see(batch, statuses_read("ann@x.COM"), body).startswith("1 of 1 ")
        assert self.see(batch, statuses_read("c@x.com"), body) == "skip"
        odd = case_for("/statuses/batch/unsubscribe-all", "POST", body={"inputs": ["a@x.com", 1]})
        assert self.see(odd, statuses_read("a@x.com"), body) == "skip"

    def test_the_contact_in_the_path_is_compared_decoded_and_case_folded(self) -> None:
        body = statuses("SUBSCRIBED")
        assert self.see(unsubscribe_all("Ann%40x.com"), statuses_read("ann@X.com"), body) != "skip"
        assert self.see(unsubscribe_all("ann@x.com"), statuses_read("Ann%40x.com"), body) != "skip"
        assert self.see(unsubscribe_all("b@x.com"), statuses_read("a@x.com"), body) == "skip"
        no_contact = case_for(
            "/statuses/{subscriberIdString}/unsubscribe-all", "POST", path_parameters={}
        )
        assert self.see(no_contact, statuses_read(), body) == "skip"
        assert self.see(unsubscribe_all(), statuses_read(None), body) == "skip"  # type: ignore[arg-type]

    def test_only_in_the_same_business_unit(self) -> None:
        body = statuses("SUBSCRIBED")
        unit = {"businessUnitId": 5}
        assert self.see(unsubscribe_all(query=unit), statuses_read(), body) == "skip"
        assert self.see(unsubscribe_all(), statuses_read(query=unit), body) == "skip"
        judged = [
            (unsubscribe_all(query=unit), statuses_read(query={"businessUnitId": "5"})),
            (unsubscribe_all(query={"businessUnitId": "0"}), statuses_read()),
            (
                unsubscribe_all(query={"businessUnitId": "x"}),
                statuses_read(query={"businessUnitId": "x"}),
            ),
            (
                unsubscribe_all(query={"businessUnitId": None}),
                statuses_read(query={"businessUnitId": None}),
            ),
        ]
        for parent, read in judged:
            assert self.see(parent, read, body).startswith("1 of 1 ")
        odd = unsubscribe_all(query={"businessUnitId": "x"})
        assert self.see(odd, statuses_read(), body) == "skip"
        assert (
            self.see(unsubscribe_all(query={"businessUnitId": None}), statuses_read(), body)
            == "skip"
        )

    def test_only_after_a_successful_opt_out(self) -> None:
        body = statuses("SUBSCRIBED")
        for status in (201, 204, 400):
            assert self.see(unsubscribe_all(), statuses_read(), body, response(status, {})) == (
                "skip"
            )
        write = case_for(
            "/statuses/{subscriberIdString}",
            "POST",
            path_parameters={"subscriberIdString": "a@x.com"},
            body={"statusState": "UNSUBSCRIBED", "subscriptionId": 1, "channel": "EMAIL"},
        )
        assert self.see(write, statuses_read(), body) == "skip"

    def test_only_a_successful_read_of_one_contact(self) -> None:
        body = statuses("SUBSCRIBED")
        parent, read = unsubscribe_all(), statuses_read()
        for status in (201, 204, 404):
            answer = response(status, body)
            assert judge(
                checks.unsubscribe_all_visible, read, answer, linked(parent, OK, read)
            ) == ("skip")
        batch = batch_read(["a@x.com"])
        ctx = linked(parent, OK, batch)
        assert judge(checks.unsubscribe_all_visible, batch, response(200, body), ctx) == "skip"

    def test_only_a_read_that_lists_results(self) -> None:
        parent, read = unsubscribe_all(), statuses_read()
        for answer in (
            response(200, {"results": {"status": "SUBSCRIBED"}}),
            response(200, [{"status": "SUBSCRIBED"}]),
            raw_response(200, json.dumps(statuses("SUBSCRIBED")).encode()),
        ):
            ctx = linked(parent, OK, read)
            assert judge(checks.unsubscribe_all_visible, read, answer, ctx) == "skip"

    def test_only_in_a_stateful_run_with_a_link(self) -> None:
        read = statuses_read()
        answer = response(200, statuses("SUBSCRIBED"))
        for ctx in (
            None,
            SimpleNamespace(internals=None),
            SimpleNamespace(internals=SimpleNamespace(find_parent=lambda case_id: None)),
            SimpleNamespace(internals=SimpleNamespace(find_response=lambda case_id: OK)),
            linked(unsubscribe_all(), OK, statuses_read()),  # another case was linked
            linked(unsubscribe_all(), None, read),  # the parent's answer is not known
        ):
            assert judge(checks.unsubscribe_all_visible, read, answer, ctx) == "skip"


def status_write(email: str = "a@x.com", body: Any = None) -> Any:
    return case_for(
        "/statuses/{subscriberIdString}",
        "POST",
        path_parameters={"subscriberIdString": email},
        body=body
        if body is not None
        else {"statusState": "UNSUBSCRIBED", "subscriptionId": 7, "channel": "EMAIL"},
    )


class TestStatusWriteVisible:
    def see(self, parent: Any, read: Any, answer: Response, parent_answer: Response = OK) -> str:
        return judge(checks.status_write_visible, read, answer, linked(parent, parent_answer, read))

    def test_the_written_opt_out_reads_back(self) -> None:
        body = statuses("SUBSCRIBED", "UNSUBSCRIBED", subscription=6)
        assert self.see(status_write(), statuses_read(), response(200, body)) == "pass"

    def test_the_written_opt_out_not_read_back_fails(self) -> None:
        body = statuses("UNSUBSCRIBED", "NOT_SPECIFIED", subscription=6)
        assert self.see(status_write(), statuses_read(), response(200, body)) == (
            "Subscription 7 reads 'NOT_SPECIFIED' right after it was set to UNSUBSCRIBED"
        )

    def test_any_reading_of_the_subscription_must_show_it(self) -> None:
        body = {
            "results": [
                "x",
                {"subscriptionId": 7, "status": "UNSUBSCRIBED"},
                {"subscriptionId": 7, "status": "SUBSCRIBED"},
            ]
        }
        assert self.see(status_write(), statuses_read(), response(200, body)) == (
            "Subscription 7 reads 'SUBSCRIBED' right after it was set to UNSUBSCRIBED"
        )

    def test_a_read_without_the_subscription_passes(self) -> None:
        body = statuses("SUBSCRIBED", subscription=8)
        assert self.see(status_write(), statuses_read(), response(200, body)) == "pass"

    def test_the_contact_is_compared_decoded_and_case_folded(self) -> None:
        answer = response(200, statuses("SUBSCRIBED", subscription=7))
        assert self.see(status_write("Ann%40x.com"), statuses_read("ann@X.com"), answer) != "skip"
        assert self.see(status_write("b@x.com"), statuses_read("a@x.com"), answer) == "skip"

    def test_only_an_opt_out_is_judged(self) -> None:
        answer = response(200, statuses("SUBSCRIBED", subscription=7))
        for body in (
            {"statusState": "SUBSCRIBED", "subscriptionId": 7, "channel": "EMAIL"},
            {"subscriptionId": 7},
            ["UNSUBSCRIBED"],
        ):
            assert self.see(status_write(body=body), statuses_read(), answer) == "skip"

    def test_only_after_a_successful_single_write(self) -> None:
        answer = response(200, statuses("SUBSCRIBED", subscription=7))
        for status in (201, 204, 400):
            assert self.see(status_write(), statuses_read(), answer, response(status, {})) == (
                "skip"
            )
        assert self.see(unsubscribe_all(), statuses_read(), answer) == "skip"

    def test_only_a_successful_statuses_read(self) -> None:
        body = statuses("SUBSCRIBED", subscription=7)
        for status in (201, 204, 404):
            assert self.see(status_write(), statuses_read(), response(status, body)) == "skip"
        assert self.see(status_write(), wide_read(), response(200, body)) == "skip"
        for answer in (
            response(200, {"results": {"subscriptionId": 7, "status": "SUBSCRIBED"}}),
            response(200, body["results"]),
            raw_response(200, json.dumps(body).encode()),
        ):
            assert self.see(status_write(), statuses_read(), answer) == "skip"

    def test_only_in_a_stateful_run_with_a_link(self) -> None:
        read = statuses_read()
        answer = response(200, statuses("SUBSCRIBED", subscription=7))
        for ctx in (
            None,
            SimpleNamespace(internals=SimpleNamespace()),
            linked(status_write(), None, read),
            linked(status_write(), OK, statuses_read()),
        ):
            assert judge(checks.status_write_visible, read, answer, ctx) == "skip"


# ---- the hint of a rejected schema-valid request --------------------------------------------


def rejection() -> Any:
    return openapi_failures.RejectedPositiveData(
        operation="POST /x",
        message="Rejected with 400\nHint: additional properties",
        status_code=400,
        allowed_statuses=["2XX"],
    )


def hint(case: Any, body: Any, content_type: str = "application/json") -> str:
    failure = rejection()
    answer = raw_response(400, json.dumps(body).encode(), {"content-type": content_type})
    checks.explain_rejection(failure, case, answer)
    assert failure.message.startswith("Rejected with 400\nHint: ")
    assert failure.message.count("Hint:") == 1
    return str(failure.message).split("\nHint: ", 1)[1]


def error(message: Any = "bad", details: Any = None) -> dict[str, Any]:
    body = {**GOOD_ERROR, "message": message}
    if details is not None:
        body["errors"] = details
    return body


def write_case(email: str = "a%20b@x.com", body: Any = None) -> Any:
    return case_for(
        "/statuses/{subscriberIdString}",
        "POST",
        path_parameters={"subscriberIdString": email},
        body=body if body is not None else {"subscriptionId": 7, "statusState": "SUBSCRIBED"},
    )


class TestRejectionHint:
    def test_each_detail_names_a_part_of_the_request(self) -> None:
        details = [
            {"in": "subscriberIdString", "message": "not an email"},
            {"in": "subscriptionId", "message": ""},
            {"in": "channel", "message": 5},
            {"in": "subscriptionId"},
            {"in": "nowhere", "message": "ignored"},
            {"in": 5, "message": "ignored"},
            "subscriberIdString",
        ]
        case = write_case()
        case.query = {"channel": "SMS"}
        assert hint(case, error("bad", details)) == (
            "The server named path parameter `subscriberIdString` = 'a b@x.com' (not an email); "
            "body field `subscriptionId`; query parameter `channel` = 'SMS'."
        )

    def test_a_nested_body_field_is_named_by_its_top_field(self) -> None:
        case = batch_read(["a@x.com"])
        details = [
            {"in": "inputs[0]", "message": "bad email"},
            {"in": "inputs.0"},
            {"in": "inputs[0][1]"},
            {"in": "inputs.0.email"},
            {"in": "inputs.0[1]"},
        ]
        assert hint(case, error("bad", details)) == (
            "The server named body field `inputs[0]` (bad email); body field `inputs.0`; "
            "body field `inputs[0][1]`; body field `inputs.0.email`; body field `inputs.0[1]`."
        )

    def test_the_message_names_a_parameter_as_a_word(self) -> None:
        case = batch_read(["a@x.com"])
        case.query = {"channel": "EMAIL", "businessUnitId": 5}
        assert hint(case, error("Unknown businessUnitId for this portal")) == (
            "The server named query parameter `businessUnitId` = 5."
        )
        assert hint(case, error("subscriberIdString is not valid", [])) == ("additional properties")
        assert hint(case, error("channels or xbusinessUnitId")) == "additional properties"
        assert hint(write_case(), error("subscriberIdString: no")) == (
            "The server named path parameter `subscriberIdString` = 'a b@x.com'."
        )

    def test_the_message_is_read_only_when_no_detail_names_a_part(self) -> None:
        details = [{"in": "subscriptionId", "message": "unknown"}]
        assert hint(write_case(), error("subscriberIdString is bad", details)) == (
            "The server named body field `subscriptionId` (unknown)."
        )
        assert hint(write_case(), error(7, [{"in": "nowhere"}])) == "additional properties"

    def test_nothing_named_keeps_the_hint(self) -> None:
        case = write_case(body=["subscriptionId"])
        assert hint(case, error("bad", [{"in": "subscriptionId"}])) == "additional properties"
        assert hint(write_case(), error("subscriberIdString", "in")) == (
            "The server named path parameter `subscriberIdString` = 'a b@x.com'."
        )
        assert hint(write_case(), ["subscriberIdString"]) == "additional properties"
        text = hint(write_case(), error("subscriberIdString"), content_type="text/plain")
        assert text == "additional properties"

    def test_the_new_hint_replaces_everything_from_the_first_hint_on(self) -> None:
        failure = rejection()
        failure.message += "\nHint: and more"
        checks.explain_rejection(failure, write_case(), response(400, error("subscriberIdString")))
        assert failure.message == (
            "Rejected with 400\nHint: The server named path parameter `subscriberIdString` = "
            "'a b@x.com'."
        )

    def test_other_failures_are_left_alone(self) -> None:
        failure = openapi_failures.UndefinedStatusCode(
            operation="POST /x",
            status_code=400,
            defined_status_codes=["200"],
            allowed_status_codes=[200],
            message="Undocumented\nHint: x",
        )
        checks.explain_rejection(failure, write_case(), response(400, error("subscriberIdString")))
        assert failure.message == "Undocumented\nHint: x"
