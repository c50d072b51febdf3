"""Apply one upstream change to our curated spec, where that is mechanical.

Mechanical means: the change says exactly what to do at one place, and that place
exists in our spec (found through our `$ref`s and `allOf`s). Enum values are added
and removed as sets (values we added ourselves stay), new optional fields and
parameters are copied from the new upstream document, a new operation gets a
proposed operationId and our standard error responses. Anything else raises
`NeedsPerson` with the reason.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from commprefs_kit.specdiff import Change
from commprefs_kit.update_spec.locate import METHODS, LocateError, Tree, place, steps

ENUM_KINDS = ("enum-widened", "enum-narrowed", "enum-replaced")
MECHANICAL_KINDS = frozenset(
    (
        *ENUM_KINDS,
        "format-widened",
        "property-added",
        "property-removed",
        "parameter-added-optional",
        "operation-added",
        "operation-removed",
    )
)
# Keys an operation of ours carries first, in this order (the rest follow as upstream has them).
OPERATION_ORDER = ("tags", "operationId", "summary", "description", "x-retry-safe")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class NeedsPerson(Exception):
    """This change cannot be applied mechanically; the message says why."""


def _plain(value: Any) -> Any:
    """A deep copy as plain dicts/lists with HubSpot's `example: null` noise left out."""
    if isinstance(value, MutableMapping):
        return {str(k): _plain(v) for k, v in value.items() if not (k == "example" and v is None)}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _to_round_trip(value: Any) -> Any:
    if isinstance(value, dict):
        out = CommentedMap()
        for k, v in value.items():
            out[k] = _to_round_trip(v)
        return out
    if isinstance(value, list):
        seq = CommentedSeq()
        seq.extend(_to_round_trip(v) for v in value)
        return seq
    return value


def _snake(text: str) -> str:
    return (
        re.sub(r"[^0-9a-zA-Z]+", "_", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text))
        .strip("_")
        .lower()
    )


VERSION_SEGMENT = re.compile(r"^(v\d+|\d{4}-\d{2})$")


def propose_operation_id(method: str, path: str, taken: set[str]) -> str:
    """`post_resubscribe` for POST /communication-preferences/2026-09/resubscribe."""
    segments = [s for s in path.strip("/").split("/") if s and not s.startswith("{")]
    for i, segment in enumerate(segments):
        if VERSION_SEGMENT.match(segment):
            segments = segments[i + 1 :]
            break
    base = _snake("_".join([method.lower(), *segments])) or method.lower()
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    return name


