"""The main job against a correct server throttled as HubSpot throttles raises no false alarm.

`scripts/contract --base-url URL` against `scripts/mock --rate-limit 100/10`, with several
seeds: every run passes. (Before: a schema-valid `format: email` path parameter the server
rightly refused, and state machines that stopped with FlakyStrategyDefinition when a 429
changed the answers they build on.) Slow: the throttle holds each run to ~10 requests/s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from commprefs_kit import paths
from mock_server.process import RunningMock, serve_in_subprocess

SEEDS = (7, 20260301)


@pytest.fixture(scope="module")
def throttled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningMock]:
    log = tmp_path_factory.mktemp("mock") / "mock.log"
    with serve_in_subprocess("--rate-limit", "100/10", log_path=log) as mock:
        yield mock


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_the_suite_passes_a_throttled_correct_server(
    throttled: RunningMock, tmp_path: Path, seed: int
) -> None:
    url = throttled.url
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("COMMPREFS_BASE_URL", "HUBSPOT_ACCESS_TOKEN")
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "commprefs_kit.contract",
            "--base-url",
            url,
            "--allow-writes",
            "--seed",
            str(seed),
            "--examples",
            "5",
            "--report",
            str(tmp_path / "report.md"),
            "--junit",
            str(tmp_path / "junit.xml"),
            "--json",
            str(tmp_path / "results.json"),
        ],
        cwd=paths.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert results["failures"] == []
