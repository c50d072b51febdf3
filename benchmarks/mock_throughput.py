"""Throughput and latency of our mock against Prism and Steady, in one run.

Usage (from the repository root):
    .venv/bin/python benchmarks/mock_throughput.py [--duration 10] [--warmup 3] [--rounds 1]

Each server serves the pinned spec on a free loopback port, is checked ready, gets one
sanity request per scenario (status 200 expected), then wrk (16 connections, 2 threads)
drives it. Results: a Markdown table and the ratios ours/Prism-static and ours/Steady.
See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from types import FrameType

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_cpu
import bench_servers
import bench_wrk

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "communication-preferences-2026-03.yaml"
BASE = "/communication-preferences/2026-03"
TOKEN = "test-token"  # the mock's documented default test token; peers ignore it
HEADERS = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
BATCH_SIZE = 100

SCENARIOS: dict[str, bench_wrk.Request] = {
    "batch unsubscribe-all x100": bench_wrk.Request(
        "POST",
        f"{BASE}/statuses/batch/unsubscribe-all?channel=EMAIL",
        {**HEADERS, "Content-Type": "application/json"},
        json.dumps({"inputs": [f"bench-{i:03d}@example.com" for i in range(BATCH_SIZE)]}),
    ),
    "GET definitions": bench_wrk.Request("GET", f"{BASE}/definitions", HEADERS),
}
BATCH, DEFINITIONS = SCENARIOS

# Above this many cores used by other processes during a run, we flag the figures.
DISTURBED_CORES = 0.25

SERVER_KEYS = ("ours", "prism-static", "prism-dynamic", "steady")


def server_specs(keys: Sequence[str], npm_bin: Path | None) -> list[bench_servers.ServerSpec]:
    specs = []
    for key in keys:
        if key == "ours":
            # Started as a user would, with the mock's default configuration but no access log
            # (as Prism's logging is off here too).
            argv = [sys.executable, "-m", "mock_server", "--host", "127.0.0.1", "--port", "{port}"]
            argv.append("--no-access-log")
            specs.append(bench_servers.ServerSpec("ours", argv, cwd=ROOT))
            continue
        assert npm_bin is not None
        if key.startswith("prism"):
            # Per-request logging off (-v error), as for every server here.
            argv = [str(npm_bin / "prism"), "mock", "-h", "127.0.0.1", "-p", "{port}"]
            argv += ["-v", "error", str(SPEC)]
            if key == "prism-dynamic":
                argv.append("-d")
            version = bench_servers.PRISM_VERSION
            specs.append(bench_servers.ServerSpec(f"{key} {version}", argv))
        elif key == "steady":
            argv = [str(npm_bin / "steady"), "--host", "127.0.0.1", "-p", "{port}", "-q"]
            argv.append(str(SPEC))
            version = bench_servers.STEADY_VERSION
            specs.append(bench_servers.ServerSpec(f"steady {version}", argv))
    return specs


def sanity_check(base_url: str) -> str:
    """Send each scenario once; return a one-line summary or raise on a non-200."""
    notes = []
    for name, req in SCENARIOS.items():
        response = httpx.request(
            req.method, base_url + req.path, headers=req.headers, content=req.body, timeout=30
        )
        if response.status_code != 200:
            raise bench_servers.ServerError(
                f"{name}: expected 200, got {response.status_code}: {response.text[:300]}"
            )
        try:
            results = response.json().get("results")
        except ValueError as exc:
            raise bench_servers.ServerError(f"{name}: 200 but not JSON") from exc
        count = len(results) if isinstance(results, list) else "no"
        notes.append(f"{name}: 200, {count} results")
    return "; ".join(notes)


@dataclass
class Row:
    server: str
    scenario: str
    rps: float
    p50_ms: float
    p99_ms: float
    status_errors: int
    socket_errors: int
    server_cores: float
    wrk_cores: float
    foreign_cores: float | None
    round: int  # round number; in median rows, the number of rounds the median covers


def measure(
    server: bench_servers.RunningServer,
    scenario: str,
    args: argparse.Namespace,
    wrk: str,
    workdir: Path,
    round_no: int,
) -> Row:
    request = SCENARIOS[scenario]
    options = {"workdir": workdir, "connections": args.connections, "threads": args.threads}
    if args.warmup > 0:
        bench_wrk.run_wrk(wrk, server.base_url, request, duration_s=args.warmup, **options)
    pids = server.pids()
    before = bench_cpu.sample(pids)
    start = time.monotonic()
    result = bench_wrk.run_wrk(wrk, server.base_url, request, duration_s=args.duration, **options)
    cpu = bench_cpu.between(before, bench_cpu.sample(pids), time.monotonic() - start)
    return Row(
        server.spec.name,
        scenario,
        result.rps,
        result.p50_ms,
        result.p99_ms,
        result.status_errors,
        result.socket_errors,
        cpu.server,
        cpu.wrk,
        cpu.foreign,
        round_no,
    )


def is_disturbed(row: Row) -> bool:
    return (row.foreign_cores or 0.0) > DISTURBED_CORES


def median_rows(rows: list[Row]) -> list[Row]:
    """One row per (server, scenario): the median of every figure over the rounds.

    Rounds during which other processes took CPU are left out when at least one quiet
    round exists; `round` in the result is the number of rounds the median covers.
    """
    groups: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        groups.setdefault((row.server, row.scenario), []).append(row)
    merged = []
    for (server, scenario), all_rounds in groups.items():
        group = [r for r in all_rounds if not is_disturbed(r)] or all_rounds
        foreign = [r.foreign_cores for r in group if r.foreign_cores is not None]
        merged.append(
            Row(
                server,
                scenario,
                statistics.median(r.rps for r in group),
                statistics.median(r.p50_ms for r in group),
                statistics.median(r.p99_ms for r in group),
                sum(r.status_errors for r in group),
                sum(r.socket_errors for r in group),
                statistics.median(r.server_cores for r in group),
                statistics.median(r.wrk_cores for r in group),
                statistics.median(foreign) if foreign else None,
                len(group),
            )
        )
    return merged


def print_table(rows: list[Row]) -> None:
    print(
        "| server | request | req/s | p50 ms | p99 ms | errors (>=400 / socket) "
        "| CPU cores: server / wrk / others | req/s per server core | rounds |"
    )
    print("|---|---|--:|--:|--:|--:|--:|--:|--:|")
    for r in sorted(rows, key=lambda r: (r.scenario, r.server)):
        foreign = "?" if r.foreign_cores is None else f"{r.foreign_cores:.2f}"
        print(
            f"| {r.server} | {r.scenario} | {r.rps:,.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} "
            f"| {r.status_errors} / {r.socket_errors} "
            f"| {r.server_cores:.2f} / {r.wrk_cores:.2f} / {foreign} "
            f"| {r.rps / r.server_cores if r.server_cores else 0:,.0f} | {r.round} |"
        )


def print_ratios(rows: list[Row]) -> None:
    by_key = {(r.server.split(" ")[0], r.scenario): r.rps for r in rows}
    goals = {  # (peer, scenario) -> minimum ratio ours/peer, from issue 3
        ("prism-static", BATCH): 3.0,
        ("prism-static", DEFINITIONS): 3.0,
        ("steady", DEFINITIONS): 1.0,
    }
    print("\n| ratio (req/s) | " + " | ".join(SCENARIOS) + " |")
    print("|---|" + "--:|" * len(SCENARIOS))
    for peer in ("prism-static", "prism-dynamic", "steady"):
        cells = []
        for scenario in SCENARIOS:
            ours, theirs = by_key.get(("ours", scenario)), by_key.get((peer, scenario))
            if not ours or not theirs:
                cells.append("n/a")
                continue
            ratio = ours / theirs
            goal = goals.get((peer, scenario))
            verdict = ""
            if goal is not None:
                verdict = f" (goal >= {goal:g}x: {'met' if ratio >= goal else 'MISSED'})"
            cells.append(f"{ratio:.2f}x{verdict}")
        print(f"| ours / {peer} | " + " | ".join(cells) + " |")


def tool_versions(wrk: str) -> str:
    def first_line(cmd: list[str]) -> str:
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return "?"
        lines = (out.stdout or out.stderr).strip().splitlines()
        return lines[0] if lines else "?"

    commit = first_line(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    node = first_line(["node", "--version"])
    wrk_version = first_line([wrk, "--version"]).split(" [")[0]
    return f"repo {commit}, Python {platform.python_version()}, node {node}, {wrk_version}"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of unmeasured load")
    parser.add_argument("--rounds", type=int, default=1, help="repeat and report medians")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--servers",
        default=",".join(SERVER_KEYS),
        help=f"comma-separated subset of {','.join(SERVER_KEYS)}",
    )
    parser.add_argument("--install", action="store_true", help="apt-get install wrk if missing")
    parser.add_argument("--json", type=Path, help="also write every measurement to this file")
    parser.add_argument("--ready-timeout", type=float, default=90.0)
    args = parser.parse_args(argv)
    args.server_keys = [k.strip() for k in args.servers.split(",") if k.strip()]
    unknown = set(args.server_keys) - set(SERVER_KEYS)
    if unknown:
        parser.error(f"unknown server(s) {sorted(unknown)}; choose from {SERVER_KEYS}")
    if args.duration < 1 or args.rounds < 1:
        parser.error("--duration must be >= 1 and --rounds >= 1")
    return args


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # SIGTERM takes the same clean-up path as Ctrl-C


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    wrk = bench_wrk.ensure_wrk(args.install)
    needs_npm = any(k != "ours" for k in args.server_keys)
    npm_bin = bench_servers.ensure_npm_tools(bench_servers.cache_dir()) if needs_npm else None
    specs = server_specs(args.server_keys, npm_bin)

    print(f"# {tool_versions(wrk)}; {os.cpu_count()} CPUs")
    print(f"# wrk -t{args.threads} -c{args.connections}, {args.duration:g} s measured after")
    print(f"# {args.warmup:g} s warm-up, {args.rounds} round(s); load average before:", end=" ")
    print(" ".join(f"{v:.2f}" for v in os.getloadavg()))

    rows: list[Row] = []
    failures: list[str] = []
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="commprefs-bench-") as tmp:
        workdir = Path(tmp)
        servers = []
        try:
            for spec in specs:
                server = stack.enter_context(bench_servers.running(spec, workdir))
                try:
                    server.wait_ready(f"{BASE}/definitions", HEADERS, args.ready_timeout)
                    print(f"# {spec.name} on {server.base_url}: {sanity_check(server.base_url)}")
                except (bench_servers.ServerError, httpx.HTTPError) as exc:
                    failures.append(f"{spec.name}: {exc}")
                    print(f"# SKIPPED {spec.name}: {exc}", file=sys.stderr)
                    continue
                servers.append(server)
            # Rounds interleave the servers so a burst of load from elsewhere on the
            # machine does not fall on one server only.
            for round_no in range(1, args.rounds + 1):
                for server in servers:
                    for scenario in SCENARIOS:
                        row = measure(server, scenario, args, wrk, workdir, round_no)
                        rows.append(row)
                        print(
                            f"# round {round_no}: {row.server:<22} {scenario:<28}"
                            f"{row.rps:>9,.0f} req/s",
                            flush=True,
                        )
        except KeyboardInterrupt:
            print("\ninterrupted: stopping servers", file=sys.stderr)
            return 130
        finally:
            stack.close()  # stop every server while the log folder still exists

    print("# load average after: " + " ".join(f"{v:.2f}" for v in os.getloadavg()) + "\n")
    merged = median_rows(rows)
    print_table(merged)
    print_ratios(merged)
    dropped = [r for r in rows if is_disturbed(r)]
    if dropped:
        print(f"\nOther processes used > {DISTURBED_CORES} cores during these measurements:")
        for r in dropped:
            print(f"  round {r.round}: {r.server} / {r.scenario}: {r.foreign_cores:.2f} cores")
        print("They are left out of the medians where a quiet round exists; rows whose medians")
        print("still include them (see the 'others' column) are low: rerun on a quieter machine.")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=2) + "\n")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
