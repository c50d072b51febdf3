"""The pinned OpenAPI document, turned into what the mock needs: operations and JSON Schemas.

Everything the mock knows about paths, parameters, bodies, scopes and declared responses comes
from here, so the mock cannot drift from the contract. OpenAPI 3.0 schemas are converted to
plain JSON Schema (``$ref`` inlined, ``nullable`` and integer ``format`` widths made explicit)
so that one library (jsonschema_rs) validates requests here and responses in the tests.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from commprefs_kit.paths import SPEC_PATH

JSON = dict[str, Any]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# Integer widths named by OpenAPI formats, made explicit so a validator enforces them.
_INT_RANGES = {
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
}


# OpenAPI keywords that JSON Schema does not have (``nullable`` is handled separately).
_OPENAPI_ONLY = frozenset({"nullable", "example", "discriminator", "xml", "externalDocs"})


@dataclass(frozen=True)
class Parameter:
    """A path or query parameter of one operation."""

    name: str
    location: str  # "path" or "query"
    required: bool
    schema: JSON  # plain JSON Schema
    default: Any  # None when the spec gives no default

    @property
    def type(self) -> str:
        """The JSON type the raw string is coerced to before validation."""
        t = self.schema.get("type", "string")
        return t if isinstance(t, str) else "string"


@dataclass(frozen=True)
class Operation:
    """One operation of the spec, with everything needed to serve and check it."""

    operation_id: str
    method: str  # upper case
    path: str  # template, e.g. /communication-preferences/2026-03/statuses/{subscriberIdString}
    parameters: tuple[Parameter, ...]
    body_schema: JSON | None  # plain JSON Schema of the request body
    body_schema_name: str | None  # component name, for HubSpot-style messages
    body_required: bool
    scope_sets: tuple[frozenset[str], ...]  # any one set satisfies the operation
    responses: Mapping[str, Mapping[str, JSON]]  # status key -> media type -> JSON Schema
    retry_safe: bool


class Spec:
    """The loaded spec: operations by id, and schema conversion for any component."""

    def __init__(self, document: JSON) -> None:
        self.document = document
        self._schemas: JSON = document.get("components", {}).get("schemas", {})
        self.operations: dict[str, Operation] = {}
        for path, item in document["paths"].items():
            shared = item.get("parameters", [])
            for method in HTTP_METHODS:
                if method in item:
                    op = self._operation(path, method, item[method], shared)
                    self.operations[op.operation_id] = op

    @property
    def paths(self) -> list[str]:
        return list(self.document["paths"])

    # -- conversion -------------------------------------------------------
    def resolve(self, node: Any) -> Any:
        """Follow a local ``$ref`` (one level) inside the document."""
        while isinstance(node, dict) and "$ref" in node:
            target: Any = self.document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node

    def json_schema(self, node: Any) -> Any:
        """OpenAPI 3.0 schema -> self-contained JSON Schema (draft 2020-12 subset)."""
        if isinstance(node, list):
            return [self.json_schema(n) for n in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            return self.json_schema(self.resolve(node))
        out: JSON = {}
        for key, value in node.items():
            if key in ("properties", "patternProperties"):
                out[key] = {k: self.json_schema(v) for k, v in value.items()}
            elif key in ("items", "additionalProperties", "not"):
                out[key] = self.json_schema(value)
            elif key in ("allOf", "anyOf", "oneOf"):
                out[key] = [self.json_schema(v) for v in value]
            elif key in _OPENAPI_ONLY or key.startswith("x-"):
                continue
            else:
                out[key] = value
        if node.get("type") == "integer" and node.get("format") in _INT_RANGES:
            low, high = _INT_RANGES[node["format"]]
            out.setdefault("minimum", low)
            out.setdefault("maximum", high)
        if node.get("nullable") is True:
            return {"anyOf": [out, {"type": "null"}]}
        return out

    def component(self, name: str) -> JSON:
        """A components/schemas entry as plain JSON Schema."""
        schema: JSON = self.json_schema(self._schemas[name])
        return schema

    # -- operations -------------------------------------------------------
    def _operation(self, path: str, method: str, node: JSON, shared: list[JSON]) -> Operation:
        params: dict[tuple[str, str], Parameter] = {}
        for raw in [*shared, *node.get("parameters", [])]:
            p = self.resolve(raw)
            schema = self.json_schema(p.get("schema", {}))
            params[(p["in"], p["name"])] = Parameter(
                name=p["name"],
                location=p["in"],
                required=bool(p.get("required", False)),
                schema=schema,
                default=schema.get("default"),
            )
        body_schema: JSON | None = None
        body_name: str | None = None
        body_required = False
        if "requestBody" in node:
            body = self.resolve(node["requestBody"])
            body_required = bool(body.get("required", False))
            raw_schema = body.get("content", {}).get("application/json", {}).get("schema", {})
            if "$ref" in raw_schema:
                body_name = raw_schema["$ref"].rsplit("/", 1)[-1]
            body_schema = self.json_schema(raw_schema)
        # An operation's own `security` (even an empty one) overrides the document's.
        owner = node if "security" in node else self.document
        security: list[dict[str, list[str]]] = owner.get("security", [])
        scope_sets = tuple(
            frozenset(s for scopes in req.values() for s in scopes) for req in security
        )
        responses: dict[str, dict[str, JSON]] = {}
        for status, raw_response in node.get("responses", {}).items():
            response = self.resolve(raw_response)
            responses[str(status)] = {
                media: self.json_schema(content.get("schema", {}))
                for media, content in response.get("content", {}).items()
            }
        return Operation(
            operation_id=node["operationId"],
            method=method.upper(),
            path=path,
            parameters=tuple(params.values()),
            body_schema=body_schema,
            body_schema_name=body_name,
            body_required=body_required,
            scope_sets=scope_sets,
            responses=responses,
            retry_safe=bool(node.get("x-retry-safe", False)),
        )


def load_spec(path: Path = SPEC_PATH) -> Spec:
    """Read and convert the spec at ``path`` (the repository's pinned spec by default)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ~10x faster
    with path.open("rb") as f:
        return Spec(yaml.load(f, Loader=loader))


@functools.cache
def pinned_spec() -> Spec:
    """The pinned spec, loaded once per process (it is read-only)."""
    return load_spec()
