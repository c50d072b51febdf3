"""Wall time of the default contract suite (same seed, same example counts) against three
targets in one run: the mock in-process, the mock over HTTP, and Prism serving the pinned spec.

    .venv/bin/python benchmarks/contract_suite.py [--examples N] [--no-prism]

Each run is `python -m commprefs_kit.contract` in a fresh process (what `scripts/contract` does),
so imports and spec loading are included. Prism is looked up as $PRISM_BIN, then in
~/.cache/commprefs-kit/prism (installed there with npm when missing; skipped with a message when
npm is not available). The suite fails on Prism by design (it keeps no state, checks no token),
and a failing operation stops early, so Prism's figure is a lower bound, not a like-for-like
time. Goal: the in-process run under 2 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mock_server.process import (
    free_port,
    serve_in_subprocess,
    stop_process_group,
    wait_until_answering,
)

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "communication-preferences-2026-03.yaml"
PRISM_VERSION = "5.14.2"
PRISM_CACHE = Path.home() / ".cache" / "commprefs-kit" / "prism"


@dataclass
class Run:
    target: str
    seconds: float
    ok: bool
    tests: dict[str, int]


@contextmanager
def serving_prism(binary: Path) -> Iterator[str]:
    """Prism mocking the pinned spec on a free port (stopped like the mock)."""
    port = free_port()
    command = [str(binary), "mock", "-h", "127.0.0.1", "-p", str(port), str(SPEC)]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        wait_until_answering(process, "127.0.0.1", port, timeout=60.0, path="/")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process_group(process)


def run_suite(label: str, examples: int | None, base_url: str | None, out: Path) -> Run:
    result_file = out / f"{label.replace(' ', '-')}.json"
    command = [sys.executable, "-m", "commprefs_kit.contract", "--json", str(result_file)]
    command += ["--report", str(out / "report.md"), "--junit", str(out / "junit.xml")]
    if examples is not None:
        command += ["--examples", str(examples)]
    if base_url is not None:
        command += ["--base-url", base_url, "--allow-writes"]  # a mock or a peer, never HubSpot
    env = {k: v for k, v in os.environ.items() if k not in ("COMMPREFS_BASE_URL",)}
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=False)
    seconds = time.perf_counter() - started
    data = json.loads(result_file.read_text(encoding="utf-8")) if result_file.exists() else {}
    return Run(label, seconds, bool(data.get("ok")), data.get("tests", {}))


def prism_binary() -> Path | None:
    configured = os.environ.get("PRISM_BIN")
    if configured:
        return Path(configured)
    binary = PRISM_CACHE / "node_modules" / ".bin" / "prism"
    if binary.exists():
        return binary
    npm = shutil.which("npm")
    if npm is None:
        print("Prism: skipped (npm is not installed; set PRISM_BIN to a prism binary)")
        return None
    print(f"Prism: installing @stoplight/prism-cli@{PRISM_VERSION} into {PRISM_CACHE} ...")
    PRISM_CACHE.mkdir(parents=True, exist_ok=True)
    installed = subprocess.run(
        [npm, "install", "--prefix", str(PRISM_CACHE), f"@stoplight/prism-cli@{PRISM_VERSION}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if installed.returncode != 0 or not binary.exists():
        print(f"Prism: skipped (npm install failed: {installed.stderr.strip()[-300:]})")
        return None
    return binary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, help="examples per operation (default: toml)")
    parser.add_argument("--no-prism", action="store_true", help="skip the Prism run")
    args = parser.parse_args()
    runs: list[Run] = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        runs.append(run_suite("mock in-process", args.examples, None, out))
        with serve_in_subprocess(startup_timeout=60.0) as mock:
            runs.append(run_suite("mock over HTTP", args.examples, mock.url, out))
        binary = None if args.no_prism else prism_binary()
        if binary is not None:
            with serving_prism(binary) as url:
                runs.append(run_suite("Prism (stateless)", args.examples, url, out))
    base = runs[0].seconds
    print(f"\ncontract suite, {os.cpu_count()} CPUs, examples: {args.examples or 'default'}")
    print(f"{'target':<20} {'wall s':>8} {'x in-process':>13}  verdict   tests p/f")
    for run in runs:
        verdict = "passed" if run.ok else "FAILED"
        tests = f"{run.tests.get('passed', 0)}/{run.tests.get('failed', 0)}"
        ratio = run.seconds / base
        print(f"{run.target:<20} {run.seconds:>8.1f} {ratio:>13.2f}  {verdict:<8}  {tests}")
    goal = "met" if base < 120 else "MISSED"
    print(f"goal (in-process under 120 s): {goal}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
