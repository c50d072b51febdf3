"""Read one batch answer into per-contact results: nothing is confirmed by default.

A contact counts as done only when the 200 answer names it in `results` and no
per-input error names it. Contacts the answer does not mention are returned as
`missing` (the caller sends them again); `errors` entries are matched to the inputs
they name (`id`, or any value in `context`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from hubspot_communication_preferences.models import (
    SetStatusSuccessReason,
    SubscriptionStatus,
    WideStatusType,
)
from hubspot_communication_preferences.models.public_status import PublicStatus
from hubspot_communication_preferences.models.public_wide_status import PublicWideStatus
from hubspot_communication_preferences.models.standard_error import StandardError
from hubspot_communication_preferences.types import Unset

from commprefs_kit.bulk.results import ContactResult, ErrorInfo, Outcome, StatusInfo

# The spec's values, through the generated client's enums (the spec's own words).
UNSUBSCRIBE_OCCURRED = SetStatusSuccessReason.UNSUBSCRIBE_FROM_ALL_OCCURRED.value
NO_CHANGE = SetStatusSuccessReason.NO_STATUS_CHANGE.value


@dataclass(slots=True)
class Reading:
    """What one answer settled: results, inputs to send again, unattributed errors."""

    results: list[ContactResult] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unmatched_errors: list[ErrorInfo] = field(default_factory=list)


def _status_info(status: PublicStatus) -> StatusInfo:
    reason = status.set_status_success_reason
    name = status.subscription_name
    return StatusInfo(
        subscription_id=status.subscription_id,
        status=str(status.status.value),
        reason=None if reason is None or isinstance(reason, Unset) else str(reason.value),
        name=None if isinstance(name, Unset) else name,
    )


def outcome_of(statuses: Sequence[StatusInfo]) -> tuple[Outcome, ErrorInfo | None]:
    """unsubscribed / already_unsubscribed from HubSpot's verbose statuses.

    A status still SUBSCRIBED after an unsubscribe-all contradicts the request: it is
    reported as failed rather than trusted.
    """
    subscribed = [s for s in statuses if s.status == SubscriptionStatus.SUBSCRIBED.value]
    if subscribed:
        ids = ", ".join(str(s.subscription_id) for s in subscribed[:5])
        return Outcome.FAILED, ErrorInfo(
            "STILL_SUBSCRIBED",
            f"HubSpot answered the unsubscribe-all with SUBSCRIBED for subscription(s) {ids}",
        )
    reasons = {s.reason for s in statuses}
    if statuses and reasons == {NO_CHANGE}:
        return Outcome.ALREADY_UNSUBSCRIBED, None
    # UNSUBSCRIBE_FROM_ALL_OCCURRED, or no statuses at all (nothing to change): the
    # contact is in `results`, so HubSpot confirmed the opt-out.
    return Outcome.UNSUBSCRIBED, None


def _error_info(error: StandardError) -> ErrorInfo:
    correlation = error.additional_properties.get("correlationId")
    return ErrorInfo(
        category=error.category or "ERROR",
        message=error.message or error.status,
        correlation_id=str(correlation) if correlation else None,
    )


def _named_inputs(error: StandardError, wanted: Mapping[str, str]) -> list[str]:
    """Which of our inputs (lower-cased keys) the error names."""
    candidates: list[str] = []
    if isinstance(error.id, str):
        candidates.append(error.id)
    context = error.context.additional_properties if error.context else {}
    for values in context.values():
        if isinstance(values, list):
            candidates.extend(v for v in values if isinstance(v, str))
        elif isinstance(values, str):
            candidates.append(values)
    found = []
    for candidate in candidates:
        key = candidate.strip().lower()
        if key in wanted and wanted[key] not in found:
            found.append(wanted[key])
    return found


def map_errors(
    errors: Iterable[StandardError], inputs: Sequence[str]
) -> tuple[dict[str, ErrorInfo], list[ErrorInfo]]:
    """Per-input errors keyed by our address, and those that name none of our inputs."""
    wanted = {a.lower(): a for a in inputs}
    by_address: dict[str, ErrorInfo] = {}
    unmatched: list[ErrorInfo] = []
    for error in errors:
        info = _error_info(error)
        named = _named_inputs(error, wanted)
        if not named:
            unmatched.append(info)
        for address in named:
            by_address.setdefault(address, info)
    return by_address, unmatched


def read_unsubscribe_answer(
    inputs: Sequence[str],
    results: Iterable[tuple[str, Sequence[PublicStatus] | None]],
    errors: Iterable[StandardError],
    attempt: int,
) -> Reading:
    """Settle a 200 answer of batch unsubscribe-all (verbose=true)."""
    reading = Reading()
    failed, reading.unmatched_errors = map_errors(errors, inputs)
    answered: dict[str, Sequence[PublicStatus] | None] = {}
    for subscriber, statuses in results:
        answered.setdefault(subscriber.strip().lower(), statuses)
    for address in inputs:
        if address in failed:
            reading.results.append(
                ContactResult(address, Outcome.FAILED, error=failed[address], attempts=attempt)
            )
        elif address in answered:
            infos = tuple(_status_info(s) for s in answered[address] or ())
            outcome, error = outcome_of(infos)
            reading.results.append(
                ContactResult(address, outcome, statuses=infos, error=error, attempts=attempt)
            )
        else:
            reading.missing.append(address)
    return reading


@dataclass(frozen=True, slots=True)
class Verified:
    """A read-back: opted out (True), not (False), or unknown (None) with a note."""

    address: str
    opted_out: bool | None
    note: str | None = None


def wide_opted_out(statuses: Sequence[PublicWideStatus], business_unit_id: int | None) -> bool:
    """Opted out of all email for this business unit (or the whole portal)."""
    for wide in statuses:
        if str(wide.status.value) != SubscriptionStatus.UNSUBSCRIBED.value:
            continue
        unit = None if isinstance(wide.business_unit_id, Unset) else wide.business_unit_id
        if str(wide.wide_status_type.value) == WideStatusType.PORTAL_WIDE.value:
            return True
        if (unit or 0) == (business_unit_id or 0):
            return True
    return False


def read_verify_answer(
    inputs: Sequence[str],
    results: Iterable[tuple[str, Sequence[PublicWideStatus]]],
    errors: Iterable[StandardError],
    business_unit_id: int | None,
) -> tuple[list[Verified], list[str]]:
    """Settle a batch unsubscribe-all read (200 or 207); returns (verified, missing)."""
    failed, _ = map_errors(errors, inputs)
    answered: dict[str, Sequence[PublicWideStatus]] = {}
    for subscriber, wide in results:
        answered.setdefault(subscriber.strip().lower(), wide)
    verified: list[Verified] = []
    missing: list[str] = []
    for address in inputs:
        if address in failed:
            err = failed[address]
            verified.append(Verified(address, None, f"{err.category}: {err.message}"))
        elif address in answered:
            ok = wide_opted_out(answered[address], business_unit_id)
            note = None if ok else _not_opted_out_note(answered[address])
            verified.append(Verified(address, ok, note))
        else:
            missing.append(address)
    return verified, missing


def _not_opted_out_note(statuses: Sequence[PublicWideStatus]) -> str:
    if not statuses:
        return "no unsubscribe-all status recorded"
    shown = ", ".join(f"{w.wide_status_type.value}={w.status.value}" for w in statuses[:3])
    return f"unsubscribe-all status is {shown}"
