"""requirements.lock: every package pinned with hashes, the same pins as pyproject.toml, and
scripts/bootstrap refusing a download whose hash the lock does not list."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements.lock"
PYPROJECT = ROOT / "pyproject.toml"
OWN = {"hubspot-commprefs-kit", "hubspot-communication-preferences"}


def _name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def _entries() -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes), from the lock's `name==version \\ --hash=...` entries."""
    text = LOCK.read_text().replace("\\\n", " ")
    entries: dict[str, tuple[str, list[str]]] = {}
    for line in text.splitlines():
        if not line or line.startswith((" ", "#")):
            continue
        pin = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^ ;]+)", line)
        assert pin, f"not pinned with ==: {line[:80]}"
        entries[_name(pin.group(1))] = (
            pin.group(2),
            re.findall(r"--hash=sha256:([0-9a-f]{64})", line),
        )
    return entries


def _pyproject_pins() -> dict[str, str]:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += extra
    pins = {}
    for requirement in requirements:
        match = re.match(
            r"([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^]]*\])?\s*(==\s*([^;\s]+))?", requirement
        )
        assert match, requirement
        name = _name(match.group(1))
        if name in OWN:
            continue
        assert match.group(4), f"pyproject.toml pins exactly: {requirement}"
        pins[name] = match.group(4)
    return pins


def test_every_locked_package_is_pinned_with_hashes() -> None:
    entries = _entries()
    assert len(entries) > 50
    for name, (_version, hashes) in entries.items():
        assert hashes, f"{name} has no hash in requirements.lock"
    # Installed from the checkout, never from the lock.
    assert not OWN & set(entries)


def test_the_lock_has_pyproject_pins_and_what_bootstrap_installs_with() -> None:
    entries = _entries()
    for name, version in _pyproject_pins().items():
        assert name in entries, f"{name} is in pyproject.toml but not in requirements.lock"
        assert entries[name][0] == version, (name, version, entries[name][0])
    assert {"uv", "setuptools", "pip"} <= set(entries)


@pytest.mark.slow
def test_bootstrap_refuses_a_hash_mismatch(tmp_path: Path) -> None:
    root = tmp_path / "checkout"
    (root / "scripts").mkdir(parents=True)
    shutil.copy2(ROOT / "scripts" / "bootstrap", root / "scripts" / "bootstrap")
    text = LOCK.read_text()
    start = text.index("\nh11==")
    end = text.index("\n    # via", start)
    tampered = re.sub(r"sha256:[0-9a-f]{8}", "sha256:00000000", text[start:end])
    assert tampered != text[start:end]
    (root / "requirements.lock").write_text(text[:start] + tampered + text[end:])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    # pip's mode (COMMPREFS_INSTALLER=pip) refuses it too, after downloading everything: ~40 s.
    for installer in ("uv",):
        proc = subprocess.run(
            [str(root / "scripts" / "bootstrap")],
            env={
                **env,
                "COMMPREFS_VENV": str(tmp_path / f"venv-{installer}"),
                "COMMPREFS_INSTALLER": installer,
                "PYTHON": sys.executable,
            },
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert proc.returncode != 0, (installer, proc.stderr[-3000:])
        assert "h11" in proc.stderr and "hash" in proc.stderr.lower(), (installer, proc.stderr)
        assert not (tmp_path / f"venv-{installer}" / ".bootstrap-stamp").exists()
