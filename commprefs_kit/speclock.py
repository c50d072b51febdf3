"""The lock beside the pinned spec: where it came from, when, and its sha256.

A changed spec with an old lock means someone edited the contract without going
through `scripts/update-spec` (or `python -m commprefs_kit.speclock --update`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from commprefs_kit import paths


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_lock(lock_path: Path = paths.LOCK_PATH) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(lock_path.read_text(encoding="utf-8"))
    return data


def lock_problems(
    spec_path: Path = paths.SPEC_PATH, lock_path: Path = paths.LOCK_PATH
) -> list[str]:
    """Why the spec and its lock disagree (empty when they agree)."""
    if not lock_path.exists():
        return [f"{lock_path.name} is missing"]
    lock = read_lock(lock_path)
    problems = []
    if lock.get("spec") != spec_path.name:
        problems.append(f"lock names {lock.get('spec')!r}, not {spec_path.name!r}")
    actual = sha256_of(spec_path)
    if lock.get("sha256") != actual:
        problems.append(f"{spec_path.name} has sha256 {actual}, its lock says {lock.get('sha256')}")
    for key in ("source", "date", "api_version"):
        if not lock.get(key):
            problems.append(f"lock has no {key!r}")
    return problems


def write_lock(
    source: str,
    spec_path: Path = paths.SPEC_PATH,
    lock_path: Path = paths.LOCK_PATH,
    upstream_sha256: str | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    import yaml

    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    lock: dict[str, Any] = {
        "spec": spec_path.name,
        "api_version": str(spec["info"]["version"]),
        "sha256": sha256_of(spec_path),
        "source": source,
        "date": (today or dt.date.today()).isoformat(),
    }
    if upstream_sha256:
        lock["upstream_sha256"] = upstream_sha256
    lock_path.write_text(json.dumps(lock, indent=2) + "\n", encoding="utf-8")
    return lock


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--update", action="store_true", help="rewrite the lock for the spec")
    parser.add_argument("--source", help="where the spec's content came from (with --update)")
    args = parser.parse_args(argv)
    if args.update:
        previous = read_lock() if paths.LOCK_PATH.exists() else {}
        source = args.source or previous.get("source")
        if not source:
            parser.error("--source is required for a first lock")
        lock = write_lock(source, upstream_sha256=previous.get("upstream_sha256"))
        print(f"locked {lock['spec']} sha256={lock['sha256']}")
        return 0
    problems = lock_problems()
    for problem in problems:
        print(f"spec lock: {problem}", file=sys.stderr)
    if not problems:
        print("spec and lock agree")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
