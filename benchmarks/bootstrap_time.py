"""First-run bootstrap time: the old way (pip, requirements.lock without hashes) against the new
one (scripts/bootstrap: uv, hash-checked), and pip in hash-checking mode, in one run.

    .venv/bin/python benchmarks/bootstrap_time.py [--caches cold,warm] [--ways old,pip,uv]

Every measurement creates a fresh virtual environment in a temporary folder and installs the
whole development set (the locked [dev] set, the generated client and the kit, editable) from
this checkout. The ways:

- old: what scripts/bootstrap did before the hash lock: `pip install --upgrade pip`, then
  `pip install -r requirements.lock -e generated_client -e .[dev]`, with requirements.lock
  reduced to its `name==version` lines (the same pins, no hashes);
- pip: `COMMPREFS_INSTALLER=pip scripts/bootstrap` (pip --require-hashes, then the editables);
- uv: `scripts/bootstrap` (pip installs uv from the lock by hash, uv installs the lock
  --require-hashes, then the editables).

Caches: `cold` gives each run an empty pip and uv cache of its own (everything is downloaded);
`warm` runs again with the caches the cold run filled (a developer's second clone, or CI with a
cache). pip runs with no configuration file and no find-links, so that pip and uv both fetch from
PyPI alone (this workplace's pip configuration adds local mirrors that uv does not read).
The machine's other load counts too: compare the ratios of one run, not figures across runs.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
WAYS = ("old", "pip", "uv")
CACHES = ("cold", "warm")


def _env(cache: Path, venv: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PIP_", "UV_", "VIRTUAL_ENV", "PYTHON", "COMMPREFS_"))
    }
    env.update(
        PIP_CONFIG_FILE=os.devnull,
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_CACHE_DIR=str(cache / "pip"),
        UV_CACHE_DIR=str(cache / "uv"),
        COMMPREFS_VENV=str(venv),
        PYTHON=sys.executable,
    )
    return env


def _old_way(venv: Path, env: dict[str, str], work: Path) -> None:
    pins = work / "requirements-no-hashes.txt"
    pins.write_text(
        "".join(
            line.split(" ")[0] + "\n"
            for line in LOCK.read_text().splitlines()
            if re.match(r"^[A-Za-z0-9]", line)
        )
    )
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True, env=env)
    subprocess.run(
        [*pip, "-r", str(pins), "-e", str(ROOT / "generated_client"), "-e", f"{ROOT}[dev]"],
        check=True,
        env=env,
    )


def _bootstrap(installer: str, env: dict[str, str]) -> None:
    subprocess.run(
        [str(ROOT / "scripts" / "bootstrap")],
        check=True,
        env={**env, "COMMPREFS_INSTALLER": installer},
        stderr=subprocess.DEVNULL,
    )


def _egg_info() -> set[Path]:
    return set(ROOT.glob("*.egg-info")) | set((ROOT / "generated_client").glob("*.egg-info"))


def measure(way: str, cache: Path, work: Path) -> float:
    venv = work / f"venv-{way}"
    shutil.rmtree(venv, ignore_errors=True)
    env = _env(cache, venv)
    started = time.perf_counter()
    if way == "old":
        _old_way(venv, env, work)
    else:
        _bootstrap(way, env)
    elapsed = time.perf_counter() - started
    check = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import schemathesis, granian, typer, mock_server"],
        check=False,
    )
    if check.returncode != 0:
        raise SystemExit(f"{way}: the environment it made is incomplete")
    shutil.rmtree(venv, ignore_errors=True)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ways", default=",".join(WAYS), help="old,pip,uv (default: all)")
    parser.add_argument("--caches", default=",".join(CACHES), help="cold,warm (default: both)")
    args = parser.parse_args()
    ways = [w for w in args.ways.split(",") if w]
    caches = [c for c in args.caches.split(",") if c]
    if not set(ways) <= set(WAYS) or not set(caches) <= set(CACHES):
        parser.error(f"ways are {WAYS}, caches {CACHES}")
    packages = sum(1 for line in LOCK.read_text().splitlines() if re.match(r"^[A-Za-z0-9]", line))
    print(f"bootstrap of the [dev] set ({packages} locked packages), fresh venv each time")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    results: dict[tuple[str, str], float] = {}
    leftovers_before = _egg_info()
    with tempfile.TemporaryDirectory(prefix="bootstrap-bench-") as tmp:
        work = Path(tmp)
        caches_of = {way: work / f"cache-{way}" for way in ways}  # one cache per way
        for cache in ("cold", "warm"):
            if cache not in caches and not (cache == "cold" and "warm" in caches):
                continue
            for way in ways:
                seconds = measure(way, caches_of[way], work)
                if cache in caches:
                    results[(cache, way)] = seconds
                    print(f"  {cache:4} cache  {way:3}  {seconds:6.1f} s", flush=True)
                else:
                    print(f"  (filling the cache for {way}: {seconds:.1f} s)", flush=True)
    for leftover in _egg_info() - leftovers_before:  # pip's in-tree metadata step (old way)
        shutil.rmtree(leftover, ignore_errors=True)
    print()
    print("| cache | old: pip, no hashes | pip --require-hashes | uv (scripts/bootstrap) |", end="")
    print(" old / uv |")
    print("|---|---|---|---|---|")
    for cache in caches:
        row = [results.get((cache, w)) for w in WAYS]
        cells = [f"{s:.1f} s" if s is not None else "-" for s in row]
        old, uv = results.get((cache, "old")), results.get((cache, "uv"))
        ratio = f"{old / uv:.1f}x" if old and uv else "-"
        print(f"| {cache} | {' | '.join(cells)} | {ratio} |")


if __name__ == "__main__":
    main()