class Applier:
    """Edits `ours` (a ruamel round-trip document) in place."""

    def __init__(self, ours: MutableMapping[str, Any], upstream_new: MutableMapping[str, Any]):
        self.ours = Tree(ours)
        self.new = Tree(upstream_new)
        self.notes: list[str] = []

    def apply(self, change: Change) -> str:
        """Apply `change`; returns what was done, or raises NeedsPerson."""
        try:
            if change.kind in ENUM_KINDS:
                return self._enum(change)
            if change.kind == "format-widened":
                return self._format(change)
            if change.kind == "property-added":
                return self._property_added(change)
            if change.kind == "property-removed":
                return self._property_removed(change)
            if change.kind == "parameter-added-optional":
                return self._parameter_added(change)
            if change.kind == "operation-added":
                return self._operation_added(change)
            if change.kind == "operation-removed":
                return self._operation_removed(change)
        except LocateError as exc:
            raise NeedsPerson(f"our spec has no matching place: {exc}") from None
        raise NeedsPerson(f"{change.kind} is not applied mechanically")

    # ---- schema keywords --------------------------------------------------------
    def _enum(self, change: Change) -> str:
        where = place(change)
        target = self.ours.with_keyword(self.ours.schema_at(where), "enum")
        values = target["enum"]
        old, new = set(change.old or []), set(change.new or [])
        gained = [v for v in change.new or [] if v not in old]
        lost = old - new
        have = {str(v) for v in values}
        added = [v for v in gained if v not in have]
        removed = [v for v in values if str(v) in lost]
        for value in removed:
            values.remove(value)
        values.extend(added)
        if not values:
            raise NeedsPerson("the enum would be left without values")
        done = [f"+{v}" for v in added] + [f"-{v}" for v in removed]
        return "enum " + (" ".join(done) if done else "already so (shared schema)")

    def _format(self, change: Change) -> str:
        where = place(change)
        target = self.ours.with_keyword(self.ours.schema_at(where), "format")
        if target["format"] == change.new:
            return "format already so (shared schema)"
        if target["format"] != change.old:
            raise NeedsPerson(f"our format is {target['format']}, upstream's was {change.old}")
        target["format"] = change.new
        return f"format {change.old} -> {change.new}"

    def _property_added(self, change: Change) -> str:
        where = place(change)
        path = steps(where)
        if not path:
            raise NeedsPerson("no property name in the change")
        name, parent = path[-1], path[:-1]
        holder_node = self.ours.deref(self.ours.schema_at(where, parent))
        if self.ours.holder_of(holder_node, name) is not None:
            return "field already there (shared schema)"
        if holder_node.get("allOf") and "properties" not in holder_node:
            raise NeedsPerson("our schema there is an allOf; which part gets the field?")
        value = self.new.schema_at(where)  # the new field's schema, as upstream writes it
        props = holder_node.setdefault("properties", CommentedMap())
        _insert_sorted(props, name, self._import(value))
        return f"field {name} added"

    def _property_removed(self, change: Change) -> str:
        where = place(change)
        path = steps(where)
        name, parent = path[-1], path[:-1]
        holder = self.ours.holder_of(self.ours.schema_at(where, parent), name)
        if holder is None:
            return "field already gone (shared schema)"
        del holder["properties"][name]
        required = holder.get("required")
        if isinstance(required, list) and name in required:
            required.remove(name)
        return f"field {name} removed"

    # ---- parameters and operations ---------------------------------------------------
    def _parameter_added(self, change: Change) -> str:
        where = place(change)
        try:
            self.ours.parameter(where)
            return "parameter already there"
        except LocateError:
            pass
        param = self.new.parameter(where)
        _, op = self.ours.operation(where.method, where.path)
        op.setdefault("parameters", CommentedSeq()).append(self._import(param))
        return f"{where.param_in} parameter {where.name} added"

    def _operation_added(self, change: Change) -> str:
        where = place(change)
        try:
            self.ours.operation(where.method, where.path)
            return "operation already there"
        except LocateError:
            pass
        new_key, new_op = self.new.operation(where.method, where.path)
        new_item = self.new.deref(self.new.root["paths"][new_key])
        op = _plain(new_op)
        op_id = propose_operation_id(where.method, where.path, self.ours.operation_ids())
        op["operationId"] = op_id
        op["x-retry-safe"] = where.method in SAFE_METHODS
        op["responses"] = self._responses_for_new(op.get("responses") or {})
        ordered = {k: op[k] for k in OPERATION_ORDER if k in op}
        ordered.update({k: v for k, v in op.items() if k not in ordered})
        paths = self.ours.root["paths"]
        our_key = self.ours.path_key(where.path) or self._our_path_key(where.path)
        item = paths.setdefault(our_key, CommentedMap())
        if new_item.get("parameters") and "parameters" not in item:
            item["parameters"] = self._import(new_item["parameters"])
        item[where.method.lower()] = self._import(ordered)
        retry = (
            "x-retry-safe: true (a safe method)"
            if op["x-retry-safe"]
            else ("x-retry-safe: false (review: is a replay harmless?)")
        )
        return f"operation added as {op_id} (proposed name: rename it if you like); {retry}"

    def _our_path_key(self, full_path: str) -> str:
        base = self.ours.base_path()
        if base and not full_path.startswith(base + "/"):
            raise NeedsPerson(f"{full_path} is outside our server's base path {base}")
        return full_path[len(base) :] if base else full_path

    def _responses_for_new(self, responses: dict[str, Any]) -> dict[str, Any]:
        """Upstream's 2xx (and explicit error) responses plus our standard error responses."""
        ours = self._standard_errors()
        kept = {
            str(code): value
            for code, value in responses.items()
            if not (ours and str(code).lower() == "default")
        }
        for code, value in ours.items():
            kept.setdefault(code, value)
        return kept

    def _standard_errors(self) -> dict[str, Any]:
        """The non-2xx responses our first operation declares by $ref (our error model)."""
        for item in (self.ours.root.get("paths") or {}).values():
            item = self.ours.deref(item)
            for method in METHODS:
                op = item.get(method)
                if isinstance(op, MutableMapping):
                    return {
                        str(code): _plain(value)
                        for code, value in (op.get("responses") or {}).items()
                        if not str(code).startswith("2")
                        and isinstance(value, MutableMapping)
                        and "$ref" in value
                    }
        return {}

    def _operation_removed(self, change: Change) -> str:
        where = place(change)
        try:
            key, op = self.ours.operation(where.method, where.path)
        except LocateError:
            return "operation already gone"
        op_id = op.get("operationId")
        item = self.ours.root["paths"][key]
        del item[where.method.lower()]
        if not any(m in item for m in METHODS):
            del self.ours.root["paths"][key]
        dropped = self._drop_links_to(op_id) if op_id else []
        links = f"; links to it removed: {', '.join(dropped)}" if dropped else ""
        return f"operation {op_id} removed{links}"

    def _drop_links_to(self, op_id: str) -> list[str]:
        dropped = []
        for item in (self.ours.root.get("paths") or {}).values():
            for method in METHODS:
                op = item.get(method) if isinstance(item, MutableMapping) else None
                if not isinstance(op, MutableMapping):
                    continue
                for code, response in (op.get("responses") or {}).items():
                    links = response.get("links") if isinstance(response, MutableMapping) else None
                    if not isinstance(links, MutableMapping):
                        continue
                    for name in [
                        n for n, link in links.items() if link.get("operationId") == op_id
                    ]:
                        del links[name]
                        dropped.append(f"{op.get('operationId')} {code} {name}")
                    if not links:
                        del response["links"]
        return dropped

    # ---- bringing upstream schemas over ----------------------------------------------
    def _import(self, value: Any) -> Any:
        """Upstream's node for our spec: its component $refs are kept when we have that
        component, otherwise the component is copied over (recursively)."""
        plain = _plain(value)
        self._import_refs(plain, set())
        return _to_round_trip(plain)

    def _import_refs(self, node: Any, busy: set[str]) -> None:
        if isinstance(node, list):
            for item in node:
                self._import_refs(item, busy)
            return
        if not isinstance(node, dict):
            return
        ref = node.get("$ref")
        if isinstance(ref, str):
            self._import_component(ref, busy)
        for key, value in node.items():
            if key != "$ref":
                self._import_refs(value, busy)

    def _import_component(self, ref: str, busy: set[str]) -> None:
        parts = ref.split("/")
        if len(parts) != 4 or parts[:2] != ["#", "components"] or ref in busy:
            return
        section, name = parts[2], parts[3]
        components = self.ours.root.setdefault("components", CommentedMap())
        ours = components.setdefault(section, CommentedMap())
        if name in ours:
            return  # ours is the curated version of that component
        try:
            theirs = _plain(self.new.pointer(ref))
        except LocateError as exc:
            raise NeedsPerson(f"upstream {exc}") from None
        busy.add(ref)
        self._import_refs(theirs, busy)
        ours[name] = _to_round_trip(theirs)
        self.notes.append(f"copied component {section}.{name} from upstream")


def _insert_sorted(mapping: Any, key: str, value: Any) -> None:
    """Insert keeping alphabetical order when the mapping is alphabetical, else append."""
    keys = [str(k) for k in mapping]
    if keys == sorted(keys) and isinstance(mapping, CommentedMap):
        position = sum(1 for k in keys if k < key)
        mapping.insert(position, key, value)
    else:
        mapping[key] = value
