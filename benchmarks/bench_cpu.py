"""CPU accounting from /proc, to tell how disturbed a measurement was.

The machine is shared: the 1-minute load average includes our own server and wrk, so
instead we measure, over each run, the CPU used by everything that is *not* the server
under test or wrk ("foreign" CPU). Linux only; elsewhere the figures are None.
"""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _machine_busy_s() -> float | None:
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in first[1:9])
    return (user + nice + system + irq + softirq + steal) / _TICKS


def _process_cpu_s(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / _TICKS


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class CpuSample:
    machine_s: float | None
    server_s: float
    children_s: float


def sample(server_pids: list[int]) -> CpuSample:
    return CpuSample(_machine_busy_s(), _process_cpu_s(server_pids), _children_cpu_s())


@dataclass(frozen=True)
class CpuUse:
    """CPU used over a run, in cores (1.0 = one core busy for the whole run)."""

    server: float
    wrk: float
    foreign: float | None


def between(before: CpuSample, after: CpuSample, wall_s: float) -> CpuUse:
    server = (after.server_s - before.server_s) / wall_s
    wrk = (after.children_s - before.children_s) / wall_s  # wrk is our only waited child
    foreign = None
    if before.machine_s is not None and after.machine_s is not None:
        foreign = max(0.0, (after.machine_s - before.machine_s) / wall_s - server - wrk)
    return CpuUse(server, wrk, foreign)
