from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...lib.operation import OPERATION_EXTENSION, OperationTag
from ...lib.success import unexpected_answer
from ...models.action_response_with_results_public_status import ActionResponseWithResultsPublicStatus
from ...models.error import Error
from ...models.partial_public_status_request import PartialPublicStatusRequest
from ...models.rate_limit_error import RateLimitError
from ...types import Response

#: This call's operation, as its requests carry it (see lib/operation.py).
OPERATION = OperationTag("update_status", retry_safe=False)


def _get_kwargs(
    subscriber_id_string: str,
    *,
    body: PartialPublicStatusRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/communication-preferences/2026-03/statuses/{subscriber_id_string}".format(
            subscriber_id_string=quote(str(subscriber_id_string), safe=""),
        ),
        "extensions": {OPERATION_EXTENSION: OPERATION},
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ActionResponseWithResultsPublicStatus | Error | RateLimitError | None:
    if response.status_code == 200:
        response_200 = ActionResponseWithResultsPublicStatus.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 429:
        response_429 = RateLimitError.from_dict(response.json())

        return response_429

    if 400 <= response.status_code <= 499:
        response_4xx = Error.from_dict(response.json())

        return response_4xx

    if 500 <= response.status_code <= 599:
        response_5xx = Error.from_dict(response.json())

        return response_5xx

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ActionResponseWithResultsPublicStatus | Error | RateLimitError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    subscriber_id_string: str,
    *,
    client: AuthenticatedClient,
    body: PartialPublicStatusRequest,
) -> Response[ActionResponseWithResultsPublicStatus | Error | RateLimitError]:
    """Update one subscription status of a contact

     Subscribe or unsubscribe a contact to or from one subscription type.
    Not retry-safe: replaying a resubscribe could undo an opt-out the contact
    made in between.

    Args:
        subscriber_id_string (str):
        body (PartialPublicStatusRequest): One status change of the contact named in the path.

    Raises:
        HubSpotError: with a client from make_client (the default raise_errors=True), for any answer
            but the documented success, after retries; also for no answer (connection, timeout).

    Returns:
        Response[ActionResponseWithResultsPublicStatus | Error | RateLimitError]
    """

    kwargs = _get_kwargs(
        subscriber_id_string=subscriber_id_string,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    subscriber_id_string: str,
    *,
    client: AuthenticatedClient,
    body: PartialPublicStatusRequest,
) -> ActionResponseWithResultsPublicStatus:
    """Update one subscription status of a contact

     Subscribe or unsubscribe a contact to or from one subscription type.
    Not retry-safe: replaying a resubscribe could undo an opt-out the contact
    made in between.

    Args:
        subscriber_id_string (str):
        body (PartialPublicStatusRequest): One status change of the contact named in the path.

    Raises:
        HubSpotAPIError: for any answer but the documented success (after retries with make_client).
        HubSpotConnectionError: no answer arrived (with make_client; httpx.TransportError otherwise).

    Returns:
        ActionResponseWithResultsPublicStatus
    """

    response = sync_detailed(
        subscriber_id_string=subscriber_id_string,
        client=client,
        body=body,
    )
    if isinstance(response.parsed, (ActionResponseWithResultsPublicStatus,)):
        return response.parsed
    raise unexpected_answer(response, OPERATION)


async def asyncio_detailed(
    subscriber_id_string: str,
    *,
    client: AuthenticatedClient,
    body: PartialPublicStatusRequest,
) -> Response[ActionResponseWithResultsPublicStatus | Error | RateLimitError]:
    """Update one subscription status of a contact

     Subscribe or unsubscribe a contact to or from one subscription type.
    Not retry-safe: replaying a resubscribe could undo an opt-out the contact
    made in between.

    Args:
        subscriber_id_string (str):
        body (PartialPublicStatusRequest): One status change of the contact named in the path.

    Raises:
        HubSpotError: with a client from make_client (the default raise_errors=True), for any answer
            but the documented success, after retries; also for no answer (connection, timeout).

    Returns:
        Response[ActionResponseWithResultsPublicStatus | Error | RateLimitError]
    """

    kwargs = _get_kwargs(
        subscriber_id_string=subscriber_id_string,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    subscriber_id_string: str,
    *,
    client: AuthenticatedClient,
    body: PartialPublicStatusRequest,
) -> ActionResponseWithResultsPublicStatus:
    """Update one subscription status of a contact

     Subscribe or unsubscribe a contact to or from one subscription type.
    Not retry-safe: replaying a resubscribe could undo an opt-out the contact
    made in between.

    Args:
        subscriber_id_string (str):
        body (PartialPublicStatusRequest): One status change of the contact named in the path.

    Raises:
        HubSpotAPIError: for any answer but the documented success (after retries with make_client).
        HubSpotConnectionError: no answer arrived (with make_client; httpx.TransportError otherwise).

    Returns:
        ActionResponseWithResultsPublicStatus
    """

    response = await asyncio_detailed(
        subscriber_id_string=subscriber_id_string,
        client=client,
        body=body,
    )
    if isinstance(response.parsed, (ActionResponseWithResultsPublicStatus,)):
        return response.parsed
    raise unexpected_answer(response, OPERATION)
