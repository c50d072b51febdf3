"""Run wrk with a generated Lua script and parse its figures.

wrk is the load generator because its C event loop costs far less CPU per request
than any Python client, which matters on a 2-core machine where client and server
share the cores.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

_MARKER = "BENCH_JSON "

# `done` runs once after all threads; it prints one JSON line that we parse, so no
# scraping of wrk's human-readable summary is needed.
_DONE_LUA = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,' ..
    '"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
"""


@dataclass(frozen=True)
class Request:
    """One HTTP request that wrk repeats."""

    method: str
    path: str
    headers: dict[str, str]
    body: str | None = None


@dataclass(frozen=True)
class WrkResult:
    requests: int
    duration_s: float
    status_errors: int  # responses with status >= 400, as wrk counts them
    socket_errors: int
    p50_ms: float
    p99_ms: float
    max_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0


def lua_string(value: str) -> str:
    """Quote a value as a Lua string literal (JSON escapes are valid Lua for ASCII text)."""
    return json.dumps(value, ensure_ascii=True)


def lua_script(request: Request) -> str:
    lines = [
        f"wrk.method = {lua_string(request.method)}",
        f"wrk.path = {lua_string(request.path)}",
    ]
    lines += [f"wrk.headers[{lua_string(k)}] = {lua_string(v)}" for k, v in request.headers.items()]
    if request.body is not None:
        lines.append(f"wrk.body = {lua_string(request.body)}")
    return "\n".join(lines) + "\n" + _DONE_LUA


def wrk_path() -> str | None:
    return shutil.which("wrk")


def ensure_wrk(install: bool) -> str:
    """Return wrk's path; install the Debian package when asked and allowed."""
    found = wrk_path()
    if found:
        return found
    hint = "install it with `sudo apt-get install wrk` (Debian/Ubuntu) or `brew install wrk`"
    if not install:
        sys.exit(f"wrk not found: {hint}, or rerun this script as root with --install")
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        sys.exit(f"--install needs root and apt-get; {hint}")
    print("installing wrk with apt-get ...", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    found = wrk_path()
    if not found:
        sys.exit("apt-get finished but wrk is still not on PATH")
    return found


def run_wrk(
    wrk: str,
    base_url: str,
    request: Request,
    *,
    workdir: Path,
    duration_s: float,
    connections: int,
    threads: int,
) -> WrkResult:
    script = workdir / "request.lua"
    script.write_text(lua_script(request))
    cmd = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration_s))}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        base_url,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    for line in proc.stdout.splitlines():
        if line.startswith(_MARKER):
            raw = json.loads(line[len(_MARKER) :])
            return WrkResult(
                requests=raw["requests"],
                duration_s=raw["duration_us"] / 1e6,
                status_errors=raw["status"],
                socket_errors=raw["connect"] + raw["read"] + raw["write"] + raw["timeout"],
                p50_ms=raw["p50_us"] / 1000,
                p99_ms=raw["p99_us"] / 1000,
                max_ms=raw["max_us"] / 1000,
            )
    raise RuntimeError(
        f"wrk gave no result (exit {proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}"
    )
