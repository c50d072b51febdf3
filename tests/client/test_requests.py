"""Every operation sends the right method, raw path, query, JSON body and bearer token, and
parses HubSpot's 200 answer into the right model: sync and async."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

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
    ActionResponseWithResultsPublicStatus,
    ActionResponseWithResultsPublicWideStatus,
    ActionResponseWithResultsSubscriptionDefinition,
    BatchInputPublicStatusRequest,
    BatchInputString,
    BatchResponsePublicBulkOptOutFromAllResponse,
    BatchResponsePublicStatus,
    BatchResponsePublicStatusBulkResponse,
    BatchResponsePublicWideStatusBulkResponse,
    Channel,
    LegalBasis,
    LinkGenerationRequest,
    LinkGenerationResponse,
    PartialPublicStatusRequest,
    PublicStatusRequest,
    SubscriptionStatus,
)

from commprefs_kit.client_testing import (
    ScriptedHubSpot,
    definition,
    envelope,
    public_status,
    reply,
    wide_status,
)

P = "/communication-preferences/2026-03"
# A space and a slash must be encoded; the generated client also encodes "@" and "+".
ODD_EMAIL = "a b/c+tag@x.com"
ODD_EMAIL_IN_PATH = "a%20b%2Fc%2Btag%40x.com"


@dataclass(frozen=True)
class Case:
    module: ModuleType
    args: tuple[Any, ...]
    kwargs: Callable[[], dict[str, Any]]
    method: str
    raw_path: str
    raw_query: str
    body: Any
    answer: Any
    parsed_type: type


CASES = {
    "get_definitions": Case(
        get_definitions,
        (),
        lambda: {"business_unit_id": 7, "include_translations": True},
        "GET",
        f"{P}/definitions",
        "businessUnitId=7&includeTranslations=true",
        None,
        envelope([definition()]),
        ActionResponseWithResultsSubscriptionDefinition,
    ),
    "get_statuses": Case(
        get_statuses,
        (ODD_EMAIL,),
        lambda: {"channel": Channel.EMAIL, "business_unit_id": 0},
        "GET",
        f"{P}/statuses/{ODD_EMAIL_IN_PATH}",
        "channel=EMAIL&businessUnitId=0",
        None,
        envelope([public_status(ODD_EMAIL)]),
        ActionResponseWithResultsPublicStatus,
    ),
    "update_status": Case(
        update_status,
        (ODD_EMAIL,),
        lambda: {
            "body": PartialPublicStatusRequest(
                channel=Channel.EMAIL,
                status_state=SubscriptionStatus.UNSUBSCRIBED,
                subscription_id=9_000_000_001,
                legal_basis=LegalBasis.CONSENT_WITH_NOTICE,
                legal_basis_explanation="asked by phone",
            )
        },
        "POST",
        f"{P}/statuses/{ODD_EMAIL_IN_PATH}",
        "",
        {
            "channel": "EMAIL",
            "statusState": "UNSUBSCRIBED",
            "subscriptionId": 9_000_000_001,
            "legalBasis": "CONSENT_WITH_NOTICE",
            "legalBasisExplanation": "asked by phone",
        },
        envelope([public_status(ODD_EMAIL)]),
        ActionResponseWithResultsPublicStatus,
    ),
    "get_unsubscribe_all_status": Case(
        get_unsubscribe_all_status,
        ("x@example.com",),
        lambda: {"channel": Channel.EMAIL, "business_unit_id": 3, "verbose": True},
        "GET",
        f"{P}/statuses/x%40example.com/unsubscribe-all",
        "channel=EMAIL&businessUnitId=3&verbose=true",
        None,
        envelope([wide_status("x@example.com")]),
        ActionResponseWithResultsPublicWideStatus,
    ),
    "unsubscribe_all": Case(
        unsubscribe_all,
        (ODD_EMAIL,),
        lambda: {"channel": Channel.EMAIL},
        "POST",
        f"{P}/statuses/{ODD_EMAIL_IN_PATH}/unsubscribe-all",
        "channel=EMAIL&verbose=false",  # verbose defaults to false and is always sent
        None,
        envelope([]),
        ActionResponseWithResultsPublicStatus,
    ),
    "batch_get_statuses": Case(
        batch_get_statuses,
        (),
        lambda: {"body": BatchInputString(inputs=["a@x.com", ODD_EMAIL]), "channel": Channel.EMAIL},
        "POST",
        f"{P}/statuses/batch/read",
        "channel=EMAIL",
        {"inputs": ["a@x.com", ODD_EMAIL]},
        envelope([{"subscriberIdString": "a@x.com", "statuses": [public_status("a@x.com")]}]),
        BatchResponsePublicStatusBulkResponse,
    ),
    "batch_update_statuses": Case(
        batch_update_statuses,
        (),
        lambda: {
            "body": BatchInputPublicStatusRequest(
                inputs=[
                    PublicStatusRequest(
                        channel=Channel.EMAIL,
                        status_state=SubscriptionStatus.SUBSCRIBED,
                        subscriber_id_string="a@x.com",
                        subscription_id=42,
                    )
                ]
            )
        },
        "POST",
        f"{P}/statuses/batch/write",
        "",
        {
            "inputs": [
                {
                    "channel": "EMAIL",
                    "statusState": "SUBSCRIBED",
                    "subscriberIdString": "a@x.com",
                    "subscriptionId": 42,
                }
            ]
        },
        envelope([public_status("a@x.com", status="SUBSCRIBED")]),
        BatchResponsePublicStatus,
    ),
    "batch_unsubscribe_all": Case(
        batch_unsubscribe_all,
        (),
        lambda: {
            "body": BatchInputString(inputs=["a@x.com", "b@x.com"]),
            "channel": Channel.EMAIL,
            "business_unit_id": 12,
            "verbose": True,
        },
        "POST",
        f"{P}/statuses/batch/unsubscribe-all",
        "channel=EMAIL&businessUnitId=12&verbose=true",
        {"inputs": ["a@x.com", "b@x.com"]},
        envelope(
            [
                {"subscriberIdString": "a@x.com", "statuses": [public_status("a@x.com")]},
                {"subscriberIdString": "b@x.com", "statuses": []},
            ]
        ),
        BatchResponsePublicBulkOptOutFromAllResponse,
    ),
    "batch_get_unsubscribe_all_statuses": Case(
        batch_get_unsubscribe_all_statuses,
        (),
        lambda: {"body": BatchInputString(inputs=["a@x.com"]), "channel": Channel.EMAIL},
        "POST",
        f"{P}/statuses/batch/unsubscribe-all/read",
        "channel=EMAIL",
        {"inputs": ["a@x.com"]},
        envelope([{"subscriberIdString": "a@x.com", "wideStatuses": [wide_status("a@x.com")]}]),
        BatchResponsePublicWideStatusBulkResponse,
    ),
    "generate_links": Case(
        generate_links,
        (),
        lambda: {
            "body": LinkGenerationRequest(subscriber_id_string="a@x.com", language="de"),
            "channel": Channel.EMAIL,
        },
        "POST",
        f"{P}/links/generate",
        "channel=EMAIL&businessUnitId=0",  # the spec's default 0 is sent
        {"subscriberIdString": "a@x.com", "language": "de"},
        {
            "subscriberIdString": "a@x.com",
            "managePreferencesUrl": "https://example.com/prefs",
            "unsubscribeAllUrl": "https://example.com/unsub",
        },
        LinkGenerationResponse,
    ),
}


def check_request(hubspot: ScriptedHubSpot, case: Case, token: str) -> None:
    (request,) = hubspot.requests
    assert request.method == case.method
    path, _, query = request.url.raw_path.decode("ascii").partition("?")
    assert path == case.raw_path
    assert query == case.raw_query
    assert request.headers["authorization"] == f"Bearer {token}"
    if case.body is None:
        assert request.content == b""
    else:
        assert request.headers["content-type"] == "application/json"
        assert json.loads(request.content) == case.body


def test_all_ten_operations_are_covered() -> None:
    assert len(CASES) == 10


@pytest.mark.parametrize("name", sorted(CASES))
def test_sync_call_sends_and_parses(
    name: str, hubspot: ScriptedHubSpot, client: AuthenticatedClient, token: str
) -> None:
    case = CASES[name]
    hubspot.script(reply(200, json=case.answer))
    response = case.module.sync_detailed(*case.args, client=client, **case.kwargs())
    check_request(hubspot, case, token)
    assert response.status_code == 200
    assert isinstance(response.parsed, case.parsed_type)


@pytest.mark.parametrize("name", sorted(CASES))
async def test_async_call_sends_and_parses(
    name: str, hubspot: ScriptedHubSpot, aclient: AuthenticatedClient, token: str
) -> None:
    case = CASES[name]
    hubspot.script(reply(200, json=case.answer))
    parsed = await case.module.asyncio(*case.args, client=aclient, **case.kwargs())
    check_request(hubspot, case, token)
    assert isinstance(parsed, case.parsed_type)


def test_parsed_values_round_trip(hubspot: ScriptedHubSpot, client: AuthenticatedClient) -> None:
    hubspot.script(reply(200, json=CASES["batch_unsubscribe_all"].answer))
    parsed = batch_unsubscribe_all.sync(
        client=client, body=BatchInputString(inputs=["a@x.com", "b@x.com"]), channel=Channel.EMAIL
    )
    assert isinstance(parsed, BatchResponsePublicBulkOptOutFromAllResponse)
    first = parsed.results[0]
    assert first.subscriber_id_string == "a@x.com"
    assert first.statuses[0].status is SubscriptionStatus.UNSUBSCRIBED
    assert first.statuses[0].subscription_id == 9_000_000_001  # int64, beyond int32
