"""Every behaviour the spec cannot express, in one place.

Where HubSpot's public documentation leaves the behaviour open, the choice is a named
constant or a small function here, and mock_server/README.md lists it ("Choices"). The checks
below are the only hand-written request rules; everything the schema says is checked by the
validators compiled from the spec.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jsonschema_rs

from commprefs_spec.model import JSON
from mock_server.errors import ApiError, detail, object_not_found, validation_error
from mock_server.fixtures import Definition, Fixtures

# -- policy constants (unconfirmed upstream; see README "Choices") -------------------------
CHANNEL = "EMAIL"
# Synchronous endpoints: the envelope is always COMPLETE.
ENVELOPE_STATUS = "COMPLETE"
# The account's default business unit; unsubscribe-all there is PORTAL_WIDE.
DEFAULT_BUSINESS_UNIT = 0
PORTAL_WIDE = "PORTAL_WIDE"
BUSINESS_UNIT_WIDE = "BUSINESS_UNIT_WIDE"
# Status of a subscription nobody has set yet.
NOT_SPECIFIED = "NOT_SPECIFIED"
SUBSCRIBED = "SUBSCRIBED"
UNSUBSCRIBED = "UNSUBSCRIBED"
# `source` values written by the mock.
SOURCE_DEFAULT = "NOT_SET"
SOURCE_API = "PUBLIC_API"
SOURCE_UNSUBSCRIBE_ALL = "PUBLIC_API_UNSUBSCRIBE_ALL"
# setStatusSuccessReason values.
NO_STATUS_CHANGE = "NO_STATUS_CHANGE"
REQUESTED_CHANGE_OCCURRED = "REQUESTED_CHANGE_OCCURRED"
RESUBSCRIBE_OCCURRED = "RESUBSCRIBE_OCCURRED"
UNSUBSCRIBE_FROM_ALL_OCCURRED = "UNSUBSCRIBE_FROM_ALL_OCCURRED"
# v4 and later may resubscribe a contact who opted out of all (RESUBSCRIBE_OCCURRED). Any
# write that leaves a subscription of a unit not UNSUBSCRIBED ends that unit's wide opt-out.
RESUBSCRIBE_ENDS_WIDE_OPT_OUT = True
# A businessUnitId or subscriptionId the account does not have is answered 404
# OBJECT_NOT_FOUND (the request is well-formed; the thing it names is missing), not served
# empty. Inside a batch write it is a per-input error instead.
UNKNOWN_BUSINESS_UNIT_IS_ERROR = True


# HubSpot matches contacts by email case-insensitively: one contact per lower-cased address.
# Results still echo each input exactly as it was sent. (A plain C function: it runs for
# every input of every batch.)
subscriber_key: Callable[[str], str] = str.lower


def wide_status_type(business_unit_id: int) -> str:
    return PORTAL_WIDE if business_unit_id == DEFAULT_BUSINESS_UNIT else BUSINESS_UNIT_WIDE


def success_reason(current: str, wanted: str) -> str:
    """What a single-type write reports, given the status before and the status asked for."""
    if current == wanted:
        return NO_STATUS_CHANGE
    if wanted == SUBSCRIBED and current == UNSUBSCRIBED:
        return RESUBSCRIBE_OCCURRED
    return REQUESTED_CHANGE_OCCURRED


# -- checks ----------------------------------------------------------------------------------
def business_unit(fixtures: Fixtures, query: Mapping[str, Any]) -> int:
    """The request's business unit (default 0), known to the fixtures."""
    unit = query.get("businessUnitId")
    unit = DEFAULT_BUSINESS_UNIT if unit is None else int(unit)
    if UNKNOWN_BUSINESS_UNIT_IS_ERROR and unit not in fixtures.units:
        raise object_not_found(
            f"Business unit {unit} does not exist",
            [detail(f"Unknown business unit {unit}", in_="businessUnitId", code="INVALID_ID")],
        )
    return unit


