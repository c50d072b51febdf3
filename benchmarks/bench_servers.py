"""Start, check and stop the servers under test: our mock, Prism and Steady.

Every server runs in its own session (process group), so stopping it also stops any
child it spawned (Steady's npm wrapper execs a native binary). The npm tools live in a
cache folder outside the repository, at pinned versions.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

PRISM_PACKAGE = "@stoplight/prism-cli"
PRISM_VERSION = "5.16.0"
STEADY_PACKAGE = "@stdy/cli"
STEADY_VERSION = "0.22.2"


def cache_dir() -> Path:
    explicit = os.environ.get("COMMPREFS_BENCH_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "commprefs-bench"


def _installed_version(root: Path, package: str) -> str | None:
    manifest = root / "node_modules" / package / "package.json"
    try:
        version = json.loads(manifest.read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None
    return str(version)


def ensure_npm_tools(root: Path) -> Path:
    """Install Prism and Steady at their pinned versions; return node_modules/.bin."""
    wanted = {PRISM_PACKAGE: PRISM_VERSION, STEADY_PACKAGE: STEADY_VERSION}
    bin_dir = root / "node_modules" / ".bin"
    if all(_installed_version(root, p) == v for p, v in wanted.items()):
        return bin_dir
    root.mkdir(parents=True, exist_ok=True)
    manifest = {"name": "commprefs-bench-tools", "private": True, "dependencies": wanted}
    (root / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"installing {', '.join(f'{p}@{v}' for p, v in wanted.items())} into {root} ...")
    try:
        subprocess.run(
            # --ignore-scripts: neither tool needs one (Steady ships its binary as a
            # package); it skips a telemetry postinstall.
            ["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=root,
            check=True,
        )
    except FileNotFoundError:
        sys.exit("npm not found: install Node.js 18+ (it ships npm) to benchmark Prism and Steady")
    return bin_dir


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class ServerSpec:
    name: str
    argv: list[str]  # "{port}" is replaced by the chosen port
    cwd: Path | None = None


class ServerError(RuntimeError):
    pass


class RunningServer:
    def __init__(self, spec: ServerSpec, port: int, log_path: Path) -> None:
        self.spec = spec
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        argv = [a.replace("{port}", str(port)) for a in spec.argv]
        self._log = log_path.open("wb")
        # New session: Ctrl-C in the terminal does not reach it, we stop it ourselves.
        self.proc = subprocess.Popen(
            argv,
            cwd=spec.cwd,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def pids(self) -> list[int]:
        """The server's process group members (for CPU accounting)."""
        return _group_members(self.proc.pid)

    def wait_ready(self, probe_path: str, headers: dict[str, str], timeout_s: float) -> None:
        """Wait until the server answers HTTP on probe_path (any status)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerError(
                    f"{self.spec.name} exited with code {self.proc.returncode}:\n{self.log_tail()}"
                )
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(self.base_url + probe_path, headers=headers, timeout=2.0)
                return
            time.sleep(0.25)
        raise ServerError(f"{self.spec.name} not ready after {timeout_s:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            _signal_group(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                _signal_group(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        # A child may outlive its parent in the group (e.g. a native binary).
        _signal_group(self.proc.pid, signal.SIGKILL)
        self._log.close()


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _group_members(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # field 5 of /proc/PID/stat: process group
            members.append(int(entry.name))
    return members


@contextlib.contextmanager
def running(spec: ServerSpec, log_dir: Path) -> Iterator[RunningServer]:
    """Start a server on a free loopback port and always stop it on exit."""
    log_name = spec.name.lower().replace(" ", "-").replace("(", "").replace(")", "")
    server = RunningServer(spec, free_port(), log_dir / f"{log_name}.log")
    try:
        yield server
    finally:
        server.stop()
