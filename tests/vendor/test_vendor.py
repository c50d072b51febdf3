"""scripts/vendor: a stamped copy, and a check that tells current from stale or hand-edited."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from commprefs_kit import paths, speclock, vendor
from commprefs_kit.regenerate import GENERATOR_VERSION
from commprefs_kit.vendor import STAMP_NAME, Source

PKG = paths.PACKAGE_NAME


def _run(argv: list[str], kit: Source, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = vendor.main(argv, source=kit)
    out = capsys.readouterr()
    return code, out.out, out.err


def _stamp(project: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((project / PKG / STAMP_NAME).read_text())
    return data


def test_vendor_copies_every_file_with_a_stamp_and_manifest(kit: Source, project: Path) -> None:
    target, stamp = vendor.vendor(project, kit)
    assert target == project / PKG
    lock = speclock.read_lock(kit.lock_path)
    written = _stamp(project)
    assert written == stamp
    assert written["spec"] == lock["spec"]
    assert written["api_version"] == "2026-03"
    assert written["spec_sha256"] == lock["sha256"] == speclock.sha256_of(kit.spec_path)
    assert written["upstream_sha256"] == lock.get("upstream_sha256")
    assert written["generator"] == {"name": "openapi-python-client", "version": GENERATOR_VERSION}
    assert any(req.startswith("httpx") for req in stamp["requires"])
    source_files = sorted(
        p.relative_to(kit.package_dir).as_posix() for p in kit.package_dir.rglob("*") if p.is_file()
    )
    assert sorted(stamp["files"]) == source_files
    for name, digest in stamp["files"].items():
        copied = (target / name).read_bytes()
        assert copied == (kit.package_dir / name).read_bytes()
        assert hashlib.sha256(copied).hexdigest() == digest
    assert "py.typed" in stamp["files"]
    # No staging or backup folders are left behind.
    assert sorted(p.name for p in project.iterdir()) == [PKG]


def test_fresh_copy_checks_current(
    kit: Source, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run([str(project)], kit, capsys)[0] == 0
    code, out, _ = _run(["--check", str(project)], kit, capsys)
    assert code == 0
    assert "current" in out
    # The package folder itself is accepted too.
    assert _run(["--check", str(project / PKG)], kit, capsys)[0] == 0


def test_byte_code_caches_are_not_edits(kit: Source, project: Path) -> None:
    vendor.vendor(project, kit)
    cache = project / PKG / "__pycache__"
    cache.mkdir()
    (cache / "client.cpython-311.pyc").write_bytes(b"\0")
    assert vendor.check(project, kit).current


def test_hand_edits_are_listed_and_exit_1(
    kit: Source, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    vendor.vendor(project, kit)
    client = project / PKG / "client.py"
    client.write_text(client.read_text() + "\n# patched locally\n")
    (project / PKG / "helpers.py").write_text("x = 1\n")
    (project / PKG / "types.py").unlink()
    code, out, _ = _run(["--check", str(project)], kit, capsys)
    assert code == 1
    assert "EDITED by hand" in out
    assert "modified: client.py" in out
    assert "added:    helpers.py" in out
    assert "removed:  types.py" in out
    assert "STALE" not in out  # the kit has not moved on; only the copy changed


def test_vendor_refuses_to_overwrite_hand_edits_without_force(
    kit: Source, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    vendor.vendor(project, kit)
    client = project / PKG / "client.py"
    edited = client.read_text() + "\n# patched locally\n"
    client.write_text(edited)
    code, _, err = _run([str(project)], kit, capsys)
    assert code == 1
    assert "edited by hand" in err and "client.py" in err and "--force" in err
    assert client.read_text() == edited  # untouched
    code, _, _ = _run(["--force", str(project)], kit, capsys)
    assert code == 0
    assert client.read_bytes() == (kit.package_dir / "client.py").read_bytes()
    assert vendor.check(project, kit).current


def test_revendoring_an_unedited_copy_just_updates_it(kit: Source, project: Path) -> None:
    vendor.vendor(project, kit)
    (kit.package_dir / "client.py").write_text("# newer generated code\n")
    assert vendor.check(project, kit).stale
    vendor.vendor(project, kit)
    assert (project / PKG / "client.py").read_text() == "# newer generated code\n"
    assert vendor.check(project, kit).current


def test_a_folder_not_written_by_vendor_is_not_overwritten(
    kit: Source, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = project / PKG
    mine.mkdir()
    (mine / "__init__.py").write_text("# someone else's code\n")
    code, _, err = _run([str(project)], kit, capsys)
    assert code == 1
    assert f"no {STAMP_NAME}" in err
    assert (mine / "__init__.py").read_text() == "# someone else's code\n"


def test_stale_spec_is_reported(
    kit: Source, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    vendor.vendor(project, kit)
    # The kit moves on: a new spec revision and its lock.
    kit.spec_path.write_text(kit.spec_path.read_text() + "\n# a newer revision\n")
    speclock.write_lock("test", spec_path=kit.spec_path, lock_path=kit.lock_path)
    code, out, _ = _run(["--check", str(project)], kit, capsys)
    assert code == 1
    assert "STALE: spec changed" in out
    assert "EDITED" not in out


def test_stale_generator_is_reported(kit: Source, project: Path) -> None:
    vendor.vendor(project, kit)
    stamp_path = project / PKG / STAMP_NAME
    stamp = json.loads(stamp_path.read_text())
    stamp["generator"]["version"] = "0.28.0"
    stamp_path.write_text(json.dumps(stamp))
    result = vendor.check(project, kit)
    assert not result.current
    assert result.stale == [
        f"generator changed: vendored with openapi-python-client 0.28.0, "
        f"this kit uses openapi-python-client {GENERATOR_VERSION}"
    ]


def test_changed_generated_code_with_same_spec_is_stale(kit: Source, project: Path) -> None:
    vendor.vendor(project, kit)
    (kit.package_dir / "errors.py").write_text("# templates changed\n")
    result = vendor.check(project, kit)
    assert len(result.stale) == 1
    assert "generated code changed" in result.stale[0] and "errors.py" in result.stale[0]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: None, "does not exist"),
        (lambda p: p.write_text("not a folder"), "is not a folder"),
        (lambda p: p.mkdir(), "does not exist"),  # a project without a vendored client
        (lambda p: (p / PKG).mkdir(parents=True), f"has no {STAMP_NAME}"),
        (
            lambda p: (p / PKG).mkdir(parents=True) or (p / PKG / STAMP_NAME).write_text("{oops"),
            "not readable JSON",
        ),
        (
            lambda p: (p / PKG).mkdir(parents=True) or (p / PKG / STAMP_NAME).write_text("[1]"),
            "not a vendor stamp",
        ),
    ],
)
def test_odd_dest_gets_a_clear_message_and_exit_2(
    tmp_path: Path,
    kit: Source,
    capsys: pytest.CaptureFixture[str],
    setup: object,
    message: str,
) -> None:
    dest = tmp_path / "odd"
    setup(dest)  # type: ignore[operator]
    code, out, err = _run(["--check", str(dest)], kit, capsys)
    assert code == 2
    assert message in err
    assert "Traceback" not in out + err


def test_vendor_into_missing_dest_is_refused(
    tmp_path: Path, kit: Source, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run([str(tmp_path / "nope")], kit, capsys)
    assert code == 2
    assert "does not exist" in err
    assert not (tmp_path / "nope").exists()


def test_vendor_refuses_when_the_kit_spec_and_lock_disagree(
    kit: Source, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kit.spec_path.write_text(kit.spec_path.read_text() + "\n# unlocked edit\n")
    code, _, err = _run([str(project)], kit, capsys)
    assert code == 2
    assert "spec and lock disagree" in err
    assert not (project / PKG).exists()


def test_vendor_refuses_the_kits_own_client_folder(kit: Source) -> None:
    with pytest.raises(vendor.VendorError, match="kit's own generated client"):
        vendor.vendor(kit.package_dir.parent, kit)


def test_script_resolves_a_relative_dest_from_the_callers_folder(tmp_path: Path) -> None:
    # scripts/_env changes into the repository; DEST must still mean the caller's folder.
    (tmp_path / "consumer").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "COMMPREFS_CALLER_DIR"}
    script = str(paths.ROOT / "scripts" / "vendor")
    done = subprocess.run(
        [script, "consumer"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "consumer" / PKG / STAMP_NAME).is_file()
    checked = subprocess.run(
        [script, "--check", "consumer"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "current" in checked.stdout
