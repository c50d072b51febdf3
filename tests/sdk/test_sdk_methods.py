"""Every one of the SDK's 10 Communication Preferences methods against the mock.

The SDK runs with strict response validation, so each call also proves the mock's body
parses into the SDK's models. Each test checks content that only a stateful mock gets
right (a write is visible to a later read), not just the shape.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from hubspot_sdk import AsyncHubSpot
from hubspot_sdk.types.communication_preferences import (
    ActionResponseWithResultsPublicStatus,
    ActionResponseWithResultsPublicWideStatus,
    ActionResponseWithResultsSubscriptionDefinition,
    BatchResponsePublicBulkOptOutFromAllResponse,
    BatchResponsePublicStatus,
    BatchResponsePublicStatusBulkResponse,
    BatchResponsePublicWideStatusBulkResponse,
    LinkGenerationResponse,
)

from mock_server.fixtures import DEFAULT_FIXTURES

ALICE = "alice@example.com"
BOB = "bob@example.com"


async def subscription_ids(sdk: AsyncHubSpot, business_unit_id: int = 0) -> list[int]:
    definitions = await sdk.communication_preferences.definitions.list(
        business_unit_id=business_unit_id
    )
    return [int(d.id) for d in definitions.results]


async def statuses_by_id(sdk: AsyncHubSpot, email: str) -> dict[int, str]:
    response = await sdk.communication_preferences.get_statuses(email, channel="EMAIL")
    return {s.subscription_id: s.status for s in response.results}


async def test_definitions_list(sdk: AsyncHubSpot) -> None:
    response = await sdk.communication_preferences.definitions.list()
    assert isinstance(response, ActionResponseWithResultsSubscriptionDefinition)
    assert response.status == "COMPLETE"
    assert len(response.results) >= 2, "defaults: several subscription types in unit 0"
    assert all(d.id.isdigit() and d.name for d in response.results)
    assert len({d.id for d in response.results}) == len(response.results)


def other_business_unit() -> int:
    """A business unit besides 0 in the mock's default fixtures (the SDK cannot list them)."""
    units = json.loads(DEFAULT_FIXTURES.read_text())["businessUnits"]
    return max(int(unit["id"]) for unit in units)


async def test_definitions_list_filters_by_business_unit(sdk: AsyncHubSpot) -> None:
    default = await sdk.communication_preferences.definitions.list()
    assert {d.business_unit_id or 0 for d in default.results} == {0}, "no id given: unit 0"
    other = other_business_unit()
    assert other != 0, "defaults: business unit 0 and one more unit"
    filtered = await sdk.communication_preferences.definitions.list(business_unit_id=other)
    assert filtered.results
    assert all(d.business_unit_id == other for d in filtered.results)
    assert not {d.id for d in filtered.results} & {d.id for d in default.results}


async def test_definitions_list_with_translations(sdk: AsyncHubSpot) -> None:
    plain = await sdk.communication_preferences.definitions.list()
    assert not any(d.subscription_translations for d in plain.results)
    response = await sdk.communication_preferences.definitions.list(include_translations=True)
    translated = [d for d in response.results if d.subscription_translations]
    assert translated, "the default fixtures carry translations"
    for definition in translated:
        for translation in definition.subscription_translations or []:
            assert translation.subscription_id == int(definition.id)
            assert translation.language_code


async def test_update_status_then_get_statuses(sdk: AsyncHubSpot) -> None:
    first, second = (await subscription_ids(sdk))[:2]
    response = await sdk.communication_preferences.update_status(
        ALICE,
        channel="EMAIL",
        status_state="SUBSCRIBED",
        subscription_id=first,
        legal_basis="CONSENT_WITH_NOTICE",
        legal_basis_explanation="Ticked the box at signup",
    )
    assert isinstance(response, ActionResponseWithResultsPublicStatus)
    [status] = response.results
    assert (status.subscriber_id_string, status.subscription_id) == (ALICE, first)
    assert status.status == "SUBSCRIBED"
    assert status.legal_basis == "CONSENT_WITH_NOTICE"
    assert status.legal_basis_explanation == "Ticked the box at signup"
    assert status.set_status_success_reason == "REQUESTED_CHANGE_OCCURRED"

    read = await sdk.communication_preferences.get_statuses(ALICE, channel="EMAIL")
    assert isinstance(read, ActionResponseWithResultsPublicStatus)
    assert all(s.subscriber_id_string == ALICE for s in read.results)
    current = {s.subscription_id: s for s in read.results}
    assert current[first].status == "SUBSCRIBED"
    assert current[first].legal_basis == "CONSENT_WITH_NOTICE"
    assert current.get(second) is None or current[second].status == "NOT_SPECIFIED"


