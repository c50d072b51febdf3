"""When the suite reports "Schema-valid request rejected", its hint names what the server blamed.

Schemathesis' own hint blames extra body properties whenever the request has some, even when
HubSpot's error names another part: the report of issue 13 blamed an additional property for an
address the server refused in the path. commprefs_kit.contract.checks rewrites the hint from
HubSpot's error body (`errors[].in`, or a parameter the message names).
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import positive_data_acceptance

from commprefs_kit import paths
from commprefs_kit.contract import checks

REFUSED = "t$la;#zt@wfev1hpd.org"
CORRELATION = "019cd9fe-d093-7d4f-8a7e-2f1c3b4d5e6f"


@pytest.fixture(scope="module")
def positive_case() -> Any:
    """A schema-valid update_status case as Schemathesis generates it (with its metadata)."""
    operation = schemathesis.openapi.from_path(paths.SPEC_PATH).find_operation_by_id(
        "update_status"
    )
    drawn: list[Any] = []

    @settings(max_examples=20, database=None, suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def collect(case: Any) -> None:
        drawn.append(case)

    collect()
    case = next(c for c in drawn if isinstance(c.body, dict))
    case.path_parameters["subscriberIdString"] = "t%24la%3B%23zt@wfev1hpd.org"
    case.body = {**case.body, "zzExtra": 1}  # what made Schemathesis blame a property
    return case


def _answer(body: dict[str, Any]) -> schemathesis.Response:
    answer = httpx.Response(
        400, headers={"content-type": "application/json"}, content=json.dumps(body).encode()
    )
    answer.request = httpx.Request("POST", "http://mock.local/")
    answer.elapsed = datetime.timedelta(0)
    return schemathesis.Response.from_any(answer)


def _rejection(case: Any, body: dict[str, Any]) -> str:
    with pytest.raises(FailureGroup) as caught:
        case.validate_response(_answer(body), checks=[positive_data_acceptance])
    [failure] = caught.value.exceptions
    assert failure.title == "Schema-valid request rejected"
    return str(failure.message)


def _error(message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "status": "error",
        "message": message,
        "correlationId": CORRELATION,
        "category": "VALIDATION_ERROR",
    }
    if details is not None:
        body["errors"] = details
    return body


def test_the_hint_names_the_path_parameter_the_server_blamed(positive_case: Any) -> None:
    body = _error(
        f"Invalid value {REFUSED!r} for path parameter 'subscriberIdString'",
        [{"message": "not an email address", "in": "subscriberIdString", "code": "INVALID_EMAIL"}],
    )
    message = _rejection(positive_case, body)
    assert "additional propert" not in message
    assert f"path parameter `subscriberIdString` = {REFUSED!r} (not an email address)" in message
    assert message.count("Hint:") == 1


def test_a_message_that_names_the_parameter_is_enough(positive_case: Any) -> None:
    message = _rejection(positive_case, _error("subscriberIdString is not a valid email"))
    assert f"path parameter `subscriberIdString` = {REFUSED!r}" in message
    assert "additional propert" not in message


def test_a_body_field_is_named_too(positive_case: Any) -> None:
    body = _error("bad", [{"message": "unknown subscription", "in": "subscriptionId"}])
    message = _rejection(positive_case, body)
    assert "body field `subscriptionId` (unknown subscription)" in message


def test_without_a_named_cause_schemathesis_hint_stays(positive_case: Any) -> None:
    message = _rejection(positive_case, _error("Something went wrong"))
    assert "additional property" in message and "The server named" not in message


def test_explain_rejection_leaves_other_failures_alone(positive_case: Any) -> None:
    failure = AssertionError("x")
    checks.explain_rejection(failure, positive_case, _answer(_error("subscriberIdString")))  # type: ignore[arg-type]
    assert str(failure) == "x"
