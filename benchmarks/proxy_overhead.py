"""What the validating proxy costs: requests straight to the mock, through `scripts/proxy`, and
through `prism proxy` (Stoplight Prism's validating proxy) on the same spec, in one run.

Usage (from the repository root; needs wrk, node >= 18 and npm):
    .venv/bin/python benchmarks/proxy_overhead.py [--duration 8] [--warmup 2] [--rounds 2]

One mock (`python -m mock_server`, granian) serves as the upstream of both proxies. For each
target and request, two wrk runs:

- latency: one connection, one thread (`wrk -t1 -c1`): requests one after another, so the p50
  is the time one request takes; the proxy's overhead is its p50 minus the mock's;
- throughput: `wrk -t2 -c16`, as benchmarks/mock_throughput.py drives the mock.

Rounds interleave the targets; medians are printed, with the ratios against the goals of
issue 11 (p50 overhead <= 1 ms on loopback; throughput >= Prism's). See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import sys
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from types import FrameType

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_servers
import bench_wrk
from mock_throughput import BASE, HEADERS, SCENARIOS, SPEC

ROOT = Path(__file__).resolve().parent.parent
DIRECT, OURS, PRISM = "mock (direct)", "scripts/proxy", "prism proxy"


@dataclass
class Row:
    target: str
    scenario: str
    round: int
    p50_ms: float  # one connection
    p99_ms: float  # one connection
    rps: float  # 16 connections
    p50_loaded_ms: float  # 16 connections
    errors: int


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--duration", type=float, default=8.0, help="seconds per measured run (8)")
    p.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up per run (2)")
    p.add_argument("--rounds", type=int, default=2, help="interleaved rounds (2)")
    p.add_argument("--connections", type=int, default=16, help="throughput connections (16)")
    p.add_argument("--no-prism", action="store_true", help="leave Prism out")
    p.add_argument("--json", type=Path, help="write every measurement as JSON")
    p.add_argument("--install", action="store_true", help="apt-get install wrk if missing")
    return p.parse_args(argv)


def measure(
    wrk: str,
    url: str,
    target: str,
    scenario: str,
    args: argparse.Namespace,
    workdir: Path,
    rnd: int,
) -> Row:
    request = SCENARIOS[scenario]

    def run(duration: float, connections: int, threads: int) -> bench_wrk.WrkResult:
        return bench_wrk.run_wrk(
            wrk,
            url,
            request,
            workdir=workdir,
            duration_s=duration,
            connections=connections,
            threads=threads,
        )

    run(args.warmup, 1, 1)
    single = run(args.duration, 1, 1)
    loaded = run(args.duration, args.connections, 2)
    return Row(
        target=target,
        scenario=scenario,
        round=rnd,
        p50_ms=single.p50_ms,
        p99_ms=single.p99_ms,
        rps=loaded.rps,
        p50_loaded_ms=loaded.p50_ms,
        errors=single.status_errors
        + single.socket_errors
        + loaded.status_errors
        + loaded.socket_errors,
    )


def medians(rows: list[Row]) -> list[Row]:
    out = []
    keys = sorted({(r.target, r.scenario) for r in rows}, key=lambda k: (k[1], _order(k[0])))
    for target, scenario in keys:
        group = [r for r in rows if (r.target, r.scenario) == (target, scenario)]
        out.append(
            Row(
                target,
                scenario,
                0,
                statistics.median(r.p50_ms for r in group),
                statistics.median(r.p99_ms for r in group),
                statistics.median(r.rps for r in group),
                statistics.median(r.p50_loaded_ms for r in group),
                sum(r.errors for r in group),
            )
        )
    return out


def _order(target: str) -> int:
    return [DIRECT, OURS, PRISM].index(target)


def print_report(rows: list[Row]) -> None:
    print(
        "| request | target | p50 ms (1 conn) | p99 ms (1 conn) | p50 overhead ms | "
        "req/s (16 conn) | p50 ms (16 conn) | errors |"
    )
    print("|---|---|--:|--:|--:|--:|--:|--:|")
    direct = {r.scenario: r for r in rows if r.target == DIRECT}
    for r in rows:
        base = direct.get(r.scenario)
        overhead = f"{r.p50_ms - base.p50_ms:.2f}" if base and r.target != DIRECT else "-"
        print(
            f"| {r.scenario} | {r.target} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {overhead} | "
            f"{r.rps:,.0f} | {r.p50_loaded_ms:.2f} | {r.errors} |"
        )
    print()
    for scenario in sorted({r.scenario for r in rows}):
        by = {r.target: r for r in rows if r.scenario == scenario}
        if DIRECT not in by or OURS not in by:
            continue
        overhead = by[OURS].p50_ms - by[DIRECT].p50_ms
        verdict = "met" if overhead <= 1.0 else "NOT met"
        share = by[OURS].rps / by[DIRECT].rps
        line = (
            f"{scenario}: proxy p50 overhead {overhead:.2f} ms (goal <= 1 ms: {verdict}); "
            f"throughput {share:.2f}x the mock's"
        )
        if PRISM in by:
            ratio = by[OURS].rps / by[PRISM].rps if by[PRISM].rps else float("inf")
            prism_overhead = by[PRISM].p50_ms - by[DIRECT].p50_ms
            line += (
                f", {ratio:.2f}x Prism's (goal >= 1: {'met' if ratio >= 1 else 'NOT met'}); "
                f"Prism's p50 overhead {prism_overhead:.2f} ms"
            )
        print(line)


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    wrk = bench_wrk.ensure_wrk(args.install)
    npm_bin = None if args.no_prism else bench_servers.ensure_npm_tools(bench_servers.cache_dir())
    print(f"# {os.cpu_count()} CPUs; load average before: {os.getloadavg()[0]:.2f}")
    rows: list[Row] = []
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="commprefs-proxy-") as tmp:
        workdir = Path(tmp)
        try:
            mock = stack.enter_context(
                bench_servers.running(
                    bench_servers.ServerSpec(
                        "mock",
                        [
                            sys.executable,
                            "-m",
                            "mock_server",
                            "--host",
                            "127.0.0.1",
                            "--port",
                            "{port}",
                        ],
                        cwd=ROOT,
                    ),
                    workdir,
                )
            )
            mock.wait_ready(f"{BASE}/definitions", HEADERS, 60)
            specs = [
                bench_servers.ServerSpec(
                    "proxy",
                    [
                        sys.executable,
                        "-m",
                        "commprefs_kit.proxy",
                        "--upstream",
                        mock.base_url,
                        "--port",
                        "{port}",
                        "--report-dir",
                        str(workdir / "proxy-report"),
                    ],
                    cwd=ROOT,
                )
            ]
            if npm_bin is not None:
                specs.append(
                    bench_servers.ServerSpec(
                        "prism-proxy",
                        [
                            str(npm_bin / "prism"),
                            "proxy",
                            "-h",
                            "127.0.0.1",
                            "-p",
                            "{port}",
                            "-v",
                            "warn",  # violations are logged, requests are not
                            str(SPEC),
                            mock.base_url,
                        ],
                    )
                )
            targets = {DIRECT: mock.base_url}
            proxies = {}
            for spec, name in zip(specs, [OURS, PRISM], strict=False):
                server = stack.enter_context(bench_servers.running(spec, workdir))
                server.wait_ready(f"{BASE}/definitions", HEADERS, 90)
                targets[name] = server.base_url
                proxies[name] = server
            for name, url in targets.items():
                status = httpx.get(f"{url}{BASE}/definitions", headers=HEADERS).status_code
                print(f"# {name} on {url}: GET definitions -> {status}")
            for rnd in range(1, args.rounds + 1):
                for scenario in SCENARIOS:
                    for name, url in targets.items():
                        row = measure(wrk, url, name, scenario, args, workdir, rnd)
                        rows.append(row)
                        print(
                            f"# round {rnd}: {name:<14} {scenario:<28} p50 {row.p50_ms:.2f} ms, "
                            f"{row.rps:,.0f} req/s",
                            flush=True,
                        )
            ours = proxies[OURS]
            ours.stop()  # SIGTERM: the proxy writes its report
            report = workdir / "proxy-report" / "proxy-report.json"
            if report.exists():
                summary = json.loads(report.read_text())["summary"]
                print(f"# the proxy's report after the run: {summary}")
        except KeyboardInterrupt:
            print("\ninterrupted", file=sys.stderr)
            return 130
        finally:
            stack.close()
    print(f"# load average after: {os.getloadavg()[0]:.2f}\n")
    merged = medians(rows)
    print_report(merged)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