async def test_update_status_twice_reports_no_change(sdk: AsyncHubSpot) -> None:
    [first, *_] = await subscription_ids(sdk)
    for _ in range(2):
        response = await sdk.communication_preferences.update_status(
            ALICE, channel="EMAIL", status_state="UNSUBSCRIBED", subscription_id=first
        )
    assert response.results[0].set_status_success_reason == "NO_STATUS_CHANGE"


async def test_unsubscribe_all_then_wide_status(sdk: AsyncHubSpot) -> None:
    ids = await subscription_ids(sdk)
    before = await sdk.communication_preferences.get_unsubscribe_all_status(ALICE, channel="EMAIL")
    assert isinstance(before, ActionResponseWithResultsPublicWideStatus)
    assert before.results == [], "not opted out yet: empty results (SDK docstring)"

    response = await sdk.communication_preferences.unsubscribe_all(
        ALICE, channel="EMAIL", verbose=True
    )
    assert isinstance(response, ActionResponseWithResultsPublicStatus)
    assert {s.subscription_id for s in response.results} == set(ids)
    assert {s.status for s in response.results} == {"UNSUBSCRIBED"}
    assert {s.set_status_success_reason for s in response.results} == {
        "UNSUBSCRIBE_FROM_ALL_OCCURRED"
    }

    wide = await sdk.communication_preferences.get_unsubscribe_all_status(ALICE, channel="EMAIL")
    [wide_status] = wide.results
    assert wide_status.subscriber_id_string == ALICE
    assert wide_status.status == "UNSUBSCRIBED"
    assert wide_status.wide_status_type == "PORTAL_WIDE"
    assert set((await statuses_by_id(sdk, ALICE)).values()) == {"UNSUBSCRIBED"}

    again = await sdk.communication_preferences.unsubscribe_all(
        ALICE, channel="EMAIL", verbose=True
    )
    assert {s.set_status_success_reason for s in again.results} == {"NO_STATUS_CHANGE"}


async def test_unsubscribe_all_in_other_business_unit_is_unit_wide(sdk: AsyncHubSpot) -> None:
    other = other_business_unit()
    await sdk.communication_preferences.unsubscribe_all(
        BOB, channel="EMAIL", business_unit_id=other
    )
    wide = await sdk.communication_preferences.get_unsubscribe_all_status(
        BOB, channel="EMAIL", business_unit_id=other
    )
    [wide_status] = wide.results
    assert (wide_status.wide_status_type, wide_status.business_unit_id) == (
        "BUSINESS_UNIT_WIDE",
        other,
    )
    unit_zero = await sdk.communication_preferences.get_unsubscribe_all_status(
        BOB, channel="EMAIL", business_unit_id=0
    )
    assert unit_zero.results == [], "opting out of one brand leaves unit 0 alone"


async def test_batch_update_statuses_then_batch_read(sdk: AsyncHubSpot) -> None:
    first, second = (await subscription_ids(sdk))[:2]
    batch = sdk.communication_preferences.statuses.batch
    response = await batch.update_statuses(
        inputs=[
            {
                "channel": "EMAIL",
                "status_state": "SUBSCRIBED",
                "subscriber_id_string": ALICE,
                "subscription_id": first,
                "legal_basis": "LEGITIMATE_INTEREST_CLIENT",
            },
            {
                "channel": "EMAIL",
                "status_state": "UNSUBSCRIBED",
                "subscriber_id_string": BOB,
                "subscription_id": second,
            },
        ]
    )
    assert isinstance(response, BatchResponsePublicStatus)
    written = {(s.subscriber_id_string, s.subscription_id): s.status for s in response.results}
    assert written == {(ALICE, first): "SUBSCRIBED", (BOB, second): "UNSUBSCRIBED"}

    read = await batch.read(channel="EMAIL", inputs=[ALICE, BOB])
    assert isinstance(read, BatchResponsePublicStatusBulkResponse)
    by_email = {
        r.subscriber_id_string: {s.subscription_id: s.status for s in r.statuses}
        for r in read.results
    }
    assert set(by_email) == {ALICE, BOB}
    assert by_email[ALICE][first] == "SUBSCRIBED"
    assert by_email[BOB][second] == "UNSUBSCRIBED"


