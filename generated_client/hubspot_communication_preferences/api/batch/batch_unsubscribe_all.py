from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...lib.operation import OPERATION_EXTENSION, OperationTag
from ...lib.success import unexpected_answer
from ...models.batch_input_string import BatchInputString
from ...models.batch_response_public_bulk_opt_out_from_all_response import BatchResponsePublicBulkOptOutFromAllResponse
from ...models.channel import Channel
from ...models.error import Error
from ...models.rate_limit_error import RateLimitError
from ...types import UNSET, Response, Unset

#: This call's operation, as its requests carry it (see lib/operation.py).
OPERATION = OperationTag("batch_unsubscribe_all", retry_safe=True)


def _get_kwargs(
    *,
    body: BatchInputString,
    channel: Channel,
    business_unit_id: int | Unset = UNSET,
    verbose: bool | Unset = False,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    json_channel = channel.value
    params["channel"] = json_channel

    params["businessUnitId"] = business_unit_id

    params["verbose"] = verbose

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/communication-preferences/2026-03/statuses/batch/unsubscribe-all",
        "params": params,
        "extensions": {OPERATION_EXTENSION: OPERATION},
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> BatchResponsePublicBulkOptOutFromAllResponse | Error | RateLimitError | None:
    if response.status_code == 200:
        response_200 = BatchResponsePublicBulkOptOutFromAllResponse.from_dict(response.json())

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
) -> Response[BatchResponsePublicBulkOptOutFromAllResponse | Error | RateLimitError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: BatchInputString,
    channel: Channel,
    business_unit_id: int | Unset = UNSET,
    verbose: bool | Unset = False,
) -> Response[BatchResponsePublicBulkOptOutFromAllResponse | Error | RateLimitError]:
    """Unsubscribe many contacts from all email

     Opt every input out of all email subscriptions. Every input appears once in
    `results`. Idempotent: repeating it changes nothing and reports
    NO_STATUS_CHANGE.

    Args:
        channel (Channel): A communication channel. Only EMAIL exists in 2026-03 (v4 also had
            WHATSAPP and SMS).
        business_unit_id (int | Unset):
        verbose (bool | Unset):  Default: False.
        body (BatchInputString):

    Raises:
        HubSpotError: with a client from make_client (the default raise_errors=True), for any answer
            but the documented success, after retries; also for no answer (connection, timeout).

    Returns:
        Response[BatchResponsePublicBulkOptOutFromAllResponse | Error | RateLimitError]
    """

    kwargs = _get_kwargs(
        body=body,
        channel=channel,
        business_unit_id=business_unit_id,
        verbose=verbose,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: BatchInputString,
    channel: Channel,
    business_unit_id: int | Unset = UNSET,
    verbose: bool | Unset = False,
) -> BatchResponsePublicBulkOptOutFromAllResponse:
    """Unsubscribe many contacts from all email

     Opt every input out of all email subscriptions. Every input appears once in
    `results`. Idempotent: repeating it changes nothing and reports
    NO_STATUS_CHANGE.

    Args:
        channel (Channel): A communication channel. Only EMAIL exists in 2026-03 (v4 also had
            WHATSAPP and SMS).
        business_unit_id (int | Unset):
        verbose (bool | Unset):  Default: False.
        body (BatchInputString):

    Raises:
        HubSpotAPIError: for any answer but the documented success (after retries with make_client).
        HubSpotConnectionError: no answer arrived (with make_client; httpx.TransportError otherwise).

    Returns:
        BatchResponsePublicBulkOptOutFromAllResponse
    """

    response = sync_detailed(
        client=client,
        body=body,
        channel=channel,
        business_unit_id=business_unit_id,
        verbose=verbose,
    )
    if isinstance(response.parsed, (BatchResponsePublicBulkOptOutFromAllResponse,)):
        return response.parsed
    raise unexpected_answer(response, OPERATION)


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: BatchInputString,
    channel: Channel,
    business_unit_id: int | Unset = UNSET,
    verbose: bool | Unset = False,
) -> Response[BatchResponsePublicBulkOptOutFromAllResponse | Error | RateLimitError]:
    """Unsubscribe many contacts from all email

     Opt every input out of all email subscriptions. Every input appears once in
    `results`. Idempotent: repeating it changes nothing and reports
    NO_STATUS_CHANGE.

    Args:
        channel (Channel): A communication channel. Only EMAIL exists in 2026-03 (v4 also had
            WHATSAPP and SMS).
        business_unit_id (int | Unset):
        verbose (bool | Unset):  Default: False.
        body (BatchInputString):

    Raises:
        HubSpotError: with a client from make_client (the default raise_errors=True), for any answer
            but the documented success, after retries; also for no answer (connection, timeout).

    Returns:
        Response[BatchResponsePublicBulkOptOutFromAllResponse | Error | RateLimitError]
    """

    kwargs = _get_kwargs(
        body=body,
        channel=channel,
        business_unit_id=business_unit_id,
        verbose=verbose,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: BatchInputString,
    channel: Channel,
    business_unit_id: int | Unset = UNSET,
    verbose: bool | Unset = False,
) -> BatchResponsePublicBulkOptOutFromAllResponse:
    """Unsubscribe many contacts from all email

     Opt every input out of all email subscriptions. Every input appears once in
    `results`. Idempotent: repeating it changes nothing and reports
    NO_STATUS_CHANGE.

    Args:
        channel (Channel): A communication channel. Only EMAIL exists in 2026-03 (v4 also had
            WHATSAPP and SMS).
        business_unit_id (int | Unset):
        verbose (bool | Unset):  Default: False.
        body (BatchInputString):

    Raises:
        HubSpotAPIError: for any answer but the documented success (after retries with make_client).
        HubSpotConnectionError: no answer arrived (with make_client; httpx.TransportError otherwise).

    Returns:
        BatchResponsePublicBulkOptOutFromAllResponse
    """

    response = await asyncio_detailed(
        client=client,
        body=body,
        channel=channel,
        business_unit_id=business_unit_id,
        verbose=verbose,
    )
    if isinstance(response.parsed, (BatchResponsePublicBulkOptOutFromAllResponse,)):
        return response.parsed
    raise unexpected_answer(response, OPERATION)
