"""Rendering: text grouped by severity, JSON, and the revision-history table."""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from commprefs_kit.specdiff.compare import diff_documents
from commprefs_kit.specdiff.document import load_document
from commprefs_kit.specdiff.model import Change, Severity

OPERATION = re.compile(r"^[A-Z]+ /\S* ")
PATH_OF = re.compile(r"^[A-Z]+ (/\S*) ")
SCOPE = re.compile(r" scopes\.\S+ (added|removed)$")
TITLES = {
    Severity.BREAKING: "BREAKING",
    Severity.POTENTIALLY_BREAKING: "POTENTIALLY BREAKING",
    Severity.SAFE: "SAFE",
}


def counts(changes: Sequence[Change]) -> dict[str, int]:
    tally = Counter(c.severity for c in changes)
    return {s.label: tally[s] for s in sorted(Severity, reverse=True)}


def summary_line(changes: Sequence[Change]) -> str:
    if not changes:
        return "summary: no changes"
    parts = ", ".join(f"{n} {label}" for label, n in counts(changes).items())
    return f"summary: {parts} ({len(changes)} changes)"


def text(changes: Sequence[Change], title: str) -> str:
    lines = [title]
    for severity in sorted(Severity, reverse=True):
        group = [c for c in changes if c.severity is severity]
        if group:
            lines.append(f"{TITLES[severity]} ({len(group)})")
            lines += [f"  {c.key}" for c in group]
    lines.append(summary_line(changes))
    return "\n".join(lines)


def as_json(changes: Sequence[Change], old: str, new: str) -> dict[str, Any]:
    return {
        "old": old,
        "new": new,
        "summary": {**counts(changes), "total": len(changes)},
        "changes": [c.as_json() for c in changes],
    }


def headlines(changes: Sequence[Change], limit: int = 3) -> list[str]:
    """The worst changes, the same change on several operations folded into one line."""
    groups: dict[str, list[Change]] = {}
    for change in changes:
        shape = SCOPE.sub(r" scopes.* \1", OPERATION.sub("* ", change.key))
        groups.setdefault(shape, []).append(change)
    # worst first; per-operation changes before component-level churn (flow scope lists)
    ranked = sorted(
        groups.items(),
        key=lambda kv: (-kv[1][0].severity, kv[0].startswith("components."), -len(kv[1]), kv[0]),
    )
    out = []
    for shape, group in ranked[:limit]:
        if len(group) == 1:
            line = group[0].key
        elif shape in ("* added", "* removed"):  # name the operations, not "*"
            line = ", ".join(c.key.rsplit(" ", 1)[0] for c in group) + shape[1:]
        else:
            line = f"{shape} (x{len(group)})"
        out.append(f"[{group[0].severity.label}] {line}")
    return out


@dataclass
class Revision:
    name: str
    changes: list[Change]


def history(directory: Path) -> list[Revision]:
    """Each document in `directory` (sorted by file name) against the one before it."""
    files = sorted(p for p in directory.iterdir() if p.suffix.lower() in {".json", ".yaml", ".yml"})
    documents = [load_document(p) for p in files]
    rows = [Revision(files[0].stem, [])] if files else []
    for i in range(1, len(files)):
        rows.append(Revision(files[i].stem, diff_documents(documents[i - 1], documents[i])))
    return rows


def _common_path(rows: Sequence[Revision]) -> str:
    """The path prefix every operation shares (e.g. /communication-preferences/2026-03)."""
    paths = [m.group(1) for r in rows for c in r.changes if (m := PATH_OF.match(c.key))]
    if not paths:
        return ""
    prefix = posixpath.commonpath(paths)
    while prefix in paths:  # keep at least one segment of every path
        prefix = posixpath.dirname(prefix)
    return "" if prefix == "/" else prefix


def history_text(rows: Sequence[Revision]) -> str:
    width = max([len("revision"), *(len(r.name) for r in rows)])
    prefix = _common_path(rows)
    lines = [f"{'revision':<{width}}  brk  pot  safe  headline changes"]
    if prefix:
        lines.insert(0, f"(paths shown relative to {prefix})")
    for row in rows:
        c = counts(row.changes)
        found = [h.replace(f" {prefix}/", " /") if prefix else h for h in headlines(row.changes)]
        first, *rest = found or ["(first revision)" if row is rows[0] else "-"]
        lines.append(
            f"{row.name:<{width}}  {c['breaking']:>3}  {c['potentially-breaking']:>3}"
            f"  {c['safe']:>4}  {first}"
        )
        lines += [" " * (width + 18) + h for h in rest]
    changed = sum(1 for r in rows[1:] if r.changes)
    lines.append(
        f"summary: {len(rows)} revisions, {changed} of {max(len(rows) - 1, 0)} steps changed"
    )
    return "\n".join(lines)


def history_json(rows: Sequence[Revision]) -> list[dict[str, Any]]:
    return [
        {
            "revision": r.name,
            "summary": counts(r.changes),
            "headlines": headlines(r.changes),
            "changes": [c.as_json() for c in r.changes],
        }
        for r in rows
    ]
