"""The generated client, pointed at a contract target (in-process through an httpx transport)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from hubspot_communication_preferences import AuthenticatedClient

from commprefs_kit.contract.asgi import SyncASGITransport
from commprefs_kit.contract.target import Target


@contextmanager
def generated_client(
    target: Target, app: Any | None = None, *, transport: httpx.BaseTransport | None = None
) -> Iterator[AuthenticatedClient]:
    """An `AuthenticatedClient` for `target`; `transport` overrides where requests go."""
    if transport is None and target.in_process:
        if app is None:
            raise ValueError("an in-process target needs an app")
        transport = SyncASGITransport(app)
    httpx_args: dict[str, Any] = {"transport": transport} if transport is not None else {}
    client = AuthenticatedClient(
        base_url=target.url,
        token=target.token,
        timeout=httpx.Timeout(30.0),
        httpx_args=httpx_args,
    )
    with client:
        yield client
