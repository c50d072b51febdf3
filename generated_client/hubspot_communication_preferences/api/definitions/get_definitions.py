from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.action_response_with_results_subscription_definition import (
    ActionResponseWithResultsSubscriptionDefinition,
)
from ...models.error import Error
from ...models.rate_limit_error import RateLimitError
from ...types import UNSET, Response, Unset


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
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

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
) -> ActionResponseWithResultsSubscriptionDefinition | Error | RateLimitError | None:
    """List subscription definitions

     Every subscription type of a business unit (brand).

    Args:
        business_unit_id (int | Unset):
        include_translations (bool | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ActionResponseWithResultsSubscriptionDefinition | Error | RateLimitError
    """

    return sync_detailed(
        client=client,
        business_unit_id=business_unit_id,
        include_translations=include_translations,
    ).parsed


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
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

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
) -> ActionResponseWithResultsSubscriptionDefinition | Error | RateLimitError | None:
    """List subscription definitions

     Every subscription type of a business unit (brand).

    Args:
        business_unit_id (int | Unset):
        include_translations (bool | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ActionResponseWithResultsSubscriptionDefinition | Error | RateLimitError
    """

    return (
        await asyncio_detailed(
            client=client,
            business_unit_id=business_unit_id,
            include_translations=include_translations,
        )
    ).parsed
