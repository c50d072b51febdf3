"""A private copy of the kit's spec, lock and client per test, a loopback HTTP server,
and documents derived from the pinned spec or from HubSpot's real revisions."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import shutil
import sys
import threading
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from commprefs_kit import paths
from commprefs_kit.update_spec.repo import Repo

UPSTREAM_DIR = paths.SHARED_REFERENCE_DIR / "upstream"
HISTORY_DIR = UPSTREAM_DIR / "2026-03-history"


def copy_repo(root: Path, upstream_search: tuple[Path, ...] = ()) -> Repo:
    (root / "openapi").mkdir(parents=True)
    shutil.copy2(paths.SPEC_PATH, root / "openapi" / paths.SPEC_PATH.name)
    shutil.copy2(paths.LOCK_PATH, root / "openapi" / paths.LOCK_PATH.name)
    if paths.DEVIATIONS_PATH.is_file():
        shutil.copy2(paths.DEVIATIONS_PATH, root / "openapi" / paths.DEVIATIONS_PATH.name)
    shutil.copytree(
        paths.GENERATED_CLIENT_DIR,
        root / "generated_client",
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", ".mypy_cache"),
    )
    return Repo.at(root, upstream_search=upstream_search)


def snapshot(root: Path) -> dict[str, str]:
    """sha256 of every file under `root`: equal snapshots mean nothing was touched."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def h() -> types.ModuleType:
    """This module: its helpers for the tests (test modules cannot import a conftest)."""
    return sys.modules[__name__]


@pytest.fixture
def upstream_dir() -> Path:
    if not UPSTREAM_DIR.is_dir():
        pytest.skip("../shared/reference/upstream is absent (a user's fresh clone)")
    return UPSTREAM_DIR


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """A copy that finds upstream revisions in ../shared when it is there."""
    return copy_repo(tmp_path / "kit", (UPSTREAM_DIR,))


def pinned() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(paths.SPEC_PATH.read_text(encoding="utf-8"))
    return data


def upstream_like(document: dict[str, Any]) -> dict[str, Any]:
    """Our spec without our mark (x-retry-safe): what an upstream file looks like to us."""
    for item in document["paths"].values():
        for op in item.values():
            if isinstance(op, dict):
                op.pop("x-retry-safe", None)
    return document


def write_json(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


def real_upstream() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (UPSTREAM_DIR / "subscriptions-2026-03.json").read_text(encoding="utf-8")
    )
    return data


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[str, bytes], str]]:
    """serve(name, data) -> a http://127.0.0.1:PORT/name URL answering with `data`."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def publish(name: str, data: bytes) -> str:
        (root / name).write_bytes(data)
        return f"http://127.0.0.1:{server.server_address[1]}/{name}"

    yield publish
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
