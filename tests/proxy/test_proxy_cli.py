"""scripts/proxy as a user meets it: bad input is one line on stderr and an exit status, never
a traceback; --version and --help answer."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
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


def _catches(pid: int, sig: signal.Signals) -> bool:
    """Linux: whether the process has a handler for ``sig`` (SigCgt in /proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (sig - 1) & 1)
    return False


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_while_loading_still_writes_the_report(tmp_path: Path, sig: signal.Signals) -> None:
    log_path = tmp_path / "proxy.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "commprefs_kit.proxy", "--port", "0",
             "--report-dir", str(tmp_path / "reports")],
            cwd=paths.ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        # Python catches SIGINT from its start; SIGTERM only once the proxy's own handlers are in.
        while not _catches(process.pid, signal.SIGTERM):
            assert process.poll() is None and time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.005)
        assert "proxy on" not in log_path.read_text()  # still loading the checks
        process.send_signal(sig)
        code = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    output = log_path.read_text()
    assert code == 0, output
    assert "Traceback" not in output
    assert "no findings" in output
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == [
        "proxy-report-junit.xml",
        "proxy-report.json",
        "proxy-report.md",
    ]
