"""The generated client, pointed at a contract target (in-process through an httpx transport)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from httpx_retries import Retry, RetryTransport
from hubspot_communication_preferences import AuthenticatedClient

from commprefs_kit.contract.asgi import SyncASGITransport
from commprefs_kit.contract.target import Target

# A 429 means the request was turned away before anything happened, so even a write is safe to
# send again: the workflows wait out a rate limit (Retry-After) instead of failing on it.
RATE_LIMIT_RETRY = Retry(
    total=6,
    allowed_methods=["GET", "POST"],
    status_forcelist=[429],
    retry_on_exceptions=[],
    backoff_factor=0.5,
    max_backoff_wait=15.0,
)


@contextmanager
def generated_client(
    target: Target,
    app: Any | None = None,
    *,
    transport: httpx.BaseTransport | None = None,
    wait_out_rate_limits: bool = True,
) -> Iterator[AuthenticatedClient]:
    """An `AuthenticatedClient` for `target`; `transport` overrides where requests go."""
    if transport is None:
        if target.in_process:
            if app is None:
                raise ValueError("an in-process target needs an app")
            transport = SyncASGITransport(app)
        else:
            transport = httpx.HTTPTransport()
    if wait_out_rate_limits:
        transport = RetryTransport(transport=transport, retry=RATE_LIMIT_RETRY)
    client = AuthenticatedClient(
        base_url=target.url,
        token=target.token,
        timeout=httpx.Timeout(30.0),
        httpx_args={"transport": transport},
    )
    with client:
        yield client
