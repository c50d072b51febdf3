"""Loading an OpenAPI 3.0.x document and the normalised view the comparison works on.

Normalisation (what makes two documents comparable):
- local `$ref`s are followed wherever they may appear (schemas, parameters, request
  bodies, responses, headers), lazily and cycle-safe; a `$ref`'s sibling keys are
  ignored, as OpenAPI 3.0 says;
- `allOf` is merged into one schema, so `allOf: [X]` + `nullable: true` reads as a
  nullable X; 3.1-style `type: [T, "null"]` reads as a nullable T;
- operations are keyed by METHOD + full path (server base path + path) with path
  parameter names blanked (`{subscriberIdString}` and `{id}` match) and, by default,
  API version segments (`v4`, `2026-03`) blanked, so that v4 -> 2026-03 compares
  operation by operation; path parameters are matched by position;
- media types lose their parameters (`application/json;charset=utf-8`), status
  codes are upper-cased (`4xx` -> `4XX`), `default` stays `default`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import orjson
import yaml

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
VERSION_SEGMENT = re.compile(r"^(v\d+(\.\d+)*|\d{4}-\d{2}(-\d{2})?)$")
PATH_PARAM = re.compile(r"\{([^}]*)\}")

JSON = dict[str, Any]
UNRESOLVED = "x-specdiff-unresolved-ref"  # marks a schema whose local $ref names nothing


class SpecError(Exception):
    """A document that cannot be read or compared; the message is one readable line."""


def _parse(text: str, label: str, json_first: bool) -> Any:
    if json_first:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass  # a .json name holding YAML is unusual but harmless: YAML parses JSON too
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)  # CSafeLoader/SafeLoader: no arbitrary objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise SpecError(f"{label}: not valid JSON or YAML: {problem}{where}") from None


def load_raw(source: str | Path | Mapping[str, Any]) -> tuple[JSON, str]:
    """Parse a path or accept an already-loaded mapping; check it is OpenAPI 3.x."""
    if isinstance(source, Mapping):
        raw: Any = dict(source)
        label = str(raw.get("info", {}).get("title", "document")) if isinstance(raw, dict) else ""
    else:
        path = Path(source)
        label = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise SpecError(f"{label}: no such file") from None
        except IsADirectoryError:
            raise SpecError(f"{label}: is a directory, not an OpenAPI document") from None
        except UnicodeDecodeError as exc:
            raise SpecError(
                f"{label}: not a text document (byte {exc.start} is not UTF-8; OpenAPI documents "
                "are UTF-8 JSON or YAML)"
            ) from None
        except OSError as exc:
            raise SpecError(f"{label}: cannot read: {exc.strerror or exc}") from None
        raw = _parse(text, label, json_first=path.suffix.lower() == ".json")
    if not isinstance(raw, dict):
        raise SpecError(f"{label}: not an OpenAPI document (top level is not a mapping)")
    if "swagger" in raw:
        raise SpecError(f"{label}: Swagger {raw['swagger']} is not supported, only OpenAPI 3.x")
    version = str(raw.get("openapi", ""))
    if not version.startswith("3."):
        raise SpecError(f"{label}: not an OpenAPI 3.x document (openapi: {version or 'missing'})")
    if not isinstance(raw.get("paths"), dict):
        raise SpecError(f"{label}: not an OpenAPI document (no 'paths' mapping)")
    return raw, label


def media_type(name: str) -> str:
    return name.split(";", 1)[0].strip().lower()


def status_code(code: object) -> str:
    text = str(code).strip()
    return "default" if text.lower() == "default" else text.upper()


@dataclass
class Operation:
    method: str  # upper case
    path: str  # full path as written (server base path + path)
    match_key: str
    raw: JSON
    parameters: dict[tuple[str, str], JSON]  # (in, name or path position) -> parameter
    versions: tuple[str, ...]  # version segments found in the path

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


@dataclass
class Document:
    raw: JSON
    label: str
    _folded: dict[int, JSON] = field(default_factory=dict, repr=False)
    _folding: set[int] = field(default_factory=set, repr=False)
    _unresolved: dict[str, JSON] = field(default_factory=dict, repr=False)

    # ---- references ---------------------------------------------------------
    def pointer(self, ref: str) -> Any:
        if not ref.startswith("#"):
            raise SpecError(f"{self.label}: external $ref {ref!r} is not supported")
        node: Any = self.raw
        for part in (p for p in ref[1:].split("/") if p):
            token = unquote(part).replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                raise SpecError(f"{self.label}: unresolvable $ref {ref!r}")
        return node

    def resolve(self, node: Any) -> Any:
        """Follow a chain of $refs to the object it names (the same object every time)."""
        seen: list[str] = []
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not isinstance(ref, str):
                raise SpecError(f"{self.label}: $ref must be a string, got {ref!r}")
            if ref in seen:
                raise SpecError(f"{self.label}: $ref loop {' -> '.join([*seen, ref])}")
            seen.append(ref)
            node = self.pointer(ref)
        return node

    def schema(self, node: Any) -> JSON:
        """A resolved schema with `allOf` merged in; cached so identity marks recursion.

        A dangling schema $ref (HubSpot published one, revision 083) does not stop the
        comparison: it becomes an `UNRESOLVED` marker that the schema walk reports.
        """
        try:
            node = self.resolve(node)
        except SpecError:
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
                raise
            ref = node["$ref"]
            if ref.startswith("#"):
                return self._unresolved.setdefault(ref, {UNRESOLVED: ref})
            raise
        if not isinstance(node, dict):
            return {} if node in (None, True) else {"not": {}}  # boolean schemas
        if "allOf" not in node:
            return node
        key = id(node)
        if key in self._folded:
            return self._folded[key]
        if key in self._folding:  # allOf that contains itself: merge what we have
            return {k: v for k, v in node.items() if k != "allOf"}
        self._folding.add(key)
        merged: JSON = {k: v for k, v in node.items() if k != "allOf"}
        for part in node["allOf"] or []:
            sub = self.schema(part)
            for name, value in sub.items():
                if name == "properties":
                    merged["properties"] = {**value, **merged.get("properties", {})}
                elif name == "required":
                    have = list(merged.get("required", []))
                    merged["required"] = have + [r for r in value if r not in have]
                else:
                    merged.setdefault(name, value)
        self._folding.discard(key)
        self._folded[key] = merged
        return merged

    # ---- operations ---------------------------------------------------------
    def base_path(self) -> str:
        servers = self.raw.get("servers") or []
        if servers and isinstance(servers[0], dict):
            return urlsplit(str(servers[0].get("url", ""))).path.rstrip("/")
        return ""

    def server_origins(self) -> list[str]:
        origins = set()
        for server in self.raw.get("servers") or []:
            if isinstance(server, dict) and server.get("url"):
                parts = urlsplit(str(server["url"]))
                origins.add(f"{parts.scheme}://{parts.netloc}" if parts.netloc else parts.path)
        return sorted(origins)

    def iter_operations(self, match_versions: bool) -> Iterator[Operation]:
        base = self.base_path()
        for path, item in self.raw["paths"].items():
            item = self.resolve(item)
            if not isinstance(item, dict):
                continue
            full = base + "/" + str(path).lstrip("/")
            match_key, versions, names = _path_shape(full, match_versions)
            shared = item.get("parameters") or []
            for method in HTTP_METHODS:
                op = item.get(method)
                if not isinstance(op, dict):
                    continue
                params = self._parameters(shared, op.get("parameters") or [], names)
                yield Operation(
                    method.upper(), full, f"{method.upper()} {match_key}", op, params, versions
                )

    def _parameters(
        self, shared: list[Any], own: list[Any], path_names: list[str]
    ) -> dict[tuple[str, str], JSON]:
        """Path-item parameters overridden by the operation's; path ones keyed by position."""
        merged: dict[tuple[str, str], JSON] = {}
        for raw in [*shared, *own]:
            param = self.resolve(raw)
            if not isinstance(param, dict) or "name" not in param:
                continue
            where = str(param.get("in", "query"))
            name = str(param["name"])
            if where == "path":
                slot = str(path_names.index(name)) if name in path_names else name
            else:
                slot = name.lower() if where == "header" else name
            merged[(where, slot)] = param
        return merged


def _path_shape(full: str, match_versions: bool) -> tuple[str, tuple[str, ...], list[str]]:
    names = PATH_PARAM.findall(full)
    segments, versions = [], []
    for segment in full.strip("/").split("/"):
        if match_versions and VERSION_SEGMENT.match(segment):
            versions.append(segment)
            segments.append("<version>")
        else:
            segments.append(PATH_PARAM.sub("{}", segment))
    return "/" + "/".join(segments), tuple(versions), names


def load_document(source: str | Path | Mapping[str, Any] | Document) -> Document:
    if isinstance(source, Document):
        return source
    raw, label = load_raw(source)
    return Document(raw, label)
