"""Fixtures for the bulk opt-out tests (helpers live in bulk_testing.py beside this file)."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from bulk_testing import ServedMock

from mock_server import MockApp, MockConfig, create_app
from mock_server.process import serve_in_subprocess


@pytest.fixture
def app() -> MockApp:
    return create_app(MockConfig())


@pytest.fixture
def serve_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., ServedMock]]:
    logs = tmp_path_factory.mktemp("mock-logs")
    numbers = itertools.count()
    with ExitStack() as stack:

        def start(*args: str) -> ServedMock:
            log = logs / f"mock-{next(numbers)}.log"
            mock = stack.enter_context(serve_in_subprocess(*args, log_path=log))
            return ServedMock(mock.url, mock.process)

        yield start
