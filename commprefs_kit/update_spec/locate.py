"""Where a spec-diff change happened, and the node at that place in another document.

spec-diff gives each change a structured `Location` (method, path, section, and a JSON
pointer into the schema there; its readable key is rendered from it). `place()` takes it
from a change and `steps()` reads its pointer; `Tree` finds the matching schema node in a
document (following `$ref`s and `allOf`), so that an upstream change can be applied where our
curated spec keeps it, even when ours uses a shared component where upstream inlines the
schema.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any
from urllib.parse import unquote

from commprefs_kit.specdiff import Change
from commprefs_kit.specdiff.model import Location, pointer_tokens

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class LocateError(Exception):
    """The place a change names does not exist (or is ambiguous) in a document."""


def place(change: Change) -> Location:
    """Where an operation-level change happened (spec-diff's structured location)."""
    where = change.location
    if where is None:
        raise LocateError(f"no location recorded for {change.key!r} (not from spec-diff)")
    if not where.method:
        raise LocateError(f"not an operation-level change: {change.key!r}")
    return where


def steps(where: Location) -> tuple[str, ...]:
    """The schema steps of a location's pointer: property names, "[]" for an array's items,
    "*" for a map's values (additionalProperties)."""
    tokens = pointer_tokens(where.pointer or "")
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token == "properties" and i + 1 < len(tokens):
            out.append(tokens[i + 1])
            i += 2
        elif token in ("items", "additionalProperties"):
            out.append("[]" if token == "items" else "*")
            i += 1
        else:
            raise LocateError(f"cannot follow {token!r} in {where.text!r} (oneOf/anyOf?)")
    return tuple(out)


class Tree:
    """A document (plain dicts or ruamel's round-trip maps) navigated the way spec-diff reads it."""

    def __init__(self, root: MutableMapping[str, Any]) -> None:
        self.root = root

    # ---- references -----------------------------------------------------------
    def deref(self, node: Any) -> Any:
        seen: set[str] = set()
        while isinstance(node, MutableMapping) and "$ref" in node:
            ref = str(node["$ref"])
            if not ref.startswith("#/") or ref in seen:
                raise LocateError(f"cannot follow $ref {ref!r}")
            seen.add(ref)
            node = self.pointer(ref)
        return node

    def pointer(self, ref: str) -> Any:
        node: Any = self.root
        for part in ref[2:].split("/"):
            token = unquote(part).replace("~1", "/").replace("~0", "~")
            if not isinstance(node, MutableMapping) or token not in node:
                raise LocateError(f"$ref {ref!r} points nowhere")
            node = node[token]
        return node

    # ---- operations ------------------------------------------------------------
    def base_path(self) -> str:
        servers = self.root.get("servers") or []
        url = str(servers[0].get("url", "")) if servers else ""
        if "://" in url:
            url = url.split("://", 1)[1].partition("/")[2]
            url = "/" + url if url else ""
        return url.rstrip("/")

    def path_key(self, full_path: str) -> str | None:
        base = self.base_path()
        for key in self.root.get("paths") or {}:
            if base + "/" + str(key).lstrip("/") == full_path:
                return str(key)
        return None

    def operation(self, method: str, full_path: str) -> tuple[str, MutableMapping[str, Any]]:
        key = self.path_key(full_path)
        item = self.deref(self.root["paths"][key]) if key is not None else None
        op = item.get(method.lower()) if isinstance(item, MutableMapping) else None
        if key is None or not isinstance(op, MutableMapping):
            raise LocateError(f"no operation {method} {full_path}")
        return key, op

    def operation_ids(self) -> set[str]:
        ids = set()
        for item in (self.root.get("paths") or {}).values():
            item = self.deref(item)
            for method in METHODS:
                op = item.get(method) if isinstance(item, MutableMapping) else None
                if isinstance(op, MutableMapping) and op.get("operationId"):
                    ids.add(str(op["operationId"]))
        return ids

    # ---- the schema at a site --------------------------------------------------
    def parameter(self, where: Location) -> MutableMapping[str, Any]:
        key, op = self.operation(where.method, where.path)
        item = self.deref(self.root["paths"][key])
        for raw in [*(op.get("parameters") or []), *(item.get("parameters") or [])]:
            param = self.deref(raw)
            if param.get("in") == where.param_in and str(param.get("name")) == where.name:
                if not isinstance(param, MutableMapping):
                    break
                return param
        raise LocateError(f"{where.operation} has no {where.param_in} parameter {where.name}")

    def root_schema(self, where: Location) -> Any:
        """The schema a site's JSON path starts from (a parameter's, a body's, a header's)."""
        if where.section == "parameters":
            param = self.parameter(where)
            if "schema" not in param:
                raise LocateError(f"{where.operation} parameter {where.name} has no schema")
            return param["schema"]
        _, op = self.operation(where.method, where.path)
        if where.section == "requestBody":
            holder = self.deref(op.get("requestBody"))
            if not isinstance(holder, MutableMapping):
                raise LocateError(f"{where.operation} has no request body")
        else:
            holder = self._response(op, where)
            if where.header:
                headers = {str(k).lower(): v for k, v in (holder.get("headers") or {}).items()}
                header = self.deref(headers.get(where.header.lower()))
                if not isinstance(header, MutableMapping) or "schema" not in header:
                    raise LocateError(f"{where.operation} has no header {where.header}")
                return header["schema"]
        content = _media(holder.get("content") or {}, where.media_type)
        if content is None or "schema" not in content:
            raise LocateError(f"{where.operation} {where.section} has no {where.media_type} body")
        return content["schema"]

    def _response(self, op: MutableMapping[str, Any], where: Location) -> MutableMapping[str, Any]:
        responses = {str(k).upper(): v for k, v in (op.get("responses") or {}).items()}
        code = where.status.upper()
        for option in (code, f"{code[:1]}XX", "DEFAULT" if not code.startswith("2") else ""):
            if option in responses:
                found = self.deref(responses[option])
                if isinstance(found, MutableMapping):
                    return found
        raise LocateError(f"{where.operation} has no response {where.status}")

    def schema_at(self, where: Location, path: tuple[str, ...] | None = None) -> Any:
        """The schema node at `where` (or at `path`, steps from the place's root schema)."""
        node = self.root_schema(where)
        for step in steps(where) if path is None else path:
            node = self.step(node, step)
        return node

    def step(self, node: Any, step: str) -> Any:
        node = self.deref(node)
        if not isinstance(node, MutableMapping):
            raise LocateError(f"cannot go into {step!r}: not a schema")
        if step == "[]":
            found = node.get("items")
        elif step == "*":
            found = node.get("additionalProperties")
        else:
            holder = self.holder_of(node, step)
            found = holder["properties"][step] if holder is not None else None
        if not isinstance(found, MutableMapping):
            for part in node.get("allOf") or []:
                try:
                    return self.step(part, step)
                except LocateError:
                    continue
            raise LocateError(f"no {step!r} in this schema")
        return found

    def holder_of(self, node: Any, name: str) -> MutableMapping[str, Any] | None:
        """The schema (itself or an allOf part) whose `properties` has `name`."""
        node = self.deref(node)
        if not isinstance(node, MutableMapping):
            return None
        if name in (node.get("properties") or {}):
            return node
        for part in node.get("allOf") or []:
            found = self.holder_of(part, name)
            if found is not None:
                return found
        return None

    def with_keyword(self, node: Any, keyword: str) -> MutableMapping[str, Any]:
        """The schema (itself or through allOf) that carries `keyword` (enum, format)."""
        node = self.deref(node)
        if isinstance(node, MutableMapping):
            if keyword in node:
                return node
            for part in node.get("allOf") or []:
                try:
                    return self.with_keyword(part, keyword)
                except LocateError:
                    continue
        raise LocateError(f"no {keyword!r} at this place")


def _media(content: MutableMapping[str, Any], media: str) -> Any:
    by_type = {str(k).split(";", 1)[0].strip().lower(): v for k, v in content.items()}
    for option in (media, media.split("/", 1)[0] + "/*", "*/*"):
        if option in by_type:
            return by_type[option]
    return None
