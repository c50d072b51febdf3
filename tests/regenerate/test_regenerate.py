"""scripts/regenerate: deterministic output, a drift gate that notices edits, loud failures."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from commprefs_kit import paths, regenerate


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "client"
    regenerate.generate_into(out)
    return out


def test_generation_is_byte_identical_to_the_committed_client(fresh: Path) -> None:
    assert regenerate.diff_trees(fresh, paths.GENERATED_CLIENT_DIR) == []


def test_two_runs_are_byte_identical(fresh: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    regenerate.generate_into(again)
    assert regenerate.diff_trees(fresh, again) == []


def test_output_is_formatted_by_the_post_hooks(fresh: Path) -> None:
    # The generator's own output (before its post-hooks) is not ruff-formatted; ours must be.
    ruff = shutil.which("ruff", path=regenerate._tool_env()["PATH"])
    assert ruff
    proc = subprocess.run(
        [ruff, "format", "--check", "--no-cache", "."], cwd=fresh, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (fresh / paths.PACKAGE_NAME / "py.typed").exists()


def test_check_reports_a_hand_edit(
    fresh: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    committed = tmp_path / "committed"
    shutil.copytree(paths.GENERATED_CLIENT_DIR, committed)
    edited = committed / paths.PACKAGE_NAME / "client.py"
    edited.write_text(edited.read_text() + "\n# tweak\n")
    (committed / paths.PACKAGE_NAME / "extra.py").write_text("x = 1\n")
    assert regenerate.regenerate(check=True, target=committed) == 1
    err = capsys.readouterr().err
    assert f"differs: {paths.PACKAGE_NAME}/client.py" in err
    assert "+# tweak" not in err  # the diff is shown from committed -> regenerated
    assert "-# tweak" in err
    assert f"edited by hand?): {paths.PACKAGE_NAME}/extra.py" in err


def test_missing_formatter_fails_loudly(tmp_path: Path) -> None:
    # A PATH holding the generator but no ruff: the post-hooks would silently not format.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    generator = shutil.which("openapi-python-client", path=regenerate._tool_env()["PATH"])
    assert generator
    os.symlink(generator, bin_dir / "openapi-python-client")
    env = dict(os.environ, PATH=str(bin_dir))
    with pytest.raises(regenerate.RegenerationError, match="ruff is not on PATH"):
        regenerate.generate_into(tmp_path / "out", env=env)


def test_broken_spec_gives_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: 3.0.3\ninfo: [not, a, mapping\n")
    with pytest.raises(regenerate.RegenerationError, match=r"cannot read the spec .*broken\.yaml"):
        regenerate.generate_into(tmp_path / "out", broken)


def test_retry_safety_of_each_call_comes_from_the_spec(fresh: Path, tmp_path: Path) -> None:
    """Flip update_status's x-retry-safe in a copy of the spec: its generated call follows."""
    api = Path(paths.PACKAGE_NAME) / "api" / "status"
    committed = (fresh / api / "update_status.py").read_text()
    assert 'OperationTag("update_status", retry_safe=False)' in committed
    assert (
        'OperationTag("unsubscribe_all", retry_safe=True)'
        in (fresh / api / "unsubscribe_all.py").read_text()
    )
    spec = paths.SPEC_PATH.read_text(encoding="utf-8")
    flipped = spec.replace(
        "made in between.\n      x-retry-safe: false",
        "made in between.\n      x-retry-safe: true",
        1,
    )
    assert flipped != spec
    variant = tmp_path / "variant.yaml"
    variant.write_text(flipped, encoding="utf-8")
    regenerate.generate_into(tmp_path / "out", variant)
    regenerated = (tmp_path / "out" / api / "update_status.py").read_text()
    assert 'OperationTag("update_status", retry_safe=True)' in regenerated


def test_runtime_is_placed_in_the_package(fresh: Path) -> None:
    lib = fresh / paths.PACKAGE_NAME / "lib"
    assert {p.name for p in paths.RUNTIME_DIR.glob("*.py")} == {p.name for p in lib.glob("*.py")}


def test_a_wheel_build_leaves_nothing_the_gate_reports(fresh: Path, tmp_path: Path) -> None:
    committed = tmp_path / "committed"
    shutil.copytree(fresh, committed)
    (committed / "build" / "lib" / paths.PACKAGE_NAME).mkdir(parents=True)
    (committed / "build" / "lib" / paths.PACKAGE_NAME / "client.py").write_text("x = 1\n")
    (committed / "dist").mkdir()
    (committed / "dist" / "pkg.whl").write_bytes(b"PK")
    assert regenerate.diff_trees(fresh, committed) == []


def test_tool_caches_are_not_hand_edits(fresh: Path, tmp_path: Path) -> None:
    # `ruff check generated_client/...` or mypy leave their caches in the folder they run in.
    committed = tmp_path / "committed"
    shutil.copytree(fresh, committed)
    for cache in (".ruff_cache", f"{paths.PACKAGE_NAME}/.mypy_cache"):
        (committed / cache / "0.1").mkdir(parents=True)
        (committed / cache / "0.1" / "entry").write_bytes(b"cached")
    assert regenerate.diff_trees(fresh, committed) == []
    (committed / "cache.py").write_text("x = 1\n")  # a file, not a cache: still reported
    assert regenerate.diff_trees(fresh, committed) == [
        "not produced by the generator (edited by hand?): cache.py"
    ]


def test_main_turns_errors_into_exit_status_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise regenerate.RegenerationError("boom")

    monkeypatch.setattr(regenerate, "generate_into", fail)
    assert regenerate.main(["--check"]) == 2
    assert "scripts/regenerate: error: boom" in capsys.readouterr().err
