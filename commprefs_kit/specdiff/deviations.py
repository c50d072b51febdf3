"""Recorded, intended differences (openapi/deviations.yaml) checked against a diff.

The file groups entries by theme; each theme has a `reason` that every entry inherits
(an entry may carry its own). An entry is either an exact change key (a string, or
`{key: ...}`) or `{pattern: ..., count: N}`: `*` matches any text and everything else
is literal (no character classes: keys contain `[]`), and the pattern must match
exactly N changes, so a pattern goes stale as surely as an exact key does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from commprefs_kit.specdiff.model import Change


class DeviationsError(ValueError):
    """The deviations file cannot be read or has the wrong shape."""


@dataclass(frozen=True)
class Deviation:
    theme: str
    reason: str
    key: str | None = None
    pattern: str | None = None
    count: int | None = None

    @property
    def label(self) -> str:
        return self.key if self.key is not None else f"pattern {self.pattern!r} x{self.count}"

    def matches(self, key: str) -> bool:
        if self.key is not None:
            return key == self.key
        return bool(_regex(self.pattern or "").fullmatch(key))


def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")), re.DOTALL)


def _entry(theme: str, reason: str, raw: Any, where: str) -> Deviation:
    if isinstance(raw, str):
        return Deviation(theme, reason, key=raw)
    if not isinstance(raw, dict):
        raise DeviationsError(f"{where}: an entry must be a key string or a mapping")
    own_reason = str(raw.get("reason") or reason)
    if "key" in raw:
        return Deviation(theme, own_reason, key=str(raw["key"]))
    if "pattern" in raw and isinstance(raw.get("count"), int) and raw["count"] > 0:
        return Deviation(theme, own_reason, pattern=str(raw["pattern"]), count=raw["count"])
    raise DeviationsError(f"{where}: an entry needs `key`, or `pattern` with a positive `count`")


def load_deviations(path: Path) -> list[Deviation]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DeviationsError(f"{path}: cannot read: {exc}") from None
    themes = data.get("themes") if isinstance(data, dict) else None
    if not isinstance(themes, list):
        raise DeviationsError(f"{path}: expected a top-level `themes` list")
    found: list[Deviation] = []
    for i, theme in enumerate(themes):
        where = f"{path}: themes[{i}]"
        if not isinstance(theme, dict) or not theme.get("theme") or not theme.get("reason"):
            raise DeviationsError(f"{where}: every theme needs `theme` and `reason`")
        name, reason = str(theme["theme"]), " ".join(str(theme["reason"]).split())
        found += [_entry(name, reason, e, where) for e in theme.get("changes") or []]
    return found


@dataclass
class DeviationReport:
    recorded: list[Change] = field(default_factory=list)
    unrecorded: list[Change] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.unrecorded and not self.stale

    def describe(self) -> str:
        lines = []
        if self.unrecorded:
            lines.append(f"{len(self.unrecorded)} difference(s) not recorded as deviations:")
            lines += [f"  [{c.severity.label}] {c.key}" for c in self.unrecorded]
        if self.stale:
            lines.append(f"{len(self.stale)} recorded deviation(s) no longer occur as recorded:")
            lines += [f"  {s}" for s in self.stale]
        return "\n".join(lines) or "every difference is recorded, every record occurs"


def check_deviations(changes: Iterable[Change], deviations: list[Deviation]) -> DeviationReport:
    report = DeviationReport()
    hits = {i: 0 for i in range(len(deviations))}
    for change in changes:
        matched = [i for i, d in enumerate(deviations) if d.matches(change.key)]
        for i in matched:
            hits[i] += 1
        (report.recorded if matched else report.unrecorded).append(change)
    for i, deviation in enumerate(deviations):
        expected = deviation.count if deviation.pattern is not None else 1
        if hits[i] != expected:
            report.stale.append(f"{deviation.label} ({deviation.theme}): matched {hits[i]}")
    return report
