"""The README's in-process example: the generated client against the mock, all 10 calls."""

from __future__ import annotations

import httpx
from hubspot_communication_preferences import AuthenticatedClient
from hubspot_communication_preferences.api.batch import (
    batch_get_statuses,
    batch_get_unsubscribe_all_statuses,
    batch_unsubscribe_all,
    batch_update_statuses,
)
from hubspot_communication_preferences.api.definitions import get_definitions
from hubspot_communication_preferences.api.status import (
    generate_links,
    get_statuses,
    get_unsubscribe_all_status,
    unsubscribe_all,
    update_status,
)
from hubspot_communication_preferences.models import (
    BatchInputPublicStatusRequest,
    BatchInputString,
    Channel,
    LinkGenerationRequest,
    PartialPublicStatusRequest,
    PublicStatusRequest,
    SubscriptionStatus,
)

from mock_server import create_app


async def test_generated_client_drives_every_operation() -> None:
    app = create_app()
    client = AuthenticatedClient(
        base_url="http://mock",
        token="test-token",
        httpx_args={"transport": httpx.ASGITransport(app=app)},
    )
    email = Channel.EMAIL
    async with client:
        defs = await get_definitions.asyncio(client=client)
        assert defs is not None and len(defs.results) == 5
        sub_id = int(defs.results[0].id)

        r = await batch_unsubscribe_all.asyncio_detailed(
            client=client,
            body=BatchInputString(inputs=["ann@example.com", "bob@example.com"]),
            channel=email,
            verbose=True,
        )
        assert r.status_code == 200 and r.parsed is not None
        assert [x.subscriber_id_string for x in r.parsed.results] == [
            "ann@example.com",
            "bob@example.com",
        ]

        wide = await get_unsubscribe_all_status.asyncio(
            "ann@example.com", client=client, channel=email
        )
        assert wide is not None and wide.results[0].wide_status_type == "PORTAL_WIDE"

        change = PartialPublicStatusRequest(
            channel=email, status_state=SubscriptionStatus.SUBSCRIBED, subscription_id=sub_id
        )
        written = await update_status.asyncio("cy+news@example.com", client=client, body=change)
        assert written is not None and written.results[0].status == SubscriptionStatus.SUBSCRIBED

        statuses = await get_statuses.asyncio("cy+news@example.com", client=client, channel=email)
        assert statuses is not None
        assert {s.subscription_id: s.status for s in statuses.results}[sub_id] == "SUBSCRIBED"

        single = await unsubscribe_all.asyncio("dee@example.com", client=client, channel=email)
        assert single is not None and single.results == []

        batch_read = await batch_get_statuses.asyncio_detailed(
            client=client, body=BatchInputString(inputs=["ann@example.com"]), channel=email
        )
        assert batch_read.status_code == 200

        wide_read = await batch_get_unsubscribe_all_statuses.asyncio_detailed(
            client=client, body=BatchInputString(inputs=["ann@example.com", "x"]), channel=email
        )
        assert wide_read.status_code == 207

        batch_write = await batch_update_statuses.asyncio(
            client=client,
            body=BatchInputPublicStatusRequest(
                inputs=[
                    PublicStatusRequest(
                        channel=email,
                        status_state=SubscriptionStatus.UNSUBSCRIBED,
                        subscriber_id_string="cy+news@example.com",
                        subscription_id=sub_id,
                    )
                ]
            ),
        )
        assert batch_write is not None
        assert batch_write.results[0].set_status_success_reason == "REQUESTED_CHANGE_OCCURRED"

        links = await generate_links.asyncio(
            client=client,
            body=LinkGenerationRequest(subscriber_id_string="ann@example.com"),
            channel=email,
        )
        assert links is not None and links.unsubscribe_all_url.startswith("https://")
