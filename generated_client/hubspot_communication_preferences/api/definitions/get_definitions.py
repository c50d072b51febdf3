from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...lib.operation import OPERATION_EXTENSION, OperationTag
from ...lib.success import unexpected_answer
from ...models.action_response_with_results_subscription_definition import (
    ActionResponseWithResultsSubscriptionDefinition,
)
from ...models.error import Error
from ...models.rate_limit_error import RateLimitError
from ...types import UNSET, Response, Unset

#: This call's operation, as its requests carry it (see lib/operation.py).
OPERATION = OperationTag("get_definitions", retry_safe=True)


def _get_kwargs(
    *,
    business_unit_id: int | Unset = UNSET,
    include_translations: bool | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["businessUnitId"] = business_unit_id

    params["includeTranslations"] = include_translations

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/communication-preferences/2026-03/definitions",
        "params": params,
        "extensions": {OPERATION_EXTENSION: OPERATION},
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ActionResponseWithResultsSubscriptionDefinition | Error | RateLimitError | None:
    if response.status_code == 200:
        response_200 = ActionResponseWithResultsSubscriptionDefinition.from_dict(response.json())

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
) -> Response[ActionResponseWithResultsSubscriptionDefinition | Error | RateLimitError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    business_unit_id: int | Unset = UNSET,
    include_translations: bool | Unset = UNSET,
) -> Response[ActionResponseWithResultsSubscriptionDefinition | Error | RateLimitError]:
    """List subscription definitions

     Every subscription type of a business unit (brand).

    Args:
        business_unit_id (int | Unset):
        include_translations (bool | Unset):

    Raises:
        HubSpotError: with a client from make_client (the default raise_errors=True), for any answer
            but the documented success, after retries; also for no answer (connection, timeout).

    Returns:
        Response[ActionResponseWithResultsSubscriptionDefinition | Error | RateLimitError]
    """

    kwargs = _get_kwargs(
        business_unit_id=business_unit_id,
        include_translations=include_translations,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    business_unit_id: int | Unset = UNSET,
    include_translations: bool | Unset = UNSET,
) -> ActionResponseWithResultsSubscriptionDefinition:
    """List subscription definitions

     Every subscription type of a business unit (brand).

    Args:
        business_unit_id (int | Unset):
        include_translations (bool | Unset):

    Raises:
        HubSpotAPIError: for any answer but the documented success (after retries with make_client).
        HubSpotConnectionError: no answer arrived (with make_client; httpx.TransportError otherwise).

    Returns:
        ActionResponseWithResultsSubscriptionDefinition
    """

    response = sync_detailed(
        client=client,
        business_unit_id=business_unit_id,
        include_translations=include_translations,
    )
    if isinstance(response.parsed, (ActionResponseWithResultsSubscriptionDefinition,)):
        return response.parsed
    raise unexpected_answer(response, OPERATION)


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    business_unit_id: int | Unset = UNSET,
    include_translations: bool | Unset = UNSET,
) -> Response[ActionResponseWithResultsSubscriptionDefinition | Error | RateLimitError]:
    """List subscription definitions

     Every subscription type of a business unit (brand).

    Args:
        business_unit_id (int | Unset):
        include_translations (bool | Unset):

    Raises:
        HubSpotError: with a client from make_client (the default raise_errors=True), for any answer
            but the documented success, after retries; also for no answer (connection, timeout).

    Returns:
        Response[ActionResponseWithResultsSubscriptionDefinition | Error | RateLimitError]
    """

    kwargs = _get_kwargs(
        business_unit_id=business_unit_id,
        include_translations=include_translations,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    business_unit_id: int | Unset = UNSET,
    include_translations: bool | Unset = UNSET,
) -> ActionResponseWithResultsSubscriptionDefinition:
    """List subscription definitions

     Every subscription type of a business unit (brand).

    Args:
        business_unit_id (int | Unset):
        include_translations (bool | Unset):

    Raises:
        HubSpotAPIError: for any answer but the documented success (after retries with make_client).
        HubSpotConnectionError: no answer arrived (with make_client; httpx.TransportError otherwise).

    Returns:
        ActionResponseWithResultsSubscriptionDefinition
    """

    response = await asyncio_detailed(
        client=client,
        business_unit_id=business_unit_id,
        include_translations=include_translations,
    )
    if isinstance(response.parsed, (ActionResponseWithResultsSubscriptionDefinition,)):
        return response.parsed
    raise unexpected_answer(response, OPERATION)
