"""One valid request per operation of the spec (default fixtures, default token)."""

from __future__ import annotations

from typing import Any

import httpx

CHANGE = {
    "channel": "EMAIL",
    "statusState": "UNSUBSCRIBED",
    "subscriptionId": 100001,
}

# operationId -> (method, path under the API base, query, JSON body or None)
VALID: dict[str, tuple[str, str, dict[str, str], Any]] = {
    "get_definitions": ("GET", "/definitions", {}, None),
    "get_statuses": ("GET", "/statuses/ann@example.com", {"channel": "EMAIL"}, None),
    "update_status": ("POST", "/statuses/ann@example.com", {}, CHANGE),
    "get_unsubscribe_all_status": (
        "GET",
        "/statuses/ann@example.com/unsubscribe-all",
        {"channel": "EMAIL"},
        None,
    ),
    "unsubscribe_all": (
        "POST",
        "/statuses/ann@example.com/unsubscribe-all",
        {"channel": "EMAIL"},
        None,
    ),
    "batch_get_statuses": (
        "POST",
        "/statuses/batch/read",
        {"channel": "EMAIL"},
        {"inputs": ["ann@example.com"]},
    ),
    "batch_update_statuses": (
        "POST",
        "/statuses/batch/write",
        {},
        {"inputs": [{**CHANGE, "subscriberIdString": "ann@example.com"}]},
    ),
    "batch_unsubscribe_all": (
        "POST",
        "/statuses/batch/unsubscribe-all",
        {"channel": "EMAIL"},
        {"inputs": ["ann@example.com"]},
    ),
    "batch_get_unsubscribe_all_statuses": (
        "POST",
        "/statuses/batch/unsubscribe-all/read",
        {"channel": "EMAIL"},
        {"inputs": ["ann@example.com"]},
    ),
    "generate_links": (
        "POST",
        "/links/generate",
        {"channel": "EMAIL"},
        {"subscriberIdString": "ann@example.com"},
    ),
}


async def call(
    client: httpx.AsyncClient, operation_id: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    """Send the valid request of ``operation_id`` (extra ``headers`` added)."""
    method, path, query, body = VALID[operation_id]
    return await client.request(method, path, params=query, json=body, headers=headers)
