from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...lib.operation import OPERATION_EXTENSION, OperationTag
from ...lib.success import unexpected_answer
from ...models.batch_input_public_status_request import BatchInputPublicStatusRequest
from ...models.batch_response_public_status import BatchResponsePublicStatus
from ...models.error import Error
from ...models.rate_limit_error import RateLimitError
from ...types import Response

#: This call's operation, as its requests carry it (see lib/operation.py).
OPERATION = OperationTag("batch_update_statuses", retry_safe=False)


def _get_kwargs(
    *,
    body: BatchInputPublicStatusRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/communication-preferences/2026-03/statuses/batch/write",
        "extensions": {OPERATION_EXTENSION: OPERATION},
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> BatchResponsePublicStatus | Error | RateLimitError | None:
    if response.status_code == 200:
        response_200 = BatchResponsePublicStatus.from_dict(response.json())

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
) -> Response[BatchResponsePublicStatus | Error | RateLimitError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: BatchInputPublicStatusRequest,
) -> Response[BatchResponsePublicStatus | Error | RateLimitError]:
    """Update subscription statuses of many contacts

     One status change per input. Not retry-safe: replaying a resubscribe could
    undo an opt-out a contact made in between.

    Args:
        body (BatchInputPublicStatusRequest):

    Raises:
        HubSpotError: with a client from make_client (the default raise_errors=True), for any answer
            but the documented success, after retries; also for no answer (connection, timeout).

    Returns:
        Response[BatchResponsePublicStatus | Error | RateLimitError]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: BatchInputPublicStatusRequest,
) -> BatchResponsePublicStatus:
    """Update subscription statuses of many contacts

     One status change per input. Not retry-safe: replaying a resubscribe could
    undo an opt-out a contact made in between.

    Args:
        body (BatchInputPublicStatusRequest):

    Raises:
        HubSpotAPIError: for any answer but the documented success (after retries with make_client).
        HubSpotConnectionError: no answer arrived (with make_client; httpx.TransportError otherwise).

    Returns:
        BatchResponsePublicStatus
    """

    response = sync_detailed(
        client=client,
        body=body,
    )
    if isinstance(response.parsed, (BatchResponsePublicStatus,)):
        return response.parsed
    raise unexpected_answer(response, OPERATION)


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: BatchInputPublicStatusRequest,
) -> Response[BatchResponsePublicStatus | Error | RateLimitError]:
    """Update subscription statuses of many contacts

     One status change per input. Not retry-safe: replaying a resubscribe could
    undo an opt-out a contact made in between.

    Args:
        body (BatchInputPublicStatusRequest):

    Raises:
        HubSpotError: with a client from make_client (the default raise_errors=True), for any answer
            but the documented success, after retries; also for no answer (connection, timeout).

    Returns:
        Response[BatchResponsePublicStatus | Error | RateLimitError]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: BatchInputPublicStatusRequest,
) -> BatchResponsePublicStatus:
    """Update subscription statuses of many contacts

     One status change per input. Not retry-safe: replaying a resubscribe could
    undo an opt-out a contact made in between.

    Args:
        body (BatchInputPublicStatusRequest):

    Raises:
        HubSpotAPIError: for any answer but the documented success (after retries with make_client).
        HubSpotConnectionError: no answer arrived (with make_client; httpx.TransportError otherwise).

    Returns:
        BatchResponsePublicStatus
    """

    response = await asyncio_detailed(
        client=client,
        body=body,
    )
    if isinstance(response.parsed, (BatchResponsePublicStatus,)):
        return response.parsed
    raise unexpected_answer(response, OPERATION)
