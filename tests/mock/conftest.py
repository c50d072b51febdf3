"""Fixtures for the mock server's tests.

Every response any test receives through ``client``/``make_client`` is checked against the
pinned spec (declared status, content type, body schema) by an httpx response hook, so each
test also proves that the mock answered within the contract.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack, ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from mock_testing import AUTH, BASE, SpecChecker, checking_hook

from commprefs_spec.model import pinned_spec
from commprefs_spec.routing import Router
from mock_server import MockApp, MockConfig, create_app
from mock_server.process import RunningMock, serve_in_subprocess


@pytest.fixture(scope="session")
def spec_checker() -> SpecChecker:
    spec = pinned_spec()
    return SpecChecker(spec, Router(spec.operations.values()))


@pytest.fixture
async def make_client(spec_checker: SpecChecker) -> AsyncIterator[Callable[..., Any]]:
    """``await make_client(config)`` -> (app, client); the client checks every response."""
    async with AsyncExitStack() as stack:

        async def make(
            config: MockConfig | None = None, *, headers: dict[str, str] | None = None
        ) -> tuple[MockApp, httpx.AsyncClient]:
            app = create_app(config)
            client = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url=f"http://mock{BASE}",
                headers=AUTH if headers is None else headers,
                event_hooks={"response": [checking_hook(spec_checker)]},
            )
            await stack.enter_async_context(client)
            return app, client

        yield make


@pytest.fixture
async def app_client(make_client: Callable[..., Any]) -> tuple[MockApp, httpx.AsyncClient]:
    result: tuple[MockApp, httpx.AsyncClient] = await make_client()
    return result


@pytest.fixture
def client(app_client: tuple[MockApp, httpx.AsyncClient]) -> httpx.AsyncClient:
    return app_client[1]


@pytest.fixture
def app(app_client: tuple[MockApp, httpx.AsyncClient]) -> MockApp:
    return app_client[0]


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., RunningMock]]:
    """Start ``python -m mock_server`` on a free port; every started server is stopped."""
    numbers = itertools.count()
    with ExitStack() as stack:

        def start(*args: str) -> RunningMock:
            log = tmp_path / f"mock-{next(numbers)}.log"
            return stack.enter_context(serve_in_subprocess(*args, log_path=log, stop_timeout=15))

        yield start
