"""The mock's command line fed the wrong things: every case is one line on stderr naming the
problem, its exit status, no traceback, nothing served and no file left behind.

Each case runs ``python -m mock_server`` (what ``scripts/mock`` executes) in a subprocess
from an empty working directory.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from commprefs_kit.paths import ROOT
from mock_server import cli
from mock_server.fixtures import DEFAULT_FIXTURES
from mock_server.process import stop_process_group, wait_until_answering

USAGE = cli.EXIT_USAGE
CANNOT_LISTEN = cli.EXIT_CANNOT_LISTEN


def run_mock(*args: str, cwd: Path, columns: int = 80) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": str(columns)}
    return subprocess.run(
        [sys.executable, "-m", "mock_server", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def files_under(folder: Path) -> set[Path]:
    return {p.relative_to(folder) for p in folder.rglob("*")}


# (arguments, words the single stderr line must contain). "{tmp}" is the test's folder,
# which holds: data/ (a folder), binary.bin, empty.json, list.yaml, notjson.json.
BAD_OPTIONS: list[tuple[list[str], list[str]]] = [
    # --rate-limit is N/SECONDS, strictly
    (["--rate-limit", "5"], ["--rate-limit", "'5'", "N/SECONDS"]),
    (["--rate-limit", "0/10"], ["--rate-limit", "'0/10'", "N/SECONDS"]),
    (["--rate-limit", "5/0"], ["--rate-limit", "'5/0'", "N/SECONDS"]),
    (["--rate-limit", "abc"], ["--rate-limit", "'abc'", "N/SECONDS"]),
    (["--rate-limit", "5/10/3"], ["--rate-limit", "'5/10/3'", "N/SECONDS"]),
    (["--rate-limit=-5/10"], ["--rate-limit", "N/SECONDS"]),
    (["--rate-limit", "-5/10"], ["--rate-limit", "expected one argument"]),
    (["--rate-limit", "5/-1"], ["--rate-limit", "N/SECONDS"]),
    (["--rate-limit", "1e3/10"], ["--rate-limit", "N/SECONDS"]),
    (["--rate-limit", ""], ["--rate-limit", "N/SECONDS"]),
    (["--rate-limit"], ["--rate-limit", "expected one argument"]),
    # ports and numbers
    (["--port", "http"], ["--port", "'http'", "between 1 and 65535"]),
    (["--port", "70000"], ["--port", "between 1 and 65535"]),
    (["--port", "0"], ["--port", "between 1 and 65535"]),
    (["--fault-rate", "2"], ["--fault-rate", "between 0 and 1"]),
    (["--lost-response-rate", "x"], ["--lost-response-rate", "between 0 and 1"]),
    (["--faults", "500,teapot"], ["--faults", "teapot"]),
    (["--faults", ""], ["--faults", "unknown fault kind"]),
    (["--max-batch-inputs", "0"], ["--max-batch-inputs", "positive"]),
    (["--max-body-bytes", "lots"], ["--max-body-bytes", "positive"]),
    (["--latency-ms", "-1"], ["--latency-ms", ">= 0"]),
    (["--seed", "x"], ["--seed", "invalid int"]),
    (["--server", "nginx"], ["--server", "nginx"]),
    # tokens: a whitespace or blank token cannot travel in an Authorization header
    (["--token", " "], ["--token", "blank"]),
    (["--token", ""], ["--token", "blank"]),
    (["--token", "my token"], ["--token", "without spaces"]),
    (["--token", "tok\tx"], ["--token", "without spaces"]),
    (["--token", "t=communication_preferences.everything"], ["--token", "unknown scope"]),
    # unknown things
    (["--no-such-option"], ["unrecognized arguments", "--no-such-option"]),
    (["serve"], ["unrecognized arguments", "serve"]),
    # the access log
    (["--access-log", "{tmp}/data"], ["--access-log", "is a directory"]),
    (["--access-log", "{tmp}/missing/mock.log"], ["--access-log", "does not exist"]),
    (["--access-log", "x.log", "--no-access-log"], ["not allowed with"]),
    # fixtures files
    (["--fixtures", "{tmp}/missing.json"], ["--fixtures", "missing.json"]),
    (["--fixtures", "{tmp}/data"], ["--fixtures", "{tmp}/data"]),
    (["--fixtures", "{tmp}/binary.bin"], ["--fixtures", "binary.bin"]),
    (["--fixtures", "{tmp}/empty.json"], ["--fixtures", "empty.json", "not valid JSON"]),
    (["--fixtures", "{tmp}/list.yaml"], ["--fixtures", "list.yaml", "invalid fixtures"]),
    (["--fixtures", "{tmp}/notjson.json"], ["--fixtures", "notjson.json", "not valid JSON"]),
]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "binary.bin").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "empty.json").write_bytes(b"")
    (tmp_path / "list.yaml").write_text("- just\n- a list\n")
    (tmp_path / "notjson.json").write_text("{businessUnits: [")
    return tmp_path


def assert_one_clean_line(result: subprocess.CompletedProcess[str], words: list[str]) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("scripts/mock: error: "), line
    for word in words:
        assert word in line, (word, line)
    assert "Traceback" not in result.stderr + result.stdout
    assert "serving" not in result.stdout  # nothing was served
    return line


@pytest.mark.parametrize(
    ("args", "words"), BAD_OPTIONS, ids=[" ".join(a) or "(none)" for a, _ in BAD_OPTIONS]
)
def test_bad_input_is_one_line_and_a_usage_status(
    args: list[str], words: list[str], workdir: Path
) -> None:
    before = files_under(workdir)
    args = [a.replace("{tmp}", str(workdir)) for a in args]
    result = run_mock(*args, "--port", str(free_port()), cwd=workdir, columns=30)
    assert result.returncode == USAGE, result.stderr
    assert_one_clean_line(result, [w.replace("{tmp}", str(workdir)) for w in words])
    assert files_under(workdir) == before  # no log, lock or other file created


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_busy_port_has_its_own_status(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        result = run_mock("--port", str(port), cwd=tmp_path)
    assert result.returncode == CANNOT_LISTEN != USAGE
    assert_one_clean_line(result, [f"port {port}", "already in use", "--port"])
    assert files_under(tmp_path) == set()


@pytest.mark.parametrize(
    ("host", "words"),
    [("no-such-host.invalid", ["--host", "no-such-host.invalid"]), ("192.0.2.1", ["--host"])],
)
def test_an_address_not_on_this_machine_cannot_be_listened_on(
    host: str, words: list[str], tmp_path: Path
) -> None:
    result = run_mock("--host", host, "--port", str(free_port()), cwd=tmp_path)
    assert result.returncode == CANNOT_LISTEN
    assert_one_clean_line(result, [*words, "not an address of this machine"])


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help(flag: str, tmp_path: Path) -> None:
    result = run_mock(flag, cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("usage: scripts/mock ")
    for option in ("--rate-limit N/SECONDS", "--access-log", "--no-access-log", "--version"):
        assert option in result.stdout
    assert result.stderr == ""


def test_version(tmp_path: Path) -> None:
    result = run_mock("--version", cwd=tmp_path, columns=30)
    assert result.returncode == 0
    assert result.stdout.startswith("scripts/mock 0.")
    assert len(result.stdout.splitlines()) == 1  # not wrapped, even on a narrow terminal
    assert "2026-03" in result.stdout
    assert result.stderr == ""


def test_the_console_script_names_itself(tmp_path: Path) -> None:
    assert cli.program_name("/somewhere/bin/commprefs-mock") == "commprefs-mock"
    assert cli.program_name("/repo/mock_server/__main__.py") == "scripts/mock"
    script = Path(sys.executable).with_name("commprefs-mock")
    if not script.exists():
        pytest.skip("the console script is not installed in this environment")
    result = subprocess.run(
        [str(script), "--rate-limit", "5"], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == USAGE
    assert result.stderr.startswith("commprefs-mock: error: argument --rate-limit")
    assert "(see commprefs-mock --help)" in result.stderr


@pytest.mark.parametrize(
    ("text", "requests", "seconds"),
    [("100/10", 100, 10.0), ("5/0.5", 5, 0.5), ("1/1", 1, 1.0), (" 30/1 ", 30, 1.0)],
)
def test_good_rate_limits_are_read_as_written(text: str, requests: int, seconds: float) -> None:
    config = cli.build_config(cli._parser().parse_args(["--rate-limit", text]))
    assert config.rate_limit is not None
    assert (config.rate_limit.max_requests, config.rate_limit.interval_seconds) == (
        requests,
        seconds,
    )


def test_the_access_log_is_on_by_default_on_stderr() -> None:
    assert cli.build_config(cli._parser().parse_args([])).access_log == "-"
    assert cli.build_config(cli._parser().parse_args(["--no-access-log"])).access_log is None
    parsed = cli._parser().parse_args(["--access-log", "mock.log"])
    assert cli.build_config(parsed).access_log == "mock.log"


def test_serves_from_a_python_package_folder_with_relative_paths(tmp_path: Path) -> None:
    """granian resolves its target against the working directory; a folder that is itself a
    Python package (an __init__.py, a serve.py) must not break the server, and relative
    --fixtures and --access-log paths stay relative to where the user ran it."""
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "serve.py").write_text("raise SystemExit('the wrong serve.py was imported')\n")
    shutil.copy(DEFAULT_FIXTURES, tmp_path / "defs.json")
    port = free_port()
    args = ["--port", str(port), "--fixtures", "defs.json", "--access-log", "requests.log"]
    with (tmp_path / "out.txt").open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "mock_server", *args],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_answering(process, "127.0.0.1", port, 30, tmp_path / "out.txt")
        r = httpx.get(
            f"http://127.0.0.1:{port}/communication-preferences/2026-03/definitions",
            headers={"Authorization": "Bearer test-token"},
            timeout=10,
        )
        assert r.status_code == 200
    finally:
        stop_process_group(process)
    assert " 200 get_definitions " in (tmp_path / "requests.log").read_text()
    assert "Traceback" not in (tmp_path / "out.txt").read_text()
