"""serve_in_subprocess: the mock served by its CLI, answering, then stopped; bad start-ups
fail with the server's own words."""

from __future__ import annotations

import httpx
import pytest

from mock_server import DEFAULT_TOKEN
from mock_server.process import MockStartupError, serve_in_subprocess

BASE = "/communication-preferences/2026-03"


def test_serves_with_the_default_token_then_stops() -> None:
    with serve_in_subprocess() as mock:
        assert mock.url == f"http://127.0.0.1:{mock.port}"
        headers = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
        response = httpx.get(f"{mock.url}{BASE}/definitions", headers=headers, timeout=10)
        assert response.status_code == 200
        assert response.json()["results"]
        assert httpx.get(f"{mock.url}{BASE}/definitions", timeout=10).status_code == 401
        log = mock.log_path
        assert f"serving {mock.url} " in mock.output()  # the base URL, no API prefix
    assert mock.process.returncode is not None  # stopped on leaving the block
    assert not log.exists()  # the temporary log goes with it
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{mock.url}/_mock/state", timeout=2)


def test_bad_cli_argument_is_a_clear_startup_error() -> None:
    with pytest.raises(MockStartupError) as failure, serve_in_subprocess("--rate-limit", "lots"):
        pytest.fail("a mock with a bad option must not start")
    message = str(failure.value)
    assert "exited with code 2 before answering" in message
    assert "--rate-limit" in message and "'lots'" in message  # the server's own words
    assert "Traceback" not in message


def test_host_and_port_go_in_keywords() -> None:
    with pytest.raises(ValueError, match="keyword"), serve_in_subprocess("--port", "8080"):
        pytest.fail("unreachable")
