"""The OpenAPI document, turned into what the code needs: operations and JSON Schemas.

Everything the mock, the contract suite, the proxy and the bulk tool know about paths,
parameters, bodies, scopes and declared responses comes from here, so none of them can drift
from the contract. OpenAPI 3.0 schemas are converted to plain JSON Schema (``$ref`` inlined,
``nullable`` and integer ``format`` widths made explicit) so that one validator library checks
requests and responses everywhere.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from commprefs_spec.files import pinned_spec_path

if TYPE_CHECKING:
    from commprefs_spec.routing import Match, Router

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
    schema_name: str | None = None  # the component its schema names (e.g. Channel), if any

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
    #: status key -> the component its JSON body names (e.g. "200" -> BatchResponsePublicStatus)
    response_schema_names: Mapping[str, str | None] = field(default_factory=dict)

    def success_schemas(self) -> dict[int, JSON]:
        """The JSON Schema of each documented 2xx answer, by status code."""
        return {
            int(status): media["application/json"]
            for status, media in self.responses.items()
            if status.isdigit() and 200 <= int(status) < 300 and "application/json" in media
        }


class SpecError(ValueError):
    """The document is not an OpenAPI spec this code can read; the message says where."""


class Spec:
    """The loaded spec: operations by id, and schema conversion for any component."""

    def __init__(self, document: JSON, source: str = "the spec") -> None:
        if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
            raise SpecError(f"{source} is not an OpenAPI document (no 'paths' mapping)")
        self.document = document
        self.source = source
        self._schemas: JSON = document.get("components", {}).get("schemas", {})
        self.operations: dict[str, Operation] = {}
        for path, item in document["paths"].items():
            shared = item.get("parameters", [])
            for method in HTTP_METHODS:
                if method in item:
                    try:
                        op = self._operation(path, method, item[method], shared)
                    except (KeyError, TypeError, AttributeError) as exc:
                        raise SpecError(
                            f"{source}: cannot read {method.upper()} {path}: missing or "
                            f"malformed {exc}"
                        ) from None
                    self.operations[op.operation_id] = op

    @property
    def paths(self) -> list[str]:
        return list(self.document["paths"])

    @functools.cached_property
    def prefix(self) -> str:
        """The path segments every operation shares, e.g. ``/communication-preferences/2026-03``:
        the version prefix a base URL must not repeat."""
        split = [path.strip("/").split("/") for path in self.paths]
        shared: list[str] = []
        for segments in zip(*split, strict=False):
            if len(set(segments)) != 1 or segments[0].startswith("{"):
                break
            shared.append(segments[0])
        return "/" + "/".join(shared) if shared else ""

    @functools.cached_property
    def scopes(self) -> frozenset[str]:
        """Every OAuth scope some operation accepts."""
        return frozenset(s for op in self.operations.values() for req in op.scope_sets for s in req)

    @functools.cached_property
    def router(self) -> Router:
        from commprefs_spec.routing import Router  # routing imports this module

        return Router(self.operations.values())

    def match(self, method: str, raw_path: str) -> Match | None:
        """The route of a request: ``raw_path`` percent-encoded, without the query."""
        return self.router.match(method.upper(), raw_path)

    def operation(self, operation_id: str) -> Operation:
        """The operation with ``operation_id``; KeyError names the known ones."""
        try:
            return self.operations[operation_id]
        except KeyError:
            known = ", ".join(sorted(self.operations))
            raise KeyError(
                f"no operation {operation_id!r} in {self.source}; known: {known}"
            ) from None

    def enum_values(self, component: str, prop: str | None = None) -> tuple[str, ...]:
        """The ``enum`` of a component schema, or of its property ``prop``."""
        schema = self.resolve(self._schemas[component])
        if prop is not None:
            schema = self.resolve(schema.get("properties", {})[prop])
        return tuple(schema.get("enum", ()))

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
                schema_name=_component_name(p.get("schema", {})),
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
        names: dict[str, str | None] = {}
        for status, raw_response in node.get("responses", {}).items():
            response = self.resolve(raw_response)
            content = response.get("content", {})
            responses[str(status)] = {
                media: self.json_schema(item.get("schema", {})) for media, item in content.items()
            }
            names[str(status)] = _component_name(
                content.get("application/json", {}).get("schema", {})
            )
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
            response_schema_names=names,
        )


def _component_name(schema: Any) -> str | None:
    """``Channel`` for ``{"$ref": "#/components/schemas/Channel"}``; None for anything else."""
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    prefix = "#/components/schemas/"
    return ref[len(prefix) :] if isinstance(ref, str) and ref.startswith(prefix) else None


def load_spec(path: Path | None = None) -> Spec:
    """Read and convert the spec at ``path`` (the pinned spec by default); SpecError when it
    cannot be read or is not an OpenAPI document (JSON is YAML too)."""
    path = pinned_spec_path() if path is None else path
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ~10x faster
    try:
        with path.open("rb") as f:
            document = yaml.load(f, Loader=loader)
    except OSError as exc:
        raise SpecError(f"cannot read the spec {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise SpecError(f"{path} is not valid YAML or JSON{line}") from None
    return Spec(document, source=str(path))


@functools.cache
def pinned_spec() -> Spec:
    """The pinned spec, loaded once per process (it is read-only)."""
    return load_spec()