def batch_size(count: int, limit: int) -> None:
    if count > limit:
        raise validation_error(
            f"Too many inputs: {count} given, at most {limit} are allowed in one batch",
            [detail(f"At most {limit} inputs", in_="inputs", code="TOO_MANY_INPUTS")],
        )


def write_problems(
    fixtures: Fixtures, change: Mapping[str, Any], *, require_legal_basis: bool, where: str = ""
) -> tuple[Definition | None, list[JSON]]:
    """Problems of one status change (subscription id, legal basis) as ErrorDetails."""
    problems: list[JSON] = []
    sub_id = change["subscriptionId"]
    definition = fixtures.by_id.get(sub_id)
    if definition is None:
        problems.append(
            detail(
                f"Subscription {sub_id} does not exist",
                in_=f"{where}subscriptionId",
                code="INVALID_SUBSCRIPTION_ID",
                context={"subscriptionId": [str(sub_id)]},
            )
        )
    if require_legal_basis and change["statusState"] == SUBSCRIBED and not change.get("legalBasis"):
        problems.append(
            detail(
                "A legal basis is required to subscribe a contact in a GDPR-enabled account",
                in_=f"{where}legalBasis",
                code="REQUIRED",
            )
        )
    return definition, problems


def subscription_in_unit(fixtures: Fixtures, sub_id: int, unit: int) -> Definition:
    """The definition ``sub_id`` of business unit ``unit`` (link generation)."""
    definition = fixtures.by_id.get(sub_id)
    if definition is None or definition.business_unit_id != unit:
        raise object_not_found(
            f"Subscription {sub_id} does not exist in business unit {unit}",
            [
                detail(
                    f"Unknown subscription {sub_id}",
                    in_="subscriptionId",
                    code="INVALID_SUBSCRIPTION_ID",
                    context={"subscriptionId": [str(sub_id)]},
                )
            ],
        )
    return definition


# Batch inputs (BatchInputString) are free strings in the spec, as in HubSpot's. An input that
# is not an email address does not reject the batch: it is answered on its own in `errors`
# (207 on the batch reads, in the 200 envelope of batch unsubscribe-all); the rest go ahead.
_EMAIL_OPTIONS = jsonschema_rs.EmailOptions(allow_display_text=False)
_EMAIL_LIST = jsonschema_rs.validator_for(
    {"type": "array", "items": {"type": "string", "format": "email"}},
    validate_formats=True,
    email_options=_EMAIL_OPTIONS,
)
_EMAIL = jsonschema_rs.validator_for(
    {"type": "string", "format": "email"}, validate_formats=True, email_options=_EMAIL_OPTIONS
)


def split_batch_inputs(inputs: list[str]) -> tuple[list[str], list[JSON]]:
    """The distinct inputs that are email addresses, and a StandardError for each other one."""
    distinct = list(dict.fromkeys(inputs))  # identical inputs answer once, in order
    if _EMAIL_LIST.is_valid(distinct):  # the usual case, checked in one pass
        return distinct, []
    good: list[str] = []
    errors: list[JSON] = []
    for item in distinct:
        if _EMAIL.is_valid(item):
            good.append(item)
            continue
        index = inputs.index(item)
        problem = detail(
            f"{item!r} is not an email address", in_=f"inputs[{index}]", code="INVALID_EMAIL"
        )
        errors.append(standard_error(item, f"Invalid input {item!r}", [problem]))
    return good, errors


def standard_error(input_id: str, message: str, details: list[JSON]) -> JSON:
    """A StandardError entry for one failed input of a batch (``errors`` of a 2xx envelope)."""
    return {
        "status": "error",
        "category": "VALIDATION_ERROR",
        "message": message,
        "id": input_id,
        "context": {"subscriberIdString": [input_id]},
        "errors": details,
        "links": {},
    }


def raise_write_problems(problems: list[JSON]) -> None:
    if any(p.get("code") == "INVALID_SUBSCRIPTION_ID" for p in problems):
        raise object_not_found(problems[0]["message"], problems)
    if problems:
        raise ApiError(400, "VALIDATION_ERROR", problems[0]["message"], errors=problems)
