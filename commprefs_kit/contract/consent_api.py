"""The generated client, reduced to what the workflow tests read and write.

Every call goes through the generated client (so the workflows also test its requests and its
parsing) and insists on a 2xx answer parsed as the spec's success model; anything else raises
`AssertionError` naming the operation, the status and the start of the body.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, overload

from hubspot_communication_preferences import AuthenticatedClient
from hubspot_communication_preferences.api.batch import (
    batch_get_statuses,
    batch_get_unsubscribe_all_statuses,
    batch_unsubscribe_all,
    batch_update_statuses,
)
from hubspot_communication_preferences.api.definitions import get_definitions
from hubspot_communication_preferences.api.status import (
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
    BatchResponsePublicStatusBulkResponseWithErrors,
    BatchResponsePublicWideStatusBulkResponse,
    BatchResponsePublicWideStatusBulkResponseWithErrors,
    Channel,
    PartialPublicStatusRequest,
    PublicStatus,
    PublicStatusRequest,
    PublicWideStatus,
    SubscriptionDefinition,
    SubscriptionStatus,
)
from hubspot_communication_preferences.types import UNSET, Response, Unset

T = TypeVar("T")
U = TypeVar("U")
EMAIL = Channel.EMAIL


def _unit(unit: int | None) -> int | Unset:
    return UNSET if unit is None else unit


@overload
def parsed_as(response: Response[Any], operation: str, model: type[T], /) -> T: ...


@overload
def parsed_as(
    response: Response[Any], operation: str, model: type[T], other: type[U], /
) -> T | U: ...


def parsed_as(response: Response[Any], operation: str, *models: type[Any]) -> Any:
    """The parsed body of a 2xx answer, which must be one of `models`."""
    if 200 <= response.status_code < 300 and isinstance(response.parsed, models):
        return response.parsed
    body = response.content[:300].decode("utf-8", "replace")
    raise AssertionError(f"{operation} answered {int(response.status_code)}: {body}")


@dataclass
class ConsentApi:
    client: AuthenticatedClient

    def definitions(self, unit: int | None = None) -> list[SubscriptionDefinition]:
        response = get_definitions.sync_detailed(client=self.client, business_unit_id=_unit(unit))
        envelope = parsed_as(
            response, "get_definitions", ActionResponseWithResultsSubscriptionDefinition
        )
        return envelope.results

    def statuses(self, email: str, unit: int | None = None) -> dict[int, PublicStatus]:
        response = get_statuses.sync_detailed(
            email, client=self.client, channel=EMAIL, business_unit_id=_unit(unit)
        )
        envelope = parsed_as(response, "get_statuses", ActionResponseWithResultsPublicStatus)
        return {status.subscription_id: status for status in envelope.results}

    def wide(self, email: str, unit: int | None = None) -> list[PublicWideStatus]:
        response = get_unsubscribe_all_status.sync_detailed(
            email, client=self.client, channel=EMAIL, business_unit_id=_unit(unit)
        )
        envelope = parsed_as(
            response, "get_unsubscribe_all_status", ActionResponseWithResultsPublicWideStatus
        )
        return envelope.results

    def batch_statuses(
        self, emails: Sequence[str], unit: int | None = None
    ) -> dict[str, dict[int, PublicStatus]]:
        response = batch_get_statuses.sync_detailed(
            client=self.client,
            body=BatchInputString(inputs=list(emails)),
            channel=EMAIL,
            business_unit_id=_unit(unit),
        )
        envelope = parsed_as(
            response,
            "batch_get_statuses",
            BatchResponsePublicStatusBulkResponse,
            BatchResponsePublicStatusBulkResponseWithErrors,
        )
        return {
            item.subscriber_id_string: {s.subscription_id: s for s in item.statuses}
            for item in envelope.results
        }

    def batch_wide(
        self, emails: Sequence[str], unit: int | None = None
    ) -> dict[str, list[PublicWideStatus]]:
        response = batch_get_unsubscribe_all_statuses.sync_detailed(
            client=self.client,
            body=BatchInputString(inputs=list(emails)),
            channel=EMAIL,
            business_unit_id=_unit(unit),
        )
        envelope = parsed_as(
            response,
            "batch_get_unsubscribe_all_statuses",
            BatchResponsePublicWideStatusBulkResponse,
            BatchResponsePublicWideStatusBulkResponseWithErrors,
        )
        return {item.subscriber_id_string: item.wide_statuses for item in envelope.results}

    def update(self, email: str, subscription_id: int, state: SubscriptionStatus) -> PublicStatus:
        response = update_status.sync_detailed(
            email,
            client=self.client,
            body=PartialPublicStatusRequest(
                channel=EMAIL, status_state=state, subscription_id=subscription_id
            ),
        )
        envelope = parsed_as(response, "update_status", ActionResponseWithResultsPublicStatus)
        if len(envelope.results) != 1:
            raise AssertionError(
                f"update_status answered {len(envelope.results)} results for one write"
            )
        return envelope.results[0]

    def batch_update(
        self, changes: Sequence[tuple[str, int, SubscriptionStatus]]
    ) -> BatchResponsePublicStatus:
        body = BatchInputPublicStatusRequest(
            inputs=[
                PublicStatusRequest(
                    channel=EMAIL,
                    status_state=state,
                    subscriber_id_string=email,
                    subscription_id=subscription_id,
                )
                for email, subscription_id, state in changes
            ]
        )
        response = batch_update_statuses.sync_detailed(client=self.client, body=body)
        return parsed_as(response, "batch_update_statuses", BatchResponsePublicStatus)

    def unsubscribe_all(self, email: str, unit: int | None = None) -> list[PublicStatus]:
        response = unsubscribe_all.sync_detailed(
            email, client=self.client, channel=EMAIL, business_unit_id=_unit(unit), verbose=True
        )
        envelope = parsed_as(response, "unsubscribe_all", ActionResponseWithResultsPublicStatus)
        return envelope.results

    def batch_unsubscribe_all(
        self, emails: Sequence[str], unit: int | None = None, *, verbose: bool = True
    ) -> BatchResponsePublicBulkOptOutFromAllResponse:
        response = batch_unsubscribe_all.sync_detailed(
            client=self.client,
            body=BatchInputString(inputs=list(emails)),
            channel=EMAIL,
            business_unit_id=_unit(unit),
            verbose=verbose,
        )
        return parsed_as(
            response, "batch_unsubscribe_all", BatchResponsePublicBulkOptOutFromAllResponse
        )
