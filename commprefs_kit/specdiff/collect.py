"""Accumulates Change records and renders the values that appear in their keys."""

from __future__ import annotations

import json
from typing import Any

from commprefs_kit.specdiff.model import Change, Side
from commprefs_kit.specdiff.rules import RULES


def show(value: Any) -> str:
    """A short, deterministic rendering of a value for a change key."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return json.dumps(value, sort_keys=True, default=str)


def jsonable(value: Any) -> Any:
    if isinstance(value, tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)  # e.g. a date YAML parsed from an unquoted default


class Collector:
    def __init__(self) -> None:
        self._changes: dict[str, Change] = {}

    def add(
        self, kind: str, key: str, old: Any = None, new: Any = None, side: Side = Side.REQUEST
    ) -> None:
        severity = RULES[kind].severity(side)
        self._changes.setdefault(key, Change(key, kind, severity, jsonable(old), jsonable(new)))

    def changed(self, kind: str, where: str, attr: str, old: Any, new: Any, side: Side) -> None:
        """The usual `<where> <attr>: <old> -> <new>` record."""
        self.add(kind, f"{where} {attr}: {show(old)} -> {show(new)}", old, new, side)

    def changes(self) -> list[Change]:
        return sorted(self._changes.values(), key=lambda c: c.key)
