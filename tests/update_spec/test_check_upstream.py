"""--check-upstream (the scheduled CI job): did HubSpot publish a revision the lock has not seen?"""

from __future__ import annotations

import json
import os
import subprocess
import types
from collections.abc import Callable
from pathlib import Path

import pytest

from commprefs_kit import paths
from commprefs_kit.update_spec.__main__ import main
from commprefs_kit.update_spec.repo import Repo
from commprefs_kit.update_spec.run import HUBSPOT_2026_03_URL, check_upstream


def _check(repo: Repo, url: str, save: Path | None = None) -> tuple[int, str]:
    lines: list[str] = []
    return check_upstream(repo, url, save, say=lines.append), "\n".join(lines)


def test_default_url_is_hubspots_published_2026_03_file() -> None:
    assert HUBSPOT_2026_03_URL.startswith(
        "https://raw.githubusercontent.com/HubSpot/HubSpot-public-api-spec-collection/main/"
    )
    assert HUBSPOT_2026_03_URL.endswith("/Rollouts/176901/2026-03/subscriptions.json")


def test_the_revision_in_the_lock_is_unchanged(
    repo: Repo, upstream_dir: Path, serve: Callable[[str, bytes], str]
) -> None:
    url = serve("subscriptions.json", (upstream_dir / "subscriptions-2026-03.json").read_bytes())
    status, out = _check(repo, url)
    assert status == 0
    assert "upstream unchanged" in out


def test_a_new_revision_fails_with_its_diff_and_is_saved(
    repo: Repo, h: types.ModuleType, upstream_dir: Path, serve: Callable[[str, bytes], str]
) -> None:
    document = h.real_upstream()
    document["components"]["schemas"]["PublicWideStatus"]["properties"]["wideStatusType"][
        "enum"
    ].append("BRAND_WIDE")
    data = json.dumps(document).encode()
    saved = repo.root / "upstream-latest.json"
    before = h.snapshot(repo.root)
    status, out = _check(repo, serve("subscriptions.json", data), saved)
    assert status == 1
    assert "upstream CHANGED" in out
    assert "wideStatusType enum: [BUSINESS_UNIT_WIDE, PORTAL_WIDE] -> [BRAND_WIDE" in out
    assert "upstream changes since our base (082-" in out
    assert saved.read_bytes() == data
    before["upstream-latest.json"] = h.snapshot(repo.root)["upstream-latest.json"]
    assert h.snapshot(repo.root) == before  # nothing else is written


def test_without_the_base_the_recorded_deviations_tell_what_is_new(
    tmp_path: Path, h: types.ModuleType, upstream_dir: Path, serve: Callable[[str, bytes], str]
) -> None:
    repo = h.copy_repo(tmp_path / "kit")  # as in CI: no ../shared
    if not repo.deviations_path.is_file():
        pytest.skip("openapi/deviations.yaml is absent")
    document = h.real_upstream()
    del document["paths"]["/communication-preferences/2026-03/links/generate"]
    status, out = _check(repo, serve("subscriptions.json", json.dumps(document).encode()))
    assert status == 1
    assert "against openapi/deviations.yaml" in out
    assert "not recorded: POST /communication-preferences/2026-03/links/generate added" in out


def test_unreachable_upstream_is_exit_2(repo: Repo) -> None:
    status, out = _check(repo, "http://127.0.0.1:9/none")
    assert status == 2
    assert "could not fetch" in out


def test_cli_check_upstream_with_a_file(tmp_path: Path, h: types.ModuleType) -> None:
    repo = h.copy_repo(tmp_path / "kit")
    new = h.write_json(tmp_path / "new.json", h.upstream_like(h.pinned()))
    assert main(["--check-upstream", str(new), "--save", str(tmp_path / "saved.json")], repo) == 1
    assert (tmp_path / "saved.json").read_bytes() == new.read_bytes()


def test_script_is_a_thin_verb_with_clear_usage(tmp_path: Path) -> None:
    script = paths.ROOT / "scripts" / "update-spec"
    env = {k: v for k, v in os.environ.items() if k != "COMMPREFS_CALLER_DIR"}
    done = subprocess.run([str(script)], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 2
    assert "SOURCE is required" in done.stderr
    assert "Traceback" not in done.stderr
    # A relative SOURCE is read from the caller's folder (scripts/_env moves to the repo).
    (tmp_path / "bad.yaml").write_text("openapi: 3.0.3\n")
    done = subprocess.run(
        [str(script), "bad.yaml", "--dry-run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "scripts/update-spec: error: bad.yaml: invalid OpenAPI" in done.stderr  # not stdout
    assert "Traceback" not in done.stdout + done.stderr