async def test_batch_unsubscribe_all_then_reads(sdk: AsyncHubSpot) -> None:
    ids = set(await subscription_ids(sdk))
    batch = sdk.communication_preferences.statuses.batch
    response = await batch.unsubscribe_all(channel="EMAIL", inputs=[ALICE, BOB], verbose=True)
    assert isinstance(response, BatchResponsePublicBulkOptOutFromAllResponse)
    assert response.status == "COMPLETE"
    assert {r.subscriber_id_string for r in response.results} == {ALICE, BOB}
    for result in response.results:
        assert result.statuses is not None
        assert {s.subscription_id for s in result.statuses} == ids
        assert {s.status for s in result.statuses} == {"UNSUBSCRIBED"}

    for email in (ALICE, BOB):
        assert set((await statuses_by_id(sdk, email)).values()) == {"UNSUBSCRIBED"}

    wide = await batch.get_unsubscribe_all_statuses(channel="EMAIL", inputs=[ALICE, BOB])
    assert isinstance(wide, BatchResponsePublicWideStatusBulkResponse)
    assert {r.subscriber_id_string for r in wide.results} == {ALICE, BOB}
    for wide_result in wide.results:
        assert [(w.status, w.wide_status_type) for w in wide_result.wide_statuses] == [
            ("UNSUBSCRIBED", "PORTAL_WIDE")
        ]

    again = await batch.unsubscribe_all(channel="EMAIL", inputs=[ALICE, BOB], verbose=True)
    reasons = {s.set_status_success_reason for r in again.results for s in r.statuses or []}
    assert reasons == {"NO_STATUS_CHANGE"}


async def test_batch_unsubscribe_all_without_verbose_still_lists_every_input(
    sdk: AsyncHubSpot,
) -> None:
    emails = [f"quiet{i}@example.com" for i in range(5)]
    batch = sdk.communication_preferences.statuses.batch
    response = await batch.unsubscribe_all(channel="EMAIL", inputs=emails)
    assert {r.subscriber_id_string for r in response.results} == set(emails)
    wide = await batch.get_unsubscribe_all_statuses(channel="EMAIL", inputs=emails)
    assert all(r.wide_statuses[0].status == "UNSUBSCRIBED" for r in wide.results)


async def test_batch_read_partial_failure_is_207_parsed_as_success(sdk: AsyncHubSpot) -> None:
    # The SDK has no ...WithErrors model: a 207 parses into the 200 model, and the
    # per-input errors stay reachable as extra fields.
    batch = sdk.communication_preferences.statuses.batch
    raw = await batch.with_raw_response.read(channel="EMAIL", inputs=[ALICE, "not-an-email"])
    assert raw.status_code == 207
    parsed = await raw.parse()
    assert isinstance(parsed, BatchResponsePublicStatusBulkResponse)
    assert [r.subscriber_id_string for r in parsed.results] == [ALICE]
    extra = parsed.model_extra or {}
    assert extra.get("numErrors") == 1
    assert [e["id"] for e in extra["errors"]] == ["not-an-email"]


async def test_batch_get_unsubscribe_all_statuses_before_any_opt_out(sdk: AsyncHubSpot) -> None:
    batch = sdk.communication_preferences.statuses.batch
    wide = await batch.get_unsubscribe_all_statuses(channel="EMAIL", inputs=[ALICE])
    assert [(r.subscriber_id_string, r.wide_statuses) for r in wide.results] == [(ALICE, [])]


async def test_generate_links(sdk: AsyncHubSpot) -> None:
    [first, *_] = await subscription_ids(sdk)
    response = await sdk.communication_preferences.generate_links(
        channel="EMAIL", subscriber_id_string=ALICE, subscription_id=first, language="en"
    )
    assert isinstance(response, LinkGenerationResponse)
    assert response.subscriber_id_string == ALICE
    urls = [
        response.manage_preferences_url,
        response.unsubscribe_all_url,
        response.unsubscribe_single_url,
    ]
    for url in urls:
        assert url is not None
        parts = urlsplit(url)
        assert parts.scheme == "https" and parts.netloc, url
    assert len(set(urls)) == 3, "three different pages"

    without_type = await sdk.communication_preferences.generate_links(
        channel="EMAIL", subscriber_id_string=ALICE
    )
    assert without_type.unsubscribe_single_url is None
