"""The contract suite catches real bugs: it fails on every mutant of the mock (tests/contract/
mutants.py), and the check that catches each is the one named in `EXPECTED_CATCH`; the unbroken
mock passes the same run.

Each run is `python -m commprefs_kit.contract --app tests/contract/mutants.py:NAME` in its own
process (a mutant may patch the mock's rules process-wide), with small example counts and
without the client-only modules (they never talk to a server). Two run at a time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from commprefs_kit import paths

MUTANTS_FILE = Path(__file__).with_name("mutants.py")
EXAMPLES = "8"
SERVER_SIDE_ONLY = "not test_client_models and not test_client_requests"


def _load_expected() -> dict[str, set[str]]:
    import importlib.util

    spec = importlib.util.spec_from_file_location("contract_mutants", MUTANTS_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected: dict[str, set[str]] = module.EXPECTED_CATCH
    return expected


EXPECTED_CATCH = _load_expected()
BASELINE = "mock_server:create_app"


def run_suite(app: str, out: Path) -> dict[str, Any]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("COMMPREFS_BASE_URL", "HUBSPOT_ACCESS_TOKEN")
    }
    name = app.rsplit(":", 1)[-1]
    result_file = out / f"{name}.json"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "commprefs_kit.contract",
            "--app",
            app,
            "--examples",
            EXAMPLES,
            "-k",
            SERVER_SIDE_ONLY,
            "--json",
            str(result_file),
            "--report",
            str(out / f"{name}.md"),
            "--junit",
            str(out / f"{name}.xml"),
        ],
        cwd=paths.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if not result_file.exists():
        pytest.fail(f"{app}: no results (exit {completed.returncode}): {completed.stderr[-2000:]}")
    data: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
    data["exit_code"] = completed.returncode
    return data


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    out = tmp_path_factory.mktemp("mutants")
    apps = [BASELINE] + [f"{MUTANTS_FILE}:{name}" for name in EXPECTED_CATCH]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda app: run_suite(app, out), apps))
    return {app.rsplit(":", 1)[-1]: result for app, result in zip(apps, results, strict=True)}


@pytest.mark.slow
def test_unbroken_mock_passes(runs: dict[str, dict[str, Any]]) -> None:
    baseline = runs["create_app"]
    assert baseline["failed_checks"] == [], baseline["failures"]
    assert baseline["ok"] and baseline["exit_code"] == 0


@pytest.mark.slow
@pytest.mark.parametrize("mutant", sorted(EXPECTED_CATCH))
def test_suite_catches_mutant(mutant: str, runs: dict[str, dict[str, Any]]) -> None:
    result = runs[mutant]
    caught = set(result["failed_checks"])
    assert not result["ok"] and result["exit_code"] == 1, f"{mutant} passed the suite"
    assert caught & EXPECTED_CATCH[mutant], (
        f"{mutant} was caught by {sorted(caught)}, not by any of {sorted(EXPECTED_CATCH[mutant])}"
    )
