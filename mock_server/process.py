"""Serve the mock from a subprocess (for tests and benchmarks): ``serve_in_subprocess``.

The server is ``python -m mock_server``, started as a user would, in its own process group
(granian forks a worker; the whole group must go) and always stopped on exit: SIGTERM to the
group, SIGKILL after a grace period. Its output goes to a file, never a pipe: a full pipe
would block the server.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

# The folder holding this package: `-m mock_server` then runs this very copy of it.
PACKAGE_PARENT = Path(__file__).resolve().parent.parent
# A test hook: it needs no token and is never rate limited or faulted.
READY_PATH = "/_mock/state"


class MockStartupError(RuntimeError):
    """The mock exited or did not answer in time; the message ends with its last output."""


@dataclass(frozen=True)
class RunningMock:
    """A mock served by a subprocess: its base URL (no API prefix), port and process."""

    url: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    def output(self) -> str:
        """Everything the server printed so far (stdout and stderr together)."""
        return self.log_path.read_text(errors="replace")

    def tail(self, lines: int = 20) -> str:
        """The server's last ``lines`` lines of output."""
        return last_lines(self.log_path, lines)


def last_lines(path: Path, count: int = 20) -> str:
    """The last ``count`` lines of a log file."""
    return "\n".join(path.read_text(errors="replace").splitlines()[-count:])


def free_port(host: str = "127.0.0.1") -> int:
    """A port free on ``host`` right now (the OS picks it; another process may take it later)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def answers_http(host: str, port: int, path: str = READY_PATH) -> bool:
    """True when an HTTP server on host:port answers a GET of ``path`` (any status)."""
    connection = http.client.HTTPConnection(host, port, timeout=1.0)
    try:
        connection.request("GET", path)
        connection.getresponse().read()
        return True
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def wait_until_answering(
    process: subprocess.Popen[bytes],
    host: str,
    port: int,
    timeout: float,
    log_path: Path | None = None,
    path: str = READY_PATH,
) -> None:
    """Wait until the server answers HTTP; raise MockStartupError if it exits or times out."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            problem = f"exited with code {process.returncode} before answering"
        elif answers_http(host, port, path):
            return
        elif time.monotonic() > deadline:
            problem = f"did not answer within {timeout:g} s"
        else:
            time.sleep(0.1)
            continue
        # The command line is left out on purpose: it may hold a token.
        message = f"server on {host}:{port} {problem}"
        if log_path is not None:
            message += ";\nlast output:\n" + (last_lines(log_path) or "(none)")
        raise MockStartupError(message)


def stop_process_group(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """SIGTERM the process's group, SIGKILL it after ``timeout`` s; leave nothing behind.

    ``process`` must lead its own group (``start_new_session=True``). Safe to call when it
    has exited already: a group id is not reused while any member is alive.
    """
    _signal_group(process, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _signal_group(process, signal.SIGKILL)
        process.wait()
    # A worker that outlived its leader would hold the port.
    _signal_group(process, signal.SIGKILL)


def _signal_group(process: subprocess.Popen[bytes], signum: signal.Signals) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


@contextmanager
def serve_in_subprocess(
    *cli_args: str,
    host: str = "127.0.0.1",
    port: int | None = None,
    startup_timeout: float = 30.0,
    stop_timeout: float = 10.0,
    log_path: Path | None = None,
    python: str = sys.executable,
) -> Iterator[RunningMock]:
    """Run ``python -m mock_server --host HOST --port PORT *cli_args`` until the block ends.

    ``port=None`` picks a free one. Yields once the server answers HTTP; raises
    MockStartupError (with the server's last output lines) if it exits first or
    ``startup_timeout`` passes. Output goes to ``log_path`` (kept) or to a temporary file
    (deleted on exit). The server is always stopped, even if the block raises.
    """
    if any(arg.split("=", 1)[0] in ("--host", "--port") for arg in cli_args):
        raise ValueError("pass the host and port as keyword arguments, not in cli_args")
    if port is None:
        port = free_port(host)
    temporary = log_path is None
    if log_path is None:
        fd, name = tempfile.mkstemp(prefix="mock-server-", suffix=".log")
        os.close(fd)
        log_path = Path(name)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [python, "-m", "mock_server", "--host", host, "--port", str(port), *cli_args],
            cwd=PACKAGE_PARENT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group, so that stopping reaches granian's worker
            env={**os.environ, "PYTHONUNBUFFERED": "1"},  # so the last lines are on disk
        )
    url_host = f"[{host}]" if ":" in host else host
    try:
        running = RunningMock(f"http://{url_host}:{port}", port, process, log_path)
        wait_until_answering(process, host, port, startup_timeout, running.log_path)
        yield running
    finally:
        stop_process_group(process, stop_timeout)
        if temporary:
            log_path.unlink(missing_ok=True)
