"""The vendored package alone is the whole client: vendored into an empty folder, installed with
only the dependencies its stamp lists, and driven against the served mock with faults."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest

from commprefs_kit import paths
from mock_server.process import RunningMock, serve_in_subprocess

pytestmark = pytest.mark.slow

HERE = Path(__file__).parent
TOKEN = "test-token"  # the mock's default token, with every scope
README = paths.ROOT / "README.md"


class VendoredApp:
    """An empty project with the vendored package and a bare virtualenv."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.python = folder / ".venv" / "bin" / "python"

    def run(self, script: Path, *args: str, env: dict[str, str] | None = None) -> str:
        """Run ``script`` from the app's folder, as the app's own code."""
        local = self.folder / script.name
        shutil.copyfile(script, local)
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL"))}
        proc = subprocess.run(
            [str(self.python), local.name, *args],
            cwd=self.folder,
            env={**clean, **(env or {})},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        output = proc.stdout + proc.stderr
        assert proc.returncode == 0, output
        return output


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> VendoredApp:
    folder = tmp_path_factory.mktemp("my-app")
    vendored = subprocess.run(
        [sys.executable, "-m", "commprefs_kit.vendor", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert vendored.returncode == 0, vendored.stderr
    stamp = json.loads((folder / paths.PACKAGE_NAME / "VENDORED.json").read_text())
    install = re.search(r"^install them with: (.*)$", vendored.stdout, re.MULTILINE)
    assert install, vendored.stdout
    # The printed command names exactly the stamp's requirements.
    assert install.group(1).count("'") == 2 * len(stamp["requires"])
    names = {re.split(r"[ <>=!~]", r, maxsplit=1)[0] for r in stamp["requires"]}
    assert names == {"httpx", "attrs", "httpx-retries"}

    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(folder / ".venv")
    pip = subprocess.run(
        [str(folder / ".venv/bin/python"), "-m", "pip", "install", "-q", *stamp["requires"]],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert pip.returncode == 0, pip.stdout + pip.stderr
    return VendoredApp(folder)


@pytest.fixture(scope="module")
def mock() -> Iterator[RunningMock]:
    with serve_in_subprocess() as running:
        yield running


def test_vendored_client_retries_raises_typed_errors_and_hides_the_token(
    app: VendoredApp, mock: RunningMock
) -> None:
    output = app.run(HERE / "vendored_app" / "check_resilience.py", mock.url, TOKEN)
    assert "all checks passed" in output
    assert "update_status sent once, raised ServerError" in output
    assert TOKEN not in output


def _readme_client_examples() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Using the client") : text.index("## The pinned spec")]
    return re.findall(r"```python\n(.*?)```", section, re.DOTALL)


def test_the_readme_shows_sync_async_errors_and_testing() -> None:
    examples = _readme_client_examples()
    assert len(examples) == 3
    assert ".sync(" in examples[0] and "except HubSpotConnectionError" in examples[0]
    assert ".asyncio(" in examples[1]
    assert "httpx.MockTransport" in examples[2]


@pytest.mark.parametrize("index", range(3), ids=["sync", "async", "mock-transport"])
def test_readme_client_example_runs_from_the_vendored_copy(
    app: VendoredApp, mock: RunningMock, index: int, tmp_path: Path
) -> None:
    script = tmp_path / f"readme_example_{index}.py"
    script.write_text(_readme_client_examples()[index], encoding="utf-8")
    env = {"HUBSPOT_ACCESS_TOKEN": TOKEN, "HUBSPOT_BASE_URL": mock.url}
    output = app.run(script, env=env)
    assert "Traceback" not in output
    if index == 0:
        assert "COMPLETE opted out: ['a@example.com', 'B@example.com']" in output
        assert "NOT opted out: {'subscriberIdString': ['not-an-address']}" in output
    assert TOKEN not in output
