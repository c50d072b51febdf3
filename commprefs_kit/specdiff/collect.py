"""Accumulates Change records, each keyed by the text rendered from its Location."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from commprefs_kit.specdiff.model import Change, Location, Side, render_key, show
from commprefs_kit.specdiff.rules import RULES

__all__ = ["Collector", "jsonable", "show"]


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
        self,
        kind: str,
        where: Location,
        event: str,
        old: Any = None,
        new: Any = None,
        side: Side = Side.REQUEST,
        detail: str = "",
    ) -> None:
        """A thing `added` or `removed` at `where` (`detail` names which, when `where` holds
        several), or a `changed` value."""
        key = render_key(where, event, old, new, detail)
        severity = RULES[kind].severity(side)
        change = Change(key, kind, severity, jsonable(old), jsonable(new), where)
        self._changes.setdefault(key, change)

    def changed(
        self, kind: str, where: Location, attr: str, old: Any, new: Any, side: Side
    ) -> None:
        """The usual `<where> <attr>: <old> -> <new>` record."""
        self.add(kind, replace(where, attribute=attr), "changed", old, new, side)

    def changes(self) -> list[Change]:
        return sorted(self._changes.values(), key=lambda c: c.key)
