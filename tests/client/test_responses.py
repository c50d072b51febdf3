"""Answers parse: 207 partial successes, and HubSpot's future enum values and fields."""

from __future__ import annotations

from hubspot_communication_preferences import AuthenticatedClient
from hubspot_communication_preferences.api.batch import (
    batch_get_statuses,
    batch_get_unsubscribe_all_statuses,
)
from hubspot_communication_preferences.api.status import get_statuses
from hubspot_communication_preferences.models import (
    ActionResponseWithResultsPublicStatus,
    ActionStatus,
    BatchInputString,
    BatchResponsePublicStatusBulkResponse,
    BatchResponsePublicStatusBulkResponseWithErrors,
    BatchResponsePublicWideStatusBulkResponse,
    BatchResponsePublicWideStatusBulkResponseWithErrors,
    Channel,
    SetStatusSuccessReason,
)

from commprefs_kit.client_testing import (
    ScriptedHubSpot,
    envelope,
    public_status,
    reply,
    wide_status,
)

MISSING = {
    "status": "error",
    "category": "OBJECT_NOT_FOUND",
    "message": "Contact nobody@x.com not found",
    "context": {"ids": ["nobody@x.com"]},
}
INPUTS = BatchInputString(inputs=["a@x.com", "nobody@x.com"])


def test_batch_read_207_parses_with_errors(
    hubspot: ScriptedHubSpot, client: AuthenticatedClient
) -> None:
    hubspot.script(
        reply(
            207,
            json=envelope(
                [{"subscriberIdString": "a@x.com", "statuses": [public_status("a@x.com")]}],
                errors=[MISSING],
                numErrors=1,
            ),
        )
    )
    response = batch_get_statuses.sync_detailed(client=client, body=INPUTS, channel=Channel.EMAIL)
    assert response.status_code == 207
    parsed = response.parsed
    assert isinstance(parsed, BatchResponsePublicStatusBulkResponseWithErrors)
    assert parsed.num_errors == 1
    assert parsed.errors[0].context["ids"] == ["nobody@x.com"]
    assert parsed.errors[0].category == "OBJECT_NOT_FOUND"
    assert parsed.results[0].subscriber_id_string == "a@x.com"


def test_batch_read_200_uses_the_model_without_errors(
    hubspot: ScriptedHubSpot, client: AuthenticatedClient
) -> None:
    hubspot.script(reply(200, json=envelope([{"subscriberIdString": "a@x.com", "statuses": []}])))
    parsed = batch_get_statuses.sync(client=client, body=INPUTS, channel=Channel.EMAIL)
    assert type(parsed) is BatchResponsePublicStatusBulkResponse


async def test_wide_batch_read_207_and_200(
    hubspot: ScriptedHubSpot, aclient: AuthenticatedClient
) -> None:
    rows = [{"subscriberIdString": "a@x.com", "wideStatuses": [wide_status("a@x.com")]}]
    hubspot.script(
        reply(207, json=envelope(rows, errors=[MISSING], numErrors=1)),
        reply(200, json=envelope(rows)),
    )
    partial = await batch_get_unsubscribe_all_statuses.asyncio(
        client=aclient, body=INPUTS, channel=Channel.EMAIL
    )
    complete = await batch_get_unsubscribe_all_statuses.asyncio(
        client=aclient, body=INPUTS, channel=Channel.EMAIL
    )
    assert isinstance(partial, BatchResponsePublicWideStatusBulkResponseWithErrors)
    assert partial.errors[0].message == MISSING["message"]
    assert type(complete) is BatchResponsePublicWideStatusBulkResponse


def test_unknown_enum_values_and_fields_parse(
    hubspot: ScriptedHubSpot, client: AuthenticatedClient
) -> None:
    drifted = public_status(
        channel="WHATSAPP",
        setStatusSuccessReason="PARTIALLY_UNSUBSCRIBED",
        consentRecordId="rec-1",  # a field HubSpot might add
    )
    hubspot.script(reply(200, json=envelope([drifted], status="QUEUED", traceId="t-9")))
    parsed = get_statuses.sync("a@x.com", client=client, channel=Channel.EMAIL)
    assert isinstance(parsed, ActionResponseWithResultsPublicStatus)
    status = parsed.results[0]
    assert status.channel == "WHATSAPP" and status.channel.is_unknown
    reason = status.set_status_success_reason
    assert isinstance(reason, SetStatusSuccessReason)
    assert reason.value == "PARTIALLY_UNSUBSCRIBED" and reason.is_unknown
    assert parsed.status.value == "QUEUED" and parsed.status.is_unknown
    assert not ActionStatus.COMPLETE.is_unknown
    assert status.additional_properties == {"consentRecordId": "rec-1"}
    assert parsed.additional_properties == {"traceId": "t-9"}
    # The unknown values survive a round trip unchanged.
    assert status.to_dict()["channel"] == "WHATSAPP"
    assert status.to_dict()["consentRecordId"] == "rec-1"
