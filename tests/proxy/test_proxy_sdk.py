"""HubSpot's own SDK (hubspot-sdk) through the proxy in front of the mock: every one of its ten
Communication Preferences methods passes without a finding, and the SDK parses every answer."""

from __future__ import annotations

import httpx
import pytest
from proxy_testing import SUBSCRIPTION, in_process

import mock_server

hubspot_sdk = pytest.importorskip("hubspot_sdk")


@pytest.fixture(autouse=True)
def _clean_sdk_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HUBSPOT_BASE_URL", "HUBSPOT_CUSTOM_HEADERS", "HUBSPOT_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)


async def test_sdk_traffic_has_no_finding() -> None:
    setup = in_process(mock_server.create_app())
    sdk = hubspot_sdk.AsyncHubSpot(
        access_token="test-token",
        base_url="http://proxy.invalid",
        http_client=httpx.AsyncClient(transport=httpx.ASGITransport(app=setup.proxy)),
        _strict_response_validation=True,
        max_retries=0,
    )
    cp = sdk.communication_preferences
    batch = cp.statuses.batch
    a, b = "alice+sdk@example.com", "bob@example.com"
    try:
        await cp.definitions.list(include_translations=True)
        await cp.get_statuses(a, channel="EMAIL")
        await cp.update_status(
            a,
            channel="EMAIL",
            status_state="SUBSCRIBED",
            subscription_id=SUBSCRIPTION,
            legal_basis="CONSENT_WITH_NOTICE",
            legal_basis_explanation="Ticked the box",
        )
        await cp.get_unsubscribe_all_status(a, channel="EMAIL")
        await cp.unsubscribe_all(a, channel="EMAIL", verbose=True)
        await cp.get_statuses(a, channel="EMAIL")
        await batch.update_statuses(
            inputs=[
                {
                    "channel": "EMAIL",
                    "status_state": "UNSUBSCRIBED",
                    "subscriber_id_string": b,
                    "subscription_id": SUBSCRIPTION,
                }
            ]
        )
        await batch.read(channel="EMAIL", inputs=[a, b])
        await batch.unsubscribe_all(channel="EMAIL", inputs=[a, b], verbose=True)
        await batch.get_unsubscribe_all_statuses(channel="EMAIL", inputs=[a, b])
        await cp.generate_links(
            channel="EMAIL", subscriber_id_string=a, subscription_id=SUBSCRIPTION, language="en"
        )
    finally:
        await sdk.close()
    assert len(setup.log.exchanges) == 10, dict(setup.log.exchanges)
    assert setup.log.groups == {}, setup.live.getvalue()
