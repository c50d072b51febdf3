"""Field-by-field comparison of two schemas, recursively and cycle-safe.

Each place is a `Location` whose `pointer` is a JSON pointer into the schema
(`/properties/results/items`); keys render it like JSONPath: `$` is the body, `.name` a
property, `[]` the items of an array, `.*` the values of a map (additionalProperties). A
parameter's or header's own schema has no `$` (see `model.schema_path`).
"""

from __future__ import annotations

from typing import Any

from commprefs_kit.specdiff.collect import Collector
from commprefs_kit.specdiff.document import JSON, UNRESOLVED, Document
from commprefs_kit.specdiff.model import Location, Side
from commprefs_kit.specdiff.rules import CONSTRAINT_KEYWORDS, FORMAT_WIDENING

ANY = "any"


def type_of(schema: JSON) -> tuple[str, bool]:
    """(type, nullable), inferring object/array from their keywords; no type = any."""
    declared = schema.get("type")
    nullable = bool(schema.get("nullable"))
    if isinstance(declared, list):  # 3.1 style, tolerated
        nullable = nullable or "null" in declared
        declared = "|".join(sorted(str(t) for t in declared if t != "null")) or None
    if declared is None:
        if "properties" in schema or "additionalProperties" in schema:
            declared = "object"
        elif "items" in schema:
            declared = "array"
        else:
            declared = ANY
    return str(declared), nullable


def _enum(schema: JSON) -> list[str] | None:
    values = schema.get("enum")
    if not isinstance(values, list):
        return None
    return sorted({str(v) for v in values if v is not None})


def _extra(schema: JSON, doc: Document) -> tuple[int, JSON | None]:
    """additionalProperties as (rank, schema): 2 = anything, 1 = a schema, 0 = none."""
    value = schema.get("additionalProperties", True)
    if value is False:
        return 0, None
    if value is True or value is None:
        return 2, None
    resolved = doc.schema(value)
    return (2, None) if not resolved else (1, resolved)


class SchemaComparer:
    def __init__(self, old: Document, new: Document, out: Collector) -> None:
        self.old, self.new, self.out = old, new, out

    def compare(self, old: Any, new: Any, side: Side, where: Location) -> None:
        """Compare the schemas at `where` (a body, parameter or header: its root schema)."""
        loc = where.within()
        self._compare(self.old.schema(old), self.new.schema(new), side, loc, frozenset())

    def _compare(
        self,
        old: JSON,
        new: JSON,
        side: Side,
        loc: Location,
        stack: frozenset[tuple[int, int]],
    ) -> None:
        pair = (id(old), id(new))
        if pair in stack:  # a cycle through $refs: this pair is being compared above us
            return
        stack = stack | {pair}
        changed = self.out.changed

        if UNRESOLVED in old or UNRESOLVED in new:
            old_ref, new_ref = old.get(UNRESOLVED), new.get(UNRESOLVED)
            if old_ref != new_ref:
                kind = "reference-repaired" if new_ref is None else "reference-broken"
                changed(kind, loc, "unresolvable $ref", old_ref, new_ref, side)
            return
        old_type, old_null = type_of(old)
        new_type, new_null = type_of(new)
        if old_type != new_type:
            kind = (
                "type-generalised"
                if new_type == ANY
                else "type-specialised"
                if old_type == ANY
                else "type-changed"
            )
            changed(kind, loc, "type", old_type, new_type, side)
            return  # a different type makes its sub-structure incomparable
        if old_null != new_null:
            kind = "made-nullable" if new_null else "made-non-nullable"
            changed(kind, loc, "nullable", old_null, new_null, side)

        self._format(old.get("format"), new.get("format"), side, loc)
        self._enum(_enum(old), _enum(new), side, loc)
        if old.get("default") != new.get("default"):
            changed("default-changed", loc, "default", old.get("default"), new.get("default"), side)
        for keyword in CONSTRAINT_KEYWORDS:
            if old.get(keyword) != new.get(keyword):
                changed(
                    "constraint-changed", loc, keyword, old.get(keyword), new.get(keyword), side
                )

        if old_type == "object" or "properties" in old or "properties" in new:
            self._object(old, new, side, loc, stack)
        if old_type == "array" or "items" in old or "items" in new:
            self._compare(
                self.old.schema(old.get("items", {})),
                self.new.schema(new.get("items", {})),
                side,
                loc.within("items"),
                stack,
            )
        for keyword in ("oneOf", "anyOf"):
            old_alts, new_alts = old.get(keyword) or [], new.get(keyword) or []
            if len(old_alts) != len(new_alts):
                changed("composition-changed", loc, keyword, len(old_alts), len(new_alts), side)
                continue
            for i, (o, n) in enumerate(zip(old_alts, new_alts, strict=True)):
                sub = loc.within(keyword, str(i))
                self._compare(self.old.schema(o), self.new.schema(n), side, sub, stack)

    def _format(self, old: str | None, new: str | None, side: Side, loc: Location) -> None:
        if old == new:
            return
        if old is None:
            kind = "format-added"
        elif new is None:
            kind = "format-removed"
        elif (old, new) in FORMAT_WIDENING:
            kind = "format-widened"
        elif (new, old) in FORMAT_WIDENING:
            kind = "format-narrowed"
        else:
            kind = "format-changed"
        self.out.changed(kind, loc, "format", old, new, side)

    def _enum(
        self, old: list[str] | None, new: list[str] | None, side: Side, loc: Location
    ) -> None:
        if old == new:
            return
        if old is None:
            kind = "enum-added"
        elif new is None:
            kind = "enum-removed"
        else:
            gained, lost = set(new) - set(old), set(old) - set(new)
            kind = (
                "enum-replaced"
                if gained and lost
                else "enum-widened"
                if gained
                else "enum-narrowed"
            )
        self.out.changed(kind, loc, "enum", old, new, side)

    def _object(
        self,
        old: JSON,
        new: JSON,
        side: Side,
        loc: Location,
        stack: frozenset[tuple[int, int]],
    ) -> None:
        old_props = old.get("properties") or {}
        new_props = new.get("properties") or {}
        old_req = set(old.get("required") or [])
        new_req = set(new.get("required") or [])
        for name in sorted(set(old_props) | set(new_props)):
            sub = loc.within("properties", str(name))
            if name not in new_props:
                self.out.add("property-removed", sub, "removed", name, None, side)
            elif name not in old_props:
                kind = "required-property-added" if name in new_req else "property-added"
                self.out.add(kind, sub, "added", None, name, side)
            else:
                was, now = name in old_req, name in new_req
                if was != now:
                    kind = "property-made-required" if now else "property-made-optional"
                    self.out.changed(kind, sub, "required", was, now, side)
                self._compare(
                    self.old.schema(old_props[name]),
                    self.new.schema(new_props[name]),
                    side,
                    sub,
                    stack,
                )
        old_rank, old_extra = _extra(old, self.old)
        new_rank, new_extra = _extra(new, self.new)
        if old_extra is not None and new_extra is not None:
            self._compare(old_extra, new_extra, side, loc.within("additionalProperties"), stack)
        elif old_rank != new_rank:
            names = {0: "none", 1: "schema", 2: ANY}
            kind = (
                "additional-properties-widened"
                if new_rank > old_rank
                else "additional-properties-narrowed"
            )
            self.out.changed(
                kind, loc, "additionalProperties", names[old_rank], names[new_rank], side
            )
