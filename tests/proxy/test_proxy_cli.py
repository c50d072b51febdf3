"""scripts/proxy as a user meets it: bad input is one line on stderr and an exit status, never
a traceback; --version and --help answer."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from commprefs_kit import paths


def proxy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "commprefs_kit.proxy", *args],
        cwd=paths.ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_one_line(result: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    for word in words:
        assert word in lines[0]


def test_busy_port() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = proxy("--port", str(port))
    assert_one_line(result, 3, f"127.0.0.1:{port}", "address already in use")


@pytest.mark.parametrize(
    "upstream", ["ftp://example.com", "api.hubapi.com", "http://", "http://host:99999"]
)
def test_bad_upstream(upstream: str) -> None:
    assert_one_line(proxy("--upstream", upstream, "--port", "0"), 2, "--upstream")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--port", "http"], ("--port",)),
        (["--timeout", "0"], ("--timeout",)),
        (["--bogus"], ("--bogus",)),
    ],
)
def test_bad_options(args: list[str], words: tuple[str, ...]) -> None:
    assert_one_line(proxy(*args), 2, *words)


def test_unwritable_record(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = proxy("--port", "0", "--record", str(blocker / "record.jsonl"))
    assert_one_line(result, 2, str(blocker))


def test_version_and_help() -> None:
    version = proxy("--version")
    assert version.returncode == 0 and "hubspot-commprefs-kit" in version.stdout
    helped = proxy("-h")
    assert helped.returncode == 0
    for option in ("--upstream", "--port", "--strict", "--record", "--report-dir"):
        assert option in helped.stdout
