"""A private copy of the kit's client, spec and lock, so tests can make it 'newer'."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from commprefs_kit import paths
from commprefs_kit.vendor import Source


@pytest.fixture
def kit(tmp_path: Path) -> Source:
    root = tmp_path / "kit"
    shutil.copytree(
        paths.GENERATED_CLIENT_DIR / paths.PACKAGE_NAME,
        root / paths.PACKAGE_NAME,
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copy2(paths.SPEC_PATH, root / paths.SPEC_PATH.name)
    shutil.copy2(paths.LOCK_PATH, root / paths.LOCK_PATH.name)
    shutil.copy2(paths.GENERATED_CLIENT_DIR / "setup.py", root / "setup.py")
    return Source(
        package_dir=root / paths.PACKAGE_NAME,
        spec_path=root / paths.SPEC_PATH.name,
        lock_path=root / paths.LOCK_PATH.name,
        setup_py=root / "setup.py",
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    dest = tmp_path / "consumer"
    dest.mkdir()
    return dest
