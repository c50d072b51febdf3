"""The one table of example calls: every operation of the spec, built from the generated modules,
each a request the spec accepts."""

from __future__ import annotations

import httpx
import pytest
from hubspot_communication_preferences import HubSpotAPIError, make_client

from commprefs_kit.contract.calls import ExampleInputs, example_calls
from commprefs_kit.contract.spec_requests import request_problems
from commprefs_kit.contract.spec_schemas import SpecSchemas
from commprefs_spec import Spec, pinned_spec

SCHEMAS = SpecSchemas.from_spec()
INPUTS = ExampleInputs(contact="t.calls+x@example.com", more_contacts=("b@example.org",))


def test_the_table_has_a_call_of_every_operation_of_the_spec() -> None:
    calls = example_calls(INPUTS)
    assert set(calls) == set(pinned_spec().operations)
    assert all(call.operation.operation_id == op_id for op_id, call in calls.items())


@pytest.mark.parametrize("operation_id", sorted(pinned_spec().operations))
def test_each_example_call_is_a_request_the_spec_accepts(operation_id: str) -> None:
    sent: list[httpx.Request] = []

    def hubspot(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(503)  # the answer does not matter here

    call = example_calls(INPUTS)[operation_id]
    transport = httpx.MockTransport(hubspot)
    with (
        make_client("t0ken-for-calls", transport=transport, retry=None) as c,
        pytest.raises(HubSpotAPIError),  # the 503; the request is what is judged
    ):
        call.sync_detailed(c)
    (request,) = sent
    assert request_problems(call.operation, request, SCHEMAS) == []
    if call.args or call.operation.body_schema_name:  # it names a contact: ours
        assert "t.calls+x@example.com" in request.content.decode() + request.url.path


def test_an_operation_the_client_lacks_is_named() -> None:
    document = dict(pinned_spec().document)
    paths = dict(document["paths"])
    item = dict(next(iter(paths.values())))
    item["get"] = {**item["get"], "operationId": "get_preference_groups"}
    paths["/communication-preferences/2026-03/preference-groups"] = item
    document["paths"] = paths
    with pytest.raises(KeyError, match="get_preference_groups: regenerate"):
        example_calls(INPUTS, Spec(document))
