"""scripts/contract as a user meets it: one-line errors for an unusable target, and a token
that never reaches the terminal, the report, the JUnit XML or the JSON results."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from commprefs_kit import paths
from commprefs_kit.contract.target import TOKEN_PLACEHOLDER

TOKEN_APPS = Path(__file__).with_name("token_apps.py")
SECRET = "sekret-0f9c2a7b-6d1e-4c3a-9b8f-do-not-leak"  # token_apps.SECRET


def contract(
    *args: str, token: str | None = None, cwd: Path = paths.ROOT
) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("COMMPREFS_BASE_URL", "HUBSPOT_ACCESS_TOKEN")
    }
    if token is not None:
        env["HUBSPOT_ACCESS_TOKEN"] = token
    return subprocess.run(
        [sys.executable, "-m", "commprefs_kit.contract", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def assert_one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("scripts/contract: error:"), result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    for word in words:
        assert word in lines[0]


def test_unreachable_server(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    assert_one_line_error(contract("--base-url", url, "--report", str(tmp_path / "r.md")), url)


def test_invalid_base_url() -> None:
    assert_one_line_error(contract("--base-url", "ftp://example.com"), "invalid base URL")


def test_rejected_token_is_one_line_and_not_printed() -> None:
    result = contract(token=SECRET)  # the default mock only knows its test-token
    assert_one_line_error(result, "401", "HUBSPOT_ACCESS_TOKEN")
    assert SECRET not in result.stdout + result.stderr


@pytest.mark.slow
def test_token_never_written(tmp_path: Path) -> None:
    files = {name: tmp_path / name for name in ("report.md", "junit.xml", "results.json")}
    result = contract(
        "--app",
        f"{TOKEN_APPS}:leaky_mock",
        "--examples",
        "3",
        "-k",
        "test_server or test_client_e2e",
        "--report",
        str(files["report.md"]),
        "--junit",
        str(files["junit.xml"]),
        "--json",
        str(files["results.json"]),
        token=SECRET,
    )
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    assert SECRET not in result.stdout + result.stderr
    for path in files.values():
        assert SECRET not in path.read_text(encoding="utf-8"), path.name
    failures = json.loads(files["results.json"].read_text(encoding="utf-8"))["failures"]
    curls = [f["curl"] for f in failures if f["curl"]]
    assert curls and all(TOKEN_PLACEHOLDER in curl for curl in curls)
    # The server echoed the token in its error bodies; the report shows the placeholder.
    assert TOKEN_PLACEHOLDER in files["report.md"].read_text(encoding="utf-8")
