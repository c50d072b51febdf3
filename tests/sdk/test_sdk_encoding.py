"""Emails in the URL path survive the SDK's percent-encoding and the mock's decoding.

The SDK leaves `+`, `@` and `'` literal in a path segment and encodes `/` and `%`
(RFC 3986 pchar). The mock must neither read `+` as a space nor split on an encoded `/`,
and the identity written through the path must be the one a batch read finds by body.
Checked in-process and through the real HTTP server the CLI starts (which decodes the
raw request line itself).
"""

from __future__ import annotations

import httpx
import pytest
from hubspot_sdk import AsyncHubSpot, HubSpot

TRICKY = [
    "first+tag@example.com",
    "a/b@example.com",
    "o'brien@example.com",
    "percent%41@example.com",
]


@pytest.mark.parametrize("email", TRICKY)
async def test_path_email_round_trips_in_process(sdk: AsyncHubSpot, email: str) -> None:
    definitions = await sdk.communication_preferences.definitions.list()
    subscription_id = int(definitions.results[0].id)
    written = await sdk.communication_preferences.update_status(
        email, channel="EMAIL", status_state="SUBSCRIBED", subscription_id=subscription_id
    )
    assert written.results[0].subscriber_id_string == email

    read = await sdk.communication_preferences.get_statuses(email, channel="EMAIL")
    assert {s.subscriber_id_string for s in read.results} == {email}

    batch = await sdk.communication_preferences.statuses.batch.read(channel="EMAIL", inputs=[email])
    [result] = batch.results
    assert result.subscriber_id_string == email
    assert {s.subscription_id: s.status for s in result.statuses}[subscription_id] == "SUBSCRIBED"

    await sdk.communication_preferences.unsubscribe_all(email, channel="EMAIL")
    wide = await sdk.communication_preferences.get_unsubscribe_all_status(email, channel="EMAIL")
    assert [w.subscriber_id_string for w in wide.results] == [email]


def test_path_email_round_trips_over_http_with_sync_client(served_mock_url: str) -> None:
    with HubSpot(
        access_token="test-token",
        base_url=served_mock_url,
        max_retries=0,
        _strict_response_validation=True,
    ) as sdk:
        httpx.post(f"{served_mock_url}/_mock/reset").raise_for_status()
        subscription_id = int(sdk.communication_preferences.definitions.list().results[0].id)
        for email in TRICKY:
            sdk.communication_preferences.update_status(
                email, channel="EMAIL", status_state="UNSUBSCRIBED", subscription_id=subscription_id
            )
        batch = sdk.communication_preferences.statuses.batch.read(channel="EMAIL", inputs=TRICKY)
        found = {
            r.subscriber_id_string: {s.subscription_id: s.status for s in r.statuses}[
                subscription_id
            ]
            for r in batch.results
        }
        assert found == dict.fromkeys(TRICKY, "UNSUBSCRIBED")
        for email in TRICKY:
            read = sdk.communication_preferences.get_statuses(email, channel="EMAIL")
            assert {s.subscriber_id_string for s in read.results} == {email}
