"""Fixtures for the bulk opt-out tests (helpers live in bulk_testing.py beside this file)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from bulk_testing import ServedMock, free_port

from commprefs_kit.paths import ROOT
from mock_server import MockApp, MockConfig, create_app


@pytest.fixture
def app() -> MockApp:
    return create_app(MockConfig())


@pytest.fixture
def serve_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., ServedMock]]:
    logs = tmp_path_factory.mktemp("mock-logs")
    started: list[subprocess.Popen[bytes]] = []

    def start(*args: str) -> ServedMock:
        port = free_port()
        log = (logs / f"mock-{port}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "mock_server", "--port", str(port), *args],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{url}/_mock/state", timeout=1)
                return ServedMock(url, process)
            except httpx.TransportError:
                if process.poll() is not None:
                    break
                time.sleep(0.1)
        raise RuntimeError(f"mock did not start: {(logs / f'mock-{port}.log').read_text()}")

    yield start
    for process in started:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
