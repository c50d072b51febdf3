"""Client end to end: every operation called through the generated client against the target.

Each call must answer 2xx, parse into the spec's success model for its status, and lose
nothing: the model's `to_dict()` equals the JSON on the wire (date-times compared as wall time
+ offset). A call with a token the server does not know must answer 401 with HubSpot's error
body, which the client parses as `Error`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import hubspot_communication_preferences.models as models
import pytest
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

from commprefs_kit.contract.client import generated_client
from commprefs_kit.contract.results import tag_check
from commprefs_kit.contract.spec_requests import operations
from commprefs_kit.contract.spec_schemas import SpecSchemas, normalize
from commprefs_kit.contract.target import Known, Target

SCHEMAS = SpecSchemas.from_spec()
OPERATIONS = {op.operation_id: op for op in operations()}
SUCCESS = {op_id: op.success_schemas() for op_id, op in OPERATIONS.items()}
EMAIL = Channel.EMAIL
READER = "e2e.reader+tag@example.com"
WRITER = "e2e.writer@example.com"
LEAVER = "e2e.leaver@example.org"

Call = Callable[[AuthenticatedClient, int], Any]

CALLS: dict[str, Call] = {
    "get_definitions": lambda c, sub: get_definitions.sync_detailed(
        client=c, include_translations=True
    ),
    "get_statuses": lambda c, sub: get_statuses.sync_detailed(READER, client=c, channel=EMAIL),
    "update_status": lambda c, sub: update_status.sync_detailed(
        WRITER,
        client=c,
        body=PartialPublicStatusRequest(
            channel=EMAIL, status_state=SubscriptionStatus.SUBSCRIBED, subscription_id=sub
        ),
    ),
    "get_unsubscribe_all_status": lambda c, sub: get_unsubscribe_all_status.sync_detailed(
        READER, client=c, channel=EMAIL
    ),
    "unsubscribe_all": lambda c, sub: unsubscribe_all.sync_detailed(
        LEAVER, client=c, channel=EMAIL, verbose=True
    ),
    "batch_get_statuses": lambda c, sub: batch_get_statuses.sync_detailed(
        client=c, body=BatchInputString(inputs=[READER, WRITER]), channel=EMAIL
    ),
    "batch_update_statuses": lambda c, sub: batch_update_statuses.sync_detailed(
        client=c,
        body=BatchInputPublicStatusRequest(
            inputs=[
                PublicStatusRequest(
                    channel=EMAIL,
                    status_state=SubscriptionStatus.UNSUBSCRIBED,
                    subscriber_id_string=WRITER,
                    subscription_id=sub,
                )
            ]
        ),
    ),
    "batch_unsubscribe_all": lambda c, sub: batch_unsubscribe_all.sync_detailed(
        client=c, body=BatchInputString(inputs=[LEAVER, "e2e.other@example.org"]), channel=EMAIL
    ),
    "batch_get_unsubscribe_all_statuses": lambda c, sub: (
        batch_get_unsubscribe_all_statuses.sync_detailed(
            client=c, body=BatchInputString(inputs=[LEAVER, READER]), channel=EMAIL
        )
    ),
    "generate_links": lambda c, sub: generate_links.sync_detailed(
        client=c,
        body=LinkGenerationRequest(subscriber_id_string=READER, subscription_id=sub),
        channel=EMAIL,
    ),
}


def test_calls_cover_the_spec() -> None:
    assert sorted(CALLS) == sorted(SUCCESS)


@pytest.mark.parametrize("operation_id", sorted(CALLS))
def test_client_end_to_end(
    operation_id: str,
    client: AuthenticatedClient,
    known: Known,
    request: pytest.FixtureRequest,
) -> None:
    tag_check(request.node, operation_id, "client_e2e")
    # A stateless mock names no usable subscription; any id does for it.
    subscription_id = known.subscription_ids[0] if known.subscription_ids else 1
    response = CALLS[operation_id](client, subscription_id)
    body = response.content[:300].decode("utf-8", "replace")
    assert int(response.status_code) in SUCCESS[operation_id], (
        f"{operation_id} answered {int(response.status_code)}: {body}"
    )
    status = int(response.status_code)
    schema = SUCCESS[operation_id][status]
    model = getattr(models, str(OPERATIONS[operation_id].response_schema_names[str(status)]))
    assert isinstance(response.parsed, model)
    wire = json.loads(response.content)
    assert normalize(response.parsed.to_dict(), schema, SCHEMAS) == normalize(wire, schema, SCHEMAS)


def test_unknown_token_gets_hubspot_401(
    target: Target, app: Any, request: pytest.FixtureRequest
) -> None:
    tag_check(request.node, "get_definitions", "client_e2e")
    stranger = Target(
        base_url=target.base_url, token="not-a-token-anyone-issued", app_spec=target.app_spec
    )
    with generated_client(stranger, app) as client:
        response = get_definitions.sync_detailed(client=client)
    assert int(response.status_code) == 401, (
        f"a token nobody issued was answered {int(response.status_code)}, not 401"
    )
    assert isinstance(response.parsed, models.Error)
    assert response.parsed.category and response.parsed.message
