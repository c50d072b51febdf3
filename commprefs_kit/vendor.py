"""Vendor the generated client into another project, and check a vendored copy.

`scripts/vendor DEST` copies generated_client/hubspot_communication_preferences/ into
DEST/hubspot_communication_preferences/ with a stamp (VENDORED.json) naming the spec,
its sha256, the generator and a sha256 per copied file.

`scripts/vendor --check DEST` compares a vendored copy with its stamp (edited by hand?)
and with this kit (stale?). Exit status: 0 current, 1 stale or edited, 2 cannot check.
"""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from commprefs_kit import paths, speclock
from commprefs_kit.regenerate import GENERATOR_VERSION
from commprefs_kit.verbs import VerbParser, error

STAMP_NAME = "VENDORED.json"
STAMP_FORMAT = 1
GENERATOR_NAME = "openapi-python-client"
KIT_DISTRIBUTION = "hubspot-commprefs-kit"
# Byte-code caches appear in any copy that has been imported; they are not edits.
IGNORED_DIRS = {"__pycache__"}
IGNORED_SUFFIXES = (".pyc", ".pyo")


class VendorError(Exception):
    """A problem the user can fix (bad DEST, unreadable stamp); printed without a traceback."""


class RefusedError(VendorError):
    """Vendoring would destroy something (hand edits, a folder we did not write)."""


@dataclass(frozen=True)
class Source:
    """Where the kit's client, lock and generated setup.py are (injectable for tests)."""

    package_dir: Path = paths.GENERATED_CLIENT_DIR / paths.PACKAGE_NAME
    spec_path: Path = paths.SPEC_PATH
    lock_path: Path = paths.LOCK_PATH
    setup_py: Path = paths.GENERATED_CLIENT_DIR / "setup.py"


@dataclass
class CheckResult:
    package_dir: Path
    stamp: dict[str, Any]
    modified: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)

    @property
    def edited(self) -> bool:
        return bool(self.modified or self.added or self.removed)

    @property
    def current(self) -> bool:
        return not self.edited and not self.stale


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _ignored(rel: Path) -> bool:
    return any(part in IGNORED_DIRS for part in rel.parts) or rel.name.endswith(IGNORED_SUFFIXES)


def file_hashes(package_dir: Path) -> dict[str, str]:
    """sha256 per file under `package_dir` (posix names); the stamp and caches are left out."""
    hashes: dict[str, str] = {}
    for path in sorted(package_dir.rglob("*")):
        rel = path.relative_to(package_dir)
        if path.is_dir() or _ignored(rel) or rel.as_posix() == STAMP_NAME:
            continue
        hashes[rel.as_posix()] = sha256_file(path)
    return hashes


def _requires(setup_py: Path) -> list[str]:
    """install_requires of the generated setup.py, read without running it."""
    try:
        tree = ast.parse(setup_py.read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.keyword)
            and node.arg == "install_requires"
            and isinstance(node.value, ast.List)
        ):
            return [
                elt.value
                for elt in node.value.elts
                if isinstance(elt, ast.Constant) and isinstance(elt.value, str)
            ]
    return []


def pip_install_command(requires: list[str]) -> str:
    """The pip command installing the vendored client's dependencies, ready to paste."""
    quoted = " ".join(f"'{requirement.replace(' ', '')}'" for requirement in requires)
    return f"python -m pip install {quoted}"


