"""What a regeneration changes in the generated client's Python API (griffe).

griffe reports what breaks callers (removed objects, changed signatures); the lists of
added and removed public names come from walking both packages with griffe's loader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import griffe


@dataclass
class ApiChanges:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    breakages: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.breakages)


def _load(package: str, root: Path) -> Any:
    # A fresh collection per tree: both packages have the same name.
    return griffe.load(
        package,
        search_paths=[str(root)],
        try_relative_path=False,
        allow_inspection=False,
        modules_collection=griffe.ModulesCollection(),
        lines_collection=griffe.LinesCollection(),
    )


def _public(obj: Any, out: set[str]) -> set[str]:
    for name, member in obj.members.items():
        if member.is_alias or name.startswith("_"):
            continue
        out.add(member.path)
        if member.is_module or member.is_class:
            _public(member, out)
    return out


def _describe(breakage: Any) -> str:
    text = f"{breakage.kind.value}: {breakage.obj.path}"
    old, new = getattr(breakage, "old_value", None), getattr(breakage, "new_value", None)
    if breakage.kind.value != "Public object was removed" and (old or new):
        old = getattr(old, "name", old)
        new = getattr(new, "name", new)
        text += f" ({old} -> {new})"
    return text


def compare_packages(package: str, old_root: Path, new_root: Path) -> ApiChanges:
    """Public API differences between `old_root/package` and `new_root/package`."""
    old, new = _load(package, old_root), _load(package, new_root)
    old_names, new_names = _public(old, set()), _public(new, set())
    return ApiChanges(
        added=sorted(new_names - old_names),
        removed=sorted(old_names - new_names),
        breakages=sorted({_describe(b) for b in griffe.find_breaking_changes(old, new)}),
    )


def _collapse(names: list[str]) -> list[str]:
    """Drop names inside an added/removed module or class (its own line says it all)."""
    kept: list[str] = []
    for name in names:
        if not any(name.startswith(parent + ".") for parent in kept):
            kept.append(name)
    return kept


def format_changes(changes: ApiChanges, limit: int = 40) -> list[str]:
    if changes.empty:
        return ["no change to the generated client's public API"]
    lines: list[str] = []
    for title, names in (
        ("breaking for callers (griffe)", changes.breakages),
        ("removed", _collapse(changes.removed)),
        ("added", _collapse(changes.added)),
    ):
        if not names:
            continue
        lines.append(f"{title} ({len(names)}):")
        lines += [f"  {n}" for n in names[:limit]]
        if len(names) > limit:
            lines.append(f"  ... {len(names) - limit} more")
    return lines
