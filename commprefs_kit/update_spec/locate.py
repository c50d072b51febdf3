"""Where a spec-diff change happened, and the node at that place in another document.

spec-diff names each change by a readable key such as
`POST /x/statuses/batch/read responses.200 $.results[].status enum: [A] -> [A, B]`.
`site()` strips the values off that key; `parse_site()` turns the rest into a
`Site`; `Tree` finds the matching schema node in a document (following `$ref`s and
`allOf`), so that an upstream change can be applied where our curated spec keeps it,
even when ours uses a shared component where upstream inlines the schema.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from commprefs_kit.specdiff import Change
from commprefs_kit.specdiff.collect import show

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
OPERATION = re.compile(r"^(GET|PUT|POST|DELETE|OPTIONS|HEAD|PATCH|TRACE) (\S+)(?: (.*))?$")
SECTION = re.compile(
    r"^(?:parameters\.(?P<pin>[a-z]+)\.(?P<pname>\S+)"
    r"|requestBody(?:\[(?P<rmedia>[^\]]+)\])?"
    r"|responses\.(?P<status>[^\s\[]+)(?:\[(?P<smedia>[^\]]+)\])?)$"
)
PLAIN_NAME = re.compile(r"[A-Za-z_][\w-]*")
JSON_MEDIA = "application/json"


class LocateError(Exception):
    """The place a change names does not exist (or is ambiguous) in a document."""


@dataclass(frozen=True)
class Site:
    method: str  # upper case
    path: str
    section: str = ""  # "" (the operation), "parameters", "requestBody" or "responses"
    param_in: str = ""
    param_name: str = ""
    status: str = ""
    media: str = JSON_MEDIA
    header: str = ""
    steps: tuple[str, ...] = ()  # property names, "[]" for items, "*" for map values

    @property
    def operation(self) -> str:
        return f"{self.method} {self.path}"


def site(change: Change) -> str:
    """The change's key without its values: where it happened (and which attribute)."""
    values = f": {show(change.old)} -> {show(change.new)}"
    if change.key.endswith(values):
        return change.key[: -len(values)]
    for tail in (" added", " removed"):
        if change.key.endswith(tail):
            return change.key[: -len(tail)]
    return change.key


def parse_site(text: str, attribute: bool) -> Site:
    """A Site from `site()`'s text; `attribute`: the text ends with one (`enum`, `format`)."""
    if attribute:
        text = text.rsplit(" ", 1)[0]
    match = OPERATION.match(text)
    if not match:
        raise LocateError(f"not an operation-level change: {text!r}")
    method, path, rest = match.group(1), match.group(2), match.group(3) or ""
    if not rest:
        return Site(method, path)
    section, _, rest = rest.partition(" ")
    found = SECTION.match(section)
    if not found:
        raise LocateError(f"unknown section {section!r} in {text!r}")
    header = ""
    if rest.startswith("headers."):
        header, _, rest = rest.partition(" ")
        header = header[len("headers.") :]
    steps = _json_path(rest) if rest else ()
    if found.group("pin"):
        return Site(
            method, path, "parameters", found.group("pin"), found.group("pname"), steps=steps
        )
    if section.startswith("requestBody"):
        return Site(
            method, path, "requestBody", media=found.group("rmedia") or JSON_MEDIA, steps=steps
        )
    return Site(
        method,
        path,
        "responses",
        status=found.group("status"),
        media=found.group("smedia") or JSON_MEDIA,
        header=header,
        steps=steps,
    )


def _json_path(text: str) -> tuple[str, ...]:
    if not text.startswith("$"):
        raise LocateError(f"not a schema location: {text!r}")
    steps: list[str] = []
    i = 1
    while i < len(text):
        if text.startswith("[]", i):
            steps.append("[]")
            i += 2
        elif text.startswith(".*", i):
            steps.append("*")
            i += 2
        elif text.startswith('["', i):
            end = text.index('"]', i + 2)
            steps.append(text[i + 2 : end])
            i = end + 2
        elif text.startswith(".", i) and (name := PLAIN_NAME.match(text, i + 1)):
            steps.append(name.group(0))
            i = name.end()
        else:
            raise LocateError(f"cannot follow {text[i:]!r} in {text!r} (oneOf/anyOf?)")
    return tuple(steps)


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
    def parameter(self, where: Site) -> MutableMapping[str, Any]:
        key, op = self.operation(where.method, where.path)
        item = self.deref(self.root["paths"][key])
        for raw in [*(op.get("parameters") or []), *(item.get("parameters") or [])]:
            param = self.deref(raw)
            if param.get("in") == where.param_in and str(param.get("name")) == where.param_name:
                if not isinstance(param, MutableMapping):
                    break
                return param
        raise LocateError(f"{where.operation} has no {where.param_in} parameter {where.param_name}")

    def root_schema(self, where: Site) -> Any:
        """The schema a site's JSON path starts from (a parameter's, a body's, a header's)."""
        if where.section == "parameters":
            param = self.parameter(where)
            if "schema" not in param:
                raise LocateError(f"{where.operation} parameter {where.param_name} has no schema")
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
        content = _media(holder.get("content") or {}, where.media)
        if content is None or "schema" not in content:
            raise LocateError(f"{where.operation} {where.section} has no {where.media} body")
        return content["schema"]

    def _response(self, op: MutableMapping[str, Any], where: Site) -> MutableMapping[str, Any]:
        responses = {str(k).upper(): v for k, v in (op.get("responses") or {}).items()}
        code = where.status.upper()
        for option in (code, f"{code[:1]}XX", "DEFAULT" if not code.startswith("2") else ""):
            if option in responses:
                found = self.deref(responses[option])
                if isinstance(found, MutableMapping):
                    return found
        raise LocateError(f"{where.operation} has no response {where.status}")

    def schema_at(self, where: Site, steps: tuple[str, ...] | None = None) -> Any:
        node = self.root_schema(where)
        for step in where.steps if steps is None else steps:
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