def _kit_version() -> str:
    try:
        return metadata.version(KIT_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown"


def _read_kit_lock(source: Source) -> dict[str, Any]:
    try:
        return speclock.read_lock(source.lock_path)
    except (OSError, ValueError) as exc:
        raise VendorError(f"cannot read this kit's spec lock {source.lock_path}: {exc}") from exc


def build_stamp(source: Source, today: dt.date | None = None) -> dict[str, Any]:
    lock = _read_kit_lock(source)
    return {
        "format": STAMP_FORMAT,
        "package": paths.PACKAGE_NAME,
        "spec": lock.get("spec"),
        "api_version": lock.get("api_version"),
        "spec_sha256": lock.get("sha256"),
        "spec_locked_on": lock.get("date"),
        "upstream_sha256": lock.get("upstream_sha256"),
        "generator": {"name": GENERATOR_NAME, "version": GENERATOR_VERSION},
        "kit": {"name": KIT_DISTRIBUTION, "version": _kit_version()},
        "vendored_on": (today or dt.date.today()).isoformat(),
        "requires": _requires(source.setup_py),
        "files": file_hashes(source.package_dir),
    }


def locate(dest: Path) -> Path:
    """The vendored package folder: DEST/hubspot_communication_preferences, or DEST itself."""
    if not dest.exists():
        raise VendorError(f"{dest} does not exist")
    if not dest.is_dir():
        raise VendorError(f"{dest} is not a folder")
    if (dest / STAMP_NAME).is_file():
        return dest
    return dest / paths.PACKAGE_NAME


def read_stamp(package_dir: Path) -> dict[str, Any]:
    stamp_path = package_dir / STAMP_NAME
    if not package_dir.is_dir():
        raise VendorError(f"no vendored client: {package_dir} does not exist")
    if not stamp_path.is_file():
        raise VendorError(
            f"{package_dir} has no {STAMP_NAME}: it was not vendored by scripts/vendor "
            "(or its stamp was deleted), so it cannot be checked"
        )
    try:
        stamp = json.loads(stamp_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise VendorError(f"{stamp_path} is not readable JSON: {exc}") from exc
    if not isinstance(stamp, dict) or not isinstance(stamp.get("files"), dict):
        raise VendorError(f"{stamp_path} is not a vendor stamp (no 'files' manifest)")
    if stamp.get("format") != STAMP_FORMAT:
        raise VendorError(
            f"{stamp_path} has stamp format {stamp.get('format')!r}; this kit reads {STAMP_FORMAT}"
        )
    return stamp


def _short(sha: object) -> str:
    return str(sha)[:12] if sha else "none"


def _edits(package_dir: Path, stamp: dict[str, Any], result: CheckResult) -> None:
    manifest: dict[str, str] = stamp["files"]
    actual = file_hashes(package_dir)
    result.removed = sorted(set(manifest) - set(actual))
    result.added = sorted(set(actual) - set(manifest))
    result.modified = sorted(n for n in set(manifest) & set(actual) if manifest[n] != actual[n])


def _staleness(stamp: dict[str, Any], source: Source) -> list[str]:
    lock = _read_kit_lock(source)
    reasons: list[str] = []
    if stamp.get("spec_sha256") != lock.get("sha256"):
        reasons.append(
            f"spec changed: vendored from {stamp.get('spec')} (api {stamp.get('api_version')}, "
            f"sha256 {_short(stamp.get('spec_sha256'))}, locked {stamp.get('spec_locked_on')}); "
            f"this kit pins {lock.get('spec')} (api {lock.get('api_version')}, "
            f"sha256 {_short(lock.get('sha256'))}, locked {lock.get('date')})"
        )
    generator = stamp.get("generator") or {}
    if generator.get("version") != GENERATOR_VERSION:
        reasons.append(
            f"generator changed: vendored with {generator.get('name')} {generator.get('version')}, "
            f"this kit uses {GENERATOR_NAME} {GENERATOR_VERSION}"
        )
    # Same spec and generator but different code: generator config or templates changed.
    if not reasons and source.package_dir.is_dir():
        kit_files = file_hashes(source.package_dir)
        differing = sorted(
            n
            for n in set(kit_files) | set(stamp["files"])
            if kit_files.get(n) != stamp["files"].get(n)
        )
        if differing:
            shown = ", ".join(differing[:5]) + (" ..." if len(differing) > 5 else "")
            reasons.append(
                f"generated code changed (generator config or templates): {len(differing)} "
                f"file(s) differ from this kit's client: {shown}"
            )
    return reasons


def check(dest: Path, source: Source | None = None) -> CheckResult:
    source = source or Source()
    package_dir = locate(dest)
    stamp = read_stamp(package_dir)
    if stamp.get("package") != paths.PACKAGE_NAME:
        raise VendorError(
            f"{package_dir / STAMP_NAME} is for package {stamp.get('package')!r}, "
            f"not {paths.PACKAGE_NAME!r}"
        )
    result = CheckResult(package_dir=package_dir, stamp=stamp)
    _edits(package_dir, stamp, result)
    result.stale = _staleness(stamp, source)
    return result


def format_check(result: CheckResult, dest_arg: str) -> str:
    stamp = result.stamp
    generator = stamp.get("generator") or {}
    lines = [
        f"{result.package_dir}: vendored {stamp.get('vendored_on')} from {stamp.get('spec')} "
        f"(api {stamp.get('api_version')}, sha256 {_short(stamp.get('spec_sha256'))}) "
        f"with {generator.get('name')} {generator.get('version')}"
    ]
    lines += [f"STALE: {reason}" for reason in result.stale]
    if result.edited:
        lines.append(
            "EDITED by hand (differs from the stamp's manifest; generated code is never edited: "
            "change the kit's openapi/ and re-vendor):"
        )
        lines += [f"  modified: {name}" for name in result.modified]
        lines += [f"  added:    {name}" for name in result.added]
        lines += [f"  removed:  {name}" for name in result.removed]
    if result.current:
        lines.append("current: matches this kit's pinned spec, generator and client")
    else:
        force = " --force" if result.edited else ""
        lines.append(f"to refresh it: scripts/vendor{force} {dest_arg}")
    return "\n".join(lines)


def _overlaps(a: Path, b: Path) -> bool:
    a, b = a.resolve(), b.resolve()
    return a == b or a.is_relative_to(b) or b.is_relative_to(a)


def _guard_existing(target: Path, force: bool) -> None:
    """Refuse to replace hand edits or a folder this kit did not write, unless forced."""
    if not target.exists() and not target.is_symlink():
        return
    if target.is_symlink() or not target.is_dir():
        raise RefusedError(f"{target} exists and is not a folder; move it away first")
    if force:
        return
    try:
        stamp = read_stamp(target)
    except VendorError as exc:
        raise RefusedError(
            f"refusing to overwrite {target}: {exc}. Use --force to replace it."
        ) from None
    result = CheckResult(package_dir=target, stamp=stamp)
    _edits(target, stamp, result)
    if result.edited:
        listed = [f"  modified: {n}" for n in result.modified]
        listed += [f"  added:    {n}" for n in result.added]
        listed += [f"  removed:  {n}" for n in result.removed]
        raise RefusedError(
            f"refusing to overwrite {target}: it was edited by hand since it was vendored:\n"
            + "\n".join(listed)
            + "\nUse --force to replace it (the edits are lost)."
        )


def vendor(
    dest: Path, source: Source | None = None, force: bool = False, today: dt.date | None = None
) -> tuple[Path, dict[str, Any]]:
    """Copy the client into DEST/<package>/ with its stamp; returns the package folder and stamp."""
    source = source or Source()
    if not dest.exists():
        raise VendorError(f"{dest} does not exist (create the folder first)")
    if not dest.is_dir():
        raise VendorError(f"{dest} is not a folder")
    if not (source.package_dir / "__init__.py").is_file():
        raise VendorError(f"the kit's generated client is missing: {source.package_dir}")
    # A client whose spec no longer matches its lock would get a stamp that lies.
    problems = speclock.lock_problems(source.spec_path, source.lock_path)
    if problems:
        raise VendorError(
            "this kit's spec and lock disagree, so the stamp would be wrong:\n  "
            + "\n  ".join(problems)
        )
    target = dest / paths.PACKAGE_NAME
    if _overlaps(target, source.package_dir):
        raise VendorError(
            f"{dest} holds the kit's own generated client; vendor into another project"
        )
    _guard_existing(target, force)

    stamp = build_stamp(source, today)
    staging = dest / f".{paths.PACKAGE_NAME}.vendor-new-{os.getpid()}"
    backup = dest / f".{paths.PACKAGE_NAME}.vendor-old-{os.getpid()}"
    try:
        shutil.copytree(
            source.package_dir,
            staging,
            ignore=shutil.ignore_patterns(*IGNORED_DIRS, *(f"*{s}" for s in IGNORED_SUFFIXES)),
        )
        (staging / STAMP_NAME).write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")
        # Swap in with renames so an interrupted run never leaves a half-written package.
        if target.exists():
            target.rename(backup)
        staging.rename(target)
    except OSError as exc:
        if backup.exists() and not target.exists():
            backup.rename(target)
        raise VendorError(f"could not write into {dest}: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(backup, ignore_errors=True)
    return target, stamp


def main(argv: list[str] | None = None, source: Source | None = None) -> int:
    parser = VerbParser(
        script="scripts/vendor",
        console_script="commprefs-vendor",
        description="Copy the generated client into another project, or check a vendored copy.",
    )
    parser.add_argument("dest", help="the other project's folder (the package is put inside it)")
    parser.add_argument(
        "--check", action="store_true", help="report whether DEST's copy is current (exit 0)"
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite a copy that was edited by hand"
    )
    args = parser.parse_args(argv)
    dest = paths.user_path(args.dest)
    try:
        if args.check:
            result = check(dest, source)
            print(format_check(result, args.dest))
            return 0 if result.current else 1
        target, stamp = vendor(dest, source, force=args.force)
    except RefusedError as exc:
        return error(parser.prog, exc, 1)
    except VendorError as exc:
        return error(parser.prog, exc, 2)
    except KeyboardInterrupt:
        return error(parser.prog, "interrupted", 130)
    print(
        f"vendored {len(stamp['files'])} files into {target} "
        f"({stamp['spec']}, api {stamp['api_version']}, sha256 {_short(stamp['spec_sha256'])}; "
        f"{GENERATOR_NAME} {GENERATOR_VERSION})"
    )
    if stamp["requires"]:
        print("the vendored client needs: " + "; ".join(stamp["requires"]))
        print("install them with: " + pip_install_command(stamp["requires"]))
    print(f"check it later with: {parser.prog} --check {args.dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
