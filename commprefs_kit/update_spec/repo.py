"""The files an update reads and replaces, injectable so that tests work on copies."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from commprefs_kit import paths

UPSTREAM_SUFFIXES = (".json", ".yaml", ".yml")


@dataclass(frozen=True)
class Repo:
    root: Path = paths.ROOT
    spec_path: Path = paths.SPEC_PATH
    lock_path: Path = paths.LOCK_PATH
    generated_dir: Path = paths.GENERATED_CLIENT_DIR
    deviations_path: Path = paths.DEVIATIONS_PATH
    contract_script: Path = paths.ROOT / "scripts" / "contract"
    # Where earlier upstream revisions may be found by sha256 (absent in a user's clone).
    upstream_search: tuple[Path, ...] = field(
        default_factory=lambda: (paths.SHARED_REFERENCE_DIR / "upstream",)
    )

    @classmethod
    def at(cls, root: Path, upstream_search: tuple[Path, ...] = ()) -> Repo:
        """The same layout under another root (a temporary copy in tests)."""
        return cls(
            root=root,
            spec_path=root / paths.SPEC_PATH.relative_to(paths.ROOT),
            lock_path=root / paths.LOCK_PATH.relative_to(paths.ROOT),
            generated_dir=root / paths.GENERATED_CLIENT_DIR.relative_to(paths.ROOT),
            deviations_path=root / paths.DEVIATIONS_PATH.relative_to(paths.ROOT),
            contract_script=root / "scripts" / "contract",
            upstream_search=upstream_search,
        )


def find_by_sha256(sha256: str, folders: tuple[Path, ...]) -> Path | None:
    """A file under `folders` whose bytes hash to `sha256`."""
    for folder in folders:
        if not folder.is_dir():
            continue
        for candidate in sorted(folder.rglob("*")):
            if (
                candidate.suffix in UPSTREAM_SUFFIXES
                and candidate.is_file()
                and hashlib.sha256(candidate.read_bytes()).hexdigest() == sha256
            ):
                return candidate
    return None
