"""pytest plugin: the mock inside your own tests, as moto is for AWS (mock_server/README.md,
"In your own tests").

Every fixture is function-scoped and named ``commprefs_*``; nothing listens on a port unless a
test asks for ``commprefs_mock_server``.

- ``commprefs_mock``: a fresh in-process mock (``mock_server.testing.CommPrefsMock``): the ASGI
  app, its state, and helpers to look at it and seed it.
- ``commprefs_client``: the generated client (``make_client``) wired to that app: sync and async
  calls both work, with the client's retries on and its waits recorded instead of slept.
- ``commprefs_make_client``: a factory for more clients (another token, other options).
- ``commprefs_mock_config``: the ``MockConfig`` of this test, built from the
  ``@pytest.mark.commprefs_mock(...)`` markers (rate limit, faults, tokens, fixtures, ...).
- ``commprefs_mock_server``: the same app served over HTTP on 127.0.0.1 (a free port, uvicorn
  in a thread), for code that takes a base URL or runs in another process.

Registered through the ``pytest11`` entry point ``commprefs_mock``; without it, load it with
``-p mock_server.pytest_plugin`` or ``pytest_plugins = ["mock_server.pytest_plugin"]``. The
entry point loads this module in every pytest run of an environment that has the mock, so it
imports only pytest; the mock, httpx and the client are imported when a fixture is used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from hubspot_communication_preferences import AuthenticatedClient

    from mock_server.config import MockConfig
    from mock_server.testing import CommPrefsMock, ServedMock

MARKER = "commprefs_mock"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): configure the commprefs_mock fixtures for this test "
        "(MockConfig's fields: rate_limit='N/SECONDS', faults={...}, tokens={...}, seed, "
        "fixtures, require_legal_basis, ...; see mock_server/README.md)",
    )


@pytest.fixture
def commprefs_mock_config(request: pytest.FixtureRequest, tmp_path: Path) -> MockConfig:
    """This test's ``MockConfig``: the ``commprefs_mock`` markers merged, the closest marker
    winning per option (a test's over its class's over its module's)."""
    from mock_server.testing import mock_config

    options: dict[str, Any] = {}
    for mark in reversed(list(request.node.iter_markers(MARKER))):
        if mark.args:
            raise pytest.UsageError(f"{MARKER} takes keyword options only, got {mark.args!r}")
        options.update(mark.kwargs)
    try:
        return mock_config(options, tmp_path)
    except (TypeError, ValueError) as exc:
        raise pytest.UsageError(f"{MARKER}: {exc}") from None


@pytest.fixture
def commprefs_mock(commprefs_mock_config: MockConfig) -> Iterator[CommPrefsMock]:
    """A fresh in-process mock for this test: the app, its state, helpers to seed and read it."""
    from mock_server.testing import CommPrefsMock

    mock = CommPrefsMock(commprefs_mock_config)
    try:
        yield mock
    finally:
        mock.close()


@pytest.fixture
def commprefs_make_client(
    commprefs_mock: CommPrefsMock,
) -> Iterator[Callable[..., AuthenticatedClient]]:
    """``commprefs_make_client(token=None, **make_client_options)`` -> a client of this test's
    mock; each one is closed after the test."""
    from mock_server.testing import close_client

    made: list[AuthenticatedClient] = []

    def make(token: str | None = None, **options: Any) -> AuthenticatedClient:
        client = commprefs_mock.make_client(token, **options)
        made.append(client)
        return client

    yield make
    for client in made:
        close_client(client)


@pytest.fixture
def commprefs_client(
    commprefs_make_client: Callable[..., AuthenticatedClient],
) -> AuthenticatedClient:
    """The generated client (``make_client``) wired to this test's mock, in-process: use it
    with ``.sync(...)`` and ``await ....asyncio(...)`` alike."""
    return commprefs_make_client()


@pytest.fixture
def commprefs_mock_server(commprefs_mock: CommPrefsMock) -> Iterator[ServedMock]:
    """This test's mock served over HTTP on 127.0.0.1 (a free port): ``.url``, ``.port``,
    ``.make_client()``. Same app, same state as ``commprefs_mock``."""
    from mock_server.testing import ServedMock, serve_in_thread

    with serve_in_thread(commprefs_mock.app) as (url, port):
        yield ServedMock(commprefs_mock, url, port)
