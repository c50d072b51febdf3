"""The mock's error statuses reach SDK users as the SDK's own exception classes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import hubspot_sdk
import pytest
from hubspot_sdk import AsyncHubSpot

from mock_server import MockConfig
from mock_server.config import RateLimit

SdkFactory = Callable[..., AsyncHubSpot]  # the make_sdk fixture (conftest.py)

READ_ONLY = "read-only-token"


def error_body(exc: hubspot_sdk.APIStatusError) -> dict[str, Any]:
    assert isinstance(exc.body, dict), f"error body is not JSON: {exc.response.text[:200]}"
    assert exc.body.get("correlationId"), "every HubSpot error carries a correlationId"
    return exc.body


@pytest.mark.parametrize("token", ["not-a-known-token", None], ids=["unknown", "missing"])
async def test_bad_or_missing_token_is_authentication_error(
    make_sdk: SdkFactory, token: str | None
) -> None:
    sdk = make_sdk(token=token)
    with pytest.raises(hubspot_sdk.AuthenticationError) as caught:
        await sdk.communication_preferences.definitions.list()
    assert caught.value.status_code == 401
    assert error_body(caught.value)["category"] == "INVALID_AUTHENTICATION"
    assert "not-a-known-token" not in caught.value.response.text


async def test_token_without_scope_is_permission_denied(make_sdk: SdkFactory) -> None:
    config = MockConfig(tokens={READ_ONLY: frozenset({"communication_preferences.read"})})
    sdk = make_sdk(config, token=READ_ONLY)
    assert (await sdk.communication_preferences.definitions.list()).results  # read scope works

    with pytest.raises(hubspot_sdk.PermissionDeniedError) as caught:
        await sdk.communication_preferences.statuses.batch.unsubscribe_all(
            channel="EMAIL", inputs=["alice@example.com"]
        )
    assert caught.value.status_code == 403
    body = error_body(caught.value)
    assert body["category"] == "MISSING_SCOPES"
    required = {s for e in body["errors"] for s in e["context"]["requiredScopes"]}
    assert "communication_preferences.statuses.batch.write" in required


async def test_schema_invalid_request_is_bad_request(sdk: AsyncHubSpot) -> None:
    with pytest.raises(hubspot_sdk.BadRequestError) as caught:
        await sdk.communication_preferences.get_statuses(
            "alice@example.com",
            channel="SMS",  # type: ignore[arg-type]  # not in the 2026-03 Channel enum
        )
    assert caught.value.status_code == 400
    assert error_body(caught.value)["category"] == "VALIDATION_ERROR"


async def test_unknown_subscription_id_is_not_found(sdk: AsyncHubSpot) -> None:
    with pytest.raises(hubspot_sdk.NotFoundError) as caught:
        await sdk.communication_preferences.update_status(
            "alice@example.com",
            channel="EMAIL",
            status_state="SUBSCRIBED",
            subscription_id=987654321987,
        )
    assert caught.value.status_code == 404
    error_body(caught.value)


async def test_rate_limit_is_rate_limit_error(make_sdk: SdkFactory) -> None:
    sdk = make_sdk(
        MockConfig(rate_limit=RateLimit(max_requests=1, interval_seconds=60)), max_retries=0
    )
    await sdk.communication_preferences.definitions.list()
    with pytest.raises(hubspot_sdk.RateLimitError) as caught:
        await sdk.communication_preferences.definitions.list()
    assert caught.value.status_code == 429
    body = caught.value.body
    assert isinstance(body, dict) and body.get("policyName")
    assert caught.value.response.headers.get("Retry-After")
