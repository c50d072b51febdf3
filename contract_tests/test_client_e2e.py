"""Client end to end: every operation called through the generated client against the target.

Each call must answer 2xx, parse into the spec's success model for its status, and lose
nothing: the model's `to_dict()` equals the JSON on the wire (date-times compared as wall time
+ offset). A call with a token the server does not know must answer 401 with HubSpot's error
body, which the client parses as `Error`.
"""

from __future__ import annotations

import json
from typing import Any

import hubspot_communication_preferences.models as models
import pytest
from hubspot_communication_preferences import AuthenticatedClient
from hubspot_communication_preferences.api.definitions import get_definitions

from commprefs_kit.contract.calls import ExampleInputs, example_calls
from commprefs_kit.contract.client import generated_client
from commprefs_kit.contract.results import tag_check
from commprefs_kit.contract.spec_requests import operations
from commprefs_kit.contract.spec_schemas import SpecSchemas, normalize
from commprefs_kit.contract.target import Known, Target

SCHEMAS = SpecSchemas.from_spec()
OPERATIONS = {op.operation_id: op for op in operations()}
SUCCESS = {op_id: op.success_schemas() for op_id, op in OPERATIONS.items()}
# The spec-derived example call of each operation (commprefs_kit/contract/calls.py).
CALLS = example_calls()


def call_of(operation_id: str, subscription_id: int) -> Any:
    """The operation's example call, on a contact of its own (calls do not disturb each other)."""
    inputs = ExampleInputs(
        contact=f"e2e.{operation_id.replace('_', '-')}@example.com",
        more_contacts=("e2e.other+tag@example.org",),
        subscription_id=subscription_id,
    )
    return example_calls(inputs)[operation_id]


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
    response = call_of(operation_id, subscription_id).sync_detailed(client)
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
