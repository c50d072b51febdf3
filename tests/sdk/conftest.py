"""Fixtures: HubSpot's own SDK (hubspot-sdk) pointed at our mock.

In-process: AsyncHubSpot with an httpx.AsyncClient on httpx.ASGITransport (httpx's
ASGITransport is async only, so the sync client cannot use it). Over a real port: the
mock started as a user would (`python -m mock_server --port N`), for the sync client and
for what only a real HTTP server does (path decoding of the raw request line).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
from hubspot_sdk import AsyncHubSpot

from mock_server import MockConfig, create_app
from mock_server.process import MockStartupError, serve_in_subprocess

TOKEN = "test-token"
BASE_URL = "http://mock.invalid"  # any host: ASGITransport never resolves it

SdkFactory = Callable[..., AsyncHubSpot]


@pytest.fixture(autouse=True)
def _clean_sdk_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # The SDK reads these from the environment; a developer's own settings must not leak in.
    for name in ("HUBSPOT_BASE_URL", "HUBSPOT_CUSTOM_HEADERS", "HUBSPOT_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def make_sdk() -> AsyncIterator[SdkFactory]:
    """Build SDK clients on fresh in-process mocks; all are closed after the test."""
    clients: list[AsyncHubSpot] = []

    def factory(
        config: MockConfig | None = None, token: str | None = TOKEN, **sdk_options: Any
    ) -> AsyncHubSpot:
        transport = httpx.ASGITransport(app=create_app(config))
        client = AsyncHubSpot(
            access_token=token,
            base_url=BASE_URL,
            http_client=httpx.AsyncClient(transport=transport),
            # Fail on any response that does not fit the SDK's models, not just on bad JSON.
            _strict_response_validation=True,
            **{"max_retries": 0, **sdk_options},
        )
        clients.append(client)
        return client

    yield factory
    for client in clients:
        await client.close()


@pytest.fixture
def sdk(make_sdk: SdkFactory) -> AsyncHubSpot:
    """An SDK client with the default token (all scopes) on a fresh mock."""
    return make_sdk()


@pytest.fixture(scope="session")
def served_mock_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The mock served on a real loopback port by its CLI, for the whole session."""
    log_path = tmp_path_factory.mktemp("mock-cli") / "mock.log"
    with ExitStack() as stack:
        try:
            mock = stack.enter_context(serve_in_subprocess(log_path=log_path))
        except MockStartupError as exc:
            pytest.fail(f"mock CLI did not start: {exc}")
        yield mock.url
