"""The read-back (--verify) and the verbose outcome, at unit level: which wide statuses count as
opted out, how a read answer is settled per contact, and when an answer contradicts the request
(commprefs_kit/bulk/interpret.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from hubspot_communication_preferences.models import (
    Channel,
    ErrorContext,
    PublicStatus,
    PublicWideStatus,
    StandardError,
    SubscriptionStatus,
    WideStatusType,
)
from hubspot_communication_preferences.types import UNSET

from commprefs_kit.bulk.interpret import (
    map_errors,
    outcome_of,
    read_unsubscribe_answer,
    read_verify_answer,
    wide_opted_out,
)
from commprefs_kit.bulk.results import Outcome, StatusInfo

WHEN = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def wide(
    status: SubscriptionStatus = SubscriptionStatus.UNSUBSCRIBED,
    kind: WideStatusType = WideStatusType.BUSINESS_UNIT_WIDE,
    unit: int | None = None,
    who: str = "ann@example.com",
) -> PublicWideStatus:
    return PublicWideStatus(
        channel=Channel.EMAIL,
        status=status,
        subscriber_id_string=who,
        timestamp=WHEN,
        wide_status_type=kind,
        business_unit_id=UNSET if unit is None else unit,
    )


def error(message: str, *inputs: str, category: str = "VALIDATION_ERROR") -> StandardError:
    context = ErrorContext()
    context.additional_properties = {"subscriberIdString": list(inputs)}
    return StandardError(category=category, context=context, message=message, status="error")


# -- wide_opted_out ----------------------------------------------------------------------------


def test_portal_wide_opt_out_counts_for_every_unit() -> None:
    portal = wide(kind=WideStatusType.PORTAL_WIDE, unit=5)
    assert wide_opted_out([portal], 7) is True
    assert wide_opted_out([portal], None) is True


@pytest.mark.parametrize(
    ("unit", "asked", "expected"),
    [
        (7, 7, True),
        (7, 8, False),
        (None, None, True),
        (None, 0, True),
        (0, None, True),
        (3, None, False),
    ],
)
def test_a_unit_wide_opt_out_counts_for_its_unit_only(
    unit: int | None, asked: int | None, expected: bool
) -> None:
    assert wide_opted_out([wide(unit=unit)], asked) is expected


def test_subscribed_wide_statuses_never_count() -> None:
    still = [
        wide(SubscriptionStatus.SUBSCRIBED, WideStatusType.PORTAL_WIDE),
        wide(SubscriptionStatus.NOT_SPECIFIED, unit=7),
    ]
    assert wide_opted_out(still, 7) is False
    assert wide_opted_out([], 7) is False
    # One opted-out status among others is enough.
    assert wide_opted_out([*still, wide(unit=7)], 7) is True


# -- read_verify_answer ------------------------------------------------------------------------


def test_each_input_is_verified_failed_or_missing() -> None:
    inputs = ["ann@example.com", "bob@example.com", "cy@example.com", "dee@example.com"]
    verified, missing = read_verify_answer(
        inputs,
        [
            ("ANN@Example.com", [wide(unit=None)]),  # matched case-insensitively
            ("bob@example.com", [wide(SubscriptionStatus.SUBSCRIBED, unit=None)]),
            ("cy@example.com", []),
        ],
        [error("No such contact", "DEE@example.com", category="OBJECT_NOT_FOUND")],
        None,
    )
    by = {v.address: v for v in verified}
    assert missing == []
    assert by["ann@example.com"].opted_out is True and by["ann@example.com"].note is None
    assert by["bob@example.com"].opted_out is False
    assert by["bob@example.com"].note == "unsubscribe-all status is BUSINESS_UNIT_WIDE=SUBSCRIBED"
    assert by["cy@example.com"].opted_out is False
    assert by["cy@example.com"].note == "no unsubscribe-all status recorded"
    assert by["dee@example.com"].opted_out is None
    assert by["dee@example.com"].note == "OBJECT_NOT_FOUND: No such contact"
    assert [v.address for v in verified] == inputs  # in input order


def test_an_input_the_answer_does_not_name_is_missing() -> None:
    verified, missing = read_verify_answer(
        ["ann@example.com", "bob@example.com"], [("ann@example.com", [wide()])], [], None
    )
    assert [v.address for v in verified] == ["ann@example.com"]
    assert missing == ["bob@example.com"]


def test_the_first_answer_for_a_contact_wins_and_the_note_shows_three_statuses() -> None:
    subscribed = [wide(SubscriptionStatus.SUBSCRIBED, unit=u) for u in (1, 2, 3, 4)]
    verified, _ = read_verify_answer(
        ["ann@example.com"],
        [("ann@example.com", subscribed), ("ann@example.com", [wide(unit=None)])],
        [],
        9,
    )
    (only,) = verified
    assert only.opted_out is False
    assert only.note is not None and only.note.count("=SUBSCRIBED") == 3


# -- outcome_of --------------------------------------------------------------------------------


def status(sub: int, state: str, reason: str | None) -> StatusInfo:
    return StatusInfo(subscription_id=sub, status=state, reason=reason, name=None)


def test_a_status_still_subscribed_contradicts_the_opt_out() -> None:
    statuses = [status(i, "SUBSCRIBED", None) for i in range(1, 8)]
    outcome, why = outcome_of([status(100, "UNSUBSCRIBED", "NO_STATUS_CHANGE"), *statuses])
    assert outcome is Outcome.FAILED and why is not None
    assert why.category == "STILL_SUBSCRIBED"
    assert why.message.endswith("subscription(s) 1, 2, 3, 4, 5")  # at most five named


def test_no_change_everywhere_is_already_unsubscribed_anything_else_unsubscribed() -> None:
    unchanged = [
        status(1, "UNSUBSCRIBED", "NO_STATUS_CHANGE"),
        status(2, "UNSUBSCRIBED", "NO_STATUS_CHANGE"),
    ]
    assert outcome_of(unchanged) == (Outcome.ALREADY_UNSUBSCRIBED, None)
    mixed = [*unchanged, status(3, "UNSUBSCRIBED", "UNSUBSCRIBE_FROM_ALL_OCCURRED")]
    assert outcome_of(mixed) == (Outcome.UNSUBSCRIBED, None)
    assert outcome_of([]) == (Outcome.UNSUBSCRIBED, None)  # named in results, nothing to change


# -- map_errors: which input an error names, and what it says ----------------------------------


def test_errors_name_inputs_by_id_or_any_context_value_case_insensitively() -> None:
    by_id = error("Bad", category="VALIDATION_ERROR")
    by_id.id = " ANN@example.com "
    in_context = StandardError(
        category="OBJECT_NOT_FOUND", context=ErrorContext(), message="Gone", status="error"
    )
    in_context.context.additional_properties = {"emails": "Bob@Example.com", "other": [7]}  # type: ignore[dict-item]
    twice = error("Twice", "cy@example.com", "CY@example.com")
    nobody = error("Who?", "zed@example.com")
    found, unmatched = map_errors(
        [by_id, in_context, twice, nobody], ["ann@example.com", "bob@example.com", "cy@example.com"]
    )
    assert found["ann@example.com"].message == "Bad"
    assert found["bob@example.com"].category == "OBJECT_NOT_FOUND"
    assert found["cy@example.com"].message == "Twice"
    assert [u.message for u in unmatched] == ["Who?"]


def test_the_first_error_naming_an_input_is_kept() -> None:
    found, _ = map_errors(
        [error("first", "ann@example.com"), error("second", "ann@example.com")], ["ann@example.com"]
    )
    assert found["ann@example.com"].message == "first"


def test_error_fields_fall_back_and_keep_the_correlation_id() -> None:
    bare = error("", "ann@example.com", category="")
    bare.status = "error"
    with_id = error("Bad", "bob@example.com")
    with_id.additional_properties["correlationId"] = "019cd9fe-d093-7d4f-8a55-3b1f2a9c0e11"
    found, _ = map_errors([bare, with_id], ["ann@example.com", "bob@example.com"])
    assert found["ann@example.com"].category == "ERROR"
    assert found["ann@example.com"].message == "error"
    assert found["ann@example.com"].correlation_id is None
    assert found["bob@example.com"].correlation_id == "019cd9fe-d093-7d4f-8a55-3b1f2a9c0e11"


def test_the_read_back_judges_the_business_unit_it_is_given() -> None:
    unit_seven = [("ann@example.com", [wide(unit=7)])]
    (seven,), _ = read_verify_answer(["ann@example.com"], unit_seven, [], 7)
    (eight,), _ = read_verify_answer(["ann@example.com"], unit_seven, [], 8)
    assert seven.opted_out is True and eight.opted_out is False
    assert eight.note == "unsubscribe-all status is BUSINESS_UNIT_WIDE=UNSUBSCRIBED"


def test_the_note_lists_at_most_three_statuses_comma_separated() -> None:
    subscribed = [wide(SubscriptionStatus.SUBSCRIBED, unit=u) for u in (1, 2, 3, 4)]
    (only,), _ = read_verify_answer(["ann@example.com"], [("ann@example.com", subscribed)], [], 1)
    assert only.note == "unsubscribe-all status is " + ", ".join(
        ["BUSINESS_UNIT_WIDE=SUBSCRIBED"] * 3
    )


def test_a_status_without_reason_or_name_reads_as_none() -> None:
    bare = PublicStatus(
        channel=Channel.EMAIL,
        source="Public API",
        status=SubscriptionStatus.UNSUBSCRIBED,
        subscriber_id_string="ann@example.com",
        subscription_id=9_000_000_001,
        timestamp=WHEN,
    )
    named = PublicStatus.from_dict(
        {
            **bare.to_dict(),
            "setStatusSuccessReason": "UNSUBSCRIBE_FROM_ALL_OCCURRED",
            "subscriptionName": "Newsletter",
        }
    )
    reading = read_unsubscribe_answer(
        ["ann@example.com", "bob@example.com"],
        [("ann@example.com", [bare]), ("bob@example.com", [named])],
        [],
        attempt=1,
    )
    ann, bob = reading.results
    assert ann.statuses[0].reason is None and ann.statuses[0].name is None
    assert bob.statuses[0].reason == "UNSUBSCRIBE_FROM_ALL_OCCURRED"
    assert bob.statuses[0].name == "Newsletter"
