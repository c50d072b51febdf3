"""Safe against a real account: `--read-only` changes nothing on a stateful server, and a
server that is not the in-process mock is refused, before anything is sent, unless the user
picks --read-only or --allow-writes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from commprefs_kit import paths
from commprefs_kit.contract.runner import ReadOnlyPlugin
from commprefs_kit.proxy.spec_view import spec_view
from mock_server import serve_in_subprocess


def contract(*args: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("COMMPREFS_BASE_URL", "HUBSPOT_ACCESS_TOKEN")
    }
    return subprocess.run(
        [sys.executable, "-m", "commprefs_kit.contract", *args],
        cwd=paths.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def state(url: str) -> dict[str, Any]:
    data: dict[str, Any] = httpx.get(f"{url}/_mock/state").json()
    # The request counter and fault draws count reads too; everything else is state.
    data.pop("requestCount")
    data.pop("faultDraws", None)
    return data


def test_read_only_operations_come_from_the_spec() -> None:
    assert set(spec_view().read_only_operations) == {
        "get_definitions",
        "get_statuses",
        "get_unsubscribe_all_status",
        "batch_get_statuses",
        "batch_get_unsubscribe_all_statuses",
    }


def test_read_only_run_changes_nothing(tmp_path: Path) -> None:
    report = tmp_path / "report.md"
    with serve_in_subprocess() as mock:
        before = state(mock.url)
        count_before = httpx.get(f"{mock.url}/_mock/state").json()["requestCount"]
        result = contract(
            "--base-url",
            mock.url,
            "--read-only",
            "--examples",
            "2",
            "--report",
            str(report),
            "--junit",
            str(tmp_path / "junit.xml"),
        )
        after = state(mock.url)
        count_after = httpx.get(f"{mock.url}/_mock/state").json()["requestCount"]
    # 0 or 1: whether every check passed is the contract suite's own business (its tests);
    # here the run must complete and change nothing.
    assert result.returncode in (0, 1), result.stdout[-3000:] + result.stderr
    assert "tests passed" in result.stdout
    assert count_after > count_before + 20  # it did test the server
    assert after == before
    text = report.read_text()
    assert "Read-only run: what was skipped" in text
    for skipped in (
        "test_workflows.py",
        "test_server_stateful.py",
        "wf_resubscribe",
        "unsubscribe_all`",
    ):
        assert skipped in text


class CountingServer:
    """A TCP server that counts connections and answers nothing useful."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def counting_server() -> Iterator[CountingServer]:
    server = CountingServer()
    yield server
    server.close()


def test_other_server_without_a_flag_is_refused_and_nothing_is_sent(
    counting_server: CountingServer, tmp_path: Path
) -> None:
    url = f"http://127.0.0.1:{counting_server.port}"
    result = contract("--base-url", url, "--report", str(tmp_path / "r.md"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "--read-only" in lines[0] and "--allow-writes" in lines[0] and url in lines[0]
    assert "Traceback" not in result.stdout + result.stderr
    assert counting_server.connections == 0
    assert not (tmp_path / "r.md").exists()


def test_read_only_and_allow_writes_exclude_each_other() -> None:
    result = contract("--base-url", "http://127.0.0.1:9", "--read-only", "--allow-writes")
    assert result.returncode == 2
    assert "not allowed with argument" in result.stderr


def test_read_only_plugin_fails_closed() -> None:
    plugin = ReadOnlyPlugin()

    class Item:
        def __init__(self, nodeid: str) -> None:
            self.nodeid = nodeid

    def allowed(nodeid: str) -> bool:
        return plugin._allowed(Item(nodeid))  # type: ignore[arg-type]

    api = "/communication-preferences/2026-03"
    assert allowed(f"contract_tests/test_server.py::test_operation_conforms[GET {api}/definitions]")
    assert not allowed(
        f"contract_tests/test_server.py::test_operation_conforms[POST {api}/links/generate]"
    )
    assert allowed("contract_tests/test_client_e2e.py::test_client_end_to_end[get_statuses]")
    assert not allowed("contract_tests/test_client_e2e.py::test_client_end_to_end[update_status]")
    assert allowed("contract_tests/test_client_models.py::test_round_trip[Error]")
    # Anything it does not know is left out.
    assert not allowed("contract_tests/test_server.py::test_operation_conforms")
    assert not allowed("contract_tests/test_new_module.py::test_something")


def test_scheduled_run_is_read_only_by_default() -> None:
    import yaml

    workflow = yaml.safe_load((paths.ROOT / ".github/workflows/scheduled.yml").read_text())
    steps = workflow["jobs"]["contract-hubspot"]["steps"]
    step = next(s for s in steps if "scripts/contract" in str(s.get("run", "")))
    assert step["run"].endswith('"$WRITES_FLAG"')
    # A scheduled run has no inputs: the expression falls through to --read-only.
    assert step["env"]["WRITES_FLAG"] == (
        "${{ inputs.allow_writes && '--allow-writes' || '--read-only' }}"
    )
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["workflow_dispatch"]["inputs"]["allow_writes"]["default"] is False


def test_plain_pytest_against_a_url_needs_the_choice_too(
    counting_server: CountingServer,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMPREFS_")}
    env["COMMPREFS_BASE_URL"] = f"http://127.0.0.1:{counting_server.port}"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "contract_tests", "-p", "no:cacheprovider", "-q"],
        cwd=paths.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, result.stdout + result.stderr
    assert "COMMPREFS_ALLOW_WRITES=1" in result.stderr
    assert counting_server.connections == 0
