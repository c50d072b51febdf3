"""The proxy's one window onto the pinned spec.

Everything the proxy and the traffic validator know about operations, parameters, bodies and
declared responses comes through here, and this module only re-exposes what the one spec model
loads (commprefs_spec: the document converted to plain JSON Schema, raw-path matching) with the
mock's compiled jsonschema_rs validators (mock_server/validation.py).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema_rs

from commprefs_spec.model import JSON, Operation, Parameter, Spec, pinned_spec
from commprefs_spec.routing import Router
from mock_server.validation import compile_schema

__all__ = [
    "JSON",
    "OperationView",
    "ParameterView",
    "Route",
    "SpecView",
    "compile_schema",
    "spec_view",
]


@dataclass(frozen=True)
class ParameterView:
    name: str
    location: str  # "path" or "query"
    required: bool
    schema: JSON
    type: str  # the JSON type a raw string is read as: string, integer, boolean
    validator: jsonschema_rs.Validator


@dataclass(frozen=True)
class OperationView:
    """One operation: what a request may carry and which answers are declared."""

    operation_id: str
    method: str
    path: str
    query: Mapping[str, ParameterView]
    path_params: Mapping[str, ParameterView]
    body_schema: JSON | None
    body_validator: jsonschema_rs.Validator | None
    body_required: bool
    responses: Mapping[str, Mapping[str, JSON]]  # "200" / "4XX" / "default" -> media -> schema
    read_only: bool
    retry_safe: bool
    secured: bool  # the spec requires a token (every operation of this API)

    def declared(self, status: int) -> tuple[str, Mapping[str, JSON]] | None:
        """The response entry covering ``status``: exact code, then its range, then default."""
        for key in (str(status), f"{status // 100}XX", "default"):
            found = self.responses.get(key)
            if found is not None:
                return key, found
        return None

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class Route:
    """Where a request lands: an operation, a known path with another method, or nothing."""

    operation: OperationView | None
    path_known: bool
    path_params: Mapping[str, str]  # percent-decoded


def _read_only(op: Operation) -> bool:
    """An operation changes nothing when one of its scope sets holds only read scopes.

    Judged from the spec's security requirements (HubSpot grants write scopes to anything that
    changes statuses): get_definitions, get_statuses, get_unsubscribe_all_status and the two
    batch reads qualify. generate_links needs `communication_preferences.write`, so it counts
    as a write and is left out of read-only runs, though it changes no status.
    """
    if op.method not in ("GET", "POST"):
        return False
    return any(scopes and all(s.endswith(".read") for s in scopes) for scopes in op.scope_sets)


def _param(p: Parameter) -> ParameterView:
    return ParameterView(
        name=p.name,
        location=p.location,
        required=p.required,
        schema=p.schema,
        type=p.type,
        validator=compile_schema(p.schema),
    )


class SpecView:
    """Operations of one spec, a router over their raw paths, and compiled validators."""

    def __init__(self, spec: Spec) -> None:
        self._spec = spec
        self.operations: dict[str, OperationView] = {}
        for op in spec.operations.values():
            self.operations[op.operation_id] = OperationView(
                operation_id=op.operation_id,
                method=op.method,
                path=op.path,
                query={p.name: _param(p) for p in op.parameters if p.location == "query"},
                path_params={p.name: _param(p) for p in op.parameters if p.location == "path"},
                body_schema=op.body_schema,
                body_validator=(
                    compile_schema(op.body_schema) if op.body_schema is not None else None
                ),
                body_required=op.body_required,
                responses=op.responses,
                read_only=_read_only(op),
                retry_safe=op.retry_safe,
                secured=any(op.scope_sets),
            )
        self._router = Router(spec.operations.values())
        self._validators: dict[int, jsonschema_rs.Validator] = {}

    def route(self, method: str, raw_path: str) -> Route:
        """The operation for ``method`` and the still percent-encoded ``raw_path``."""
        match = self._router.match(method.upper(), raw_path)
        if match is None:
            return Route(None, False, {})
        op = self.operations[match.operation.operation_id] if match.operation else None
        return Route(op, True, match.path_params)

    def validator(self, schema: JSON) -> jsonschema_rs.Validator:
        """A compiled validator for a schema taken from this view (cached per schema object,
        so only for schemas that live as long as the view)."""
        key = id(schema)
        found = self._validators.get(key)
        if found is None:
            found = self._validators[key] = compile_schema(schema)
        return found

    @property
    def read_only_operations(self) -> tuple[str, ...]:
        return tuple(op.operation_id for op in self.operations.values() if op.read_only)

    @property
    def write_operations(self) -> tuple[str, ...]:
        return tuple(op.operation_id for op in self.operations.values() if not op.read_only)


@functools.cache
def spec_view() -> SpecView:
    """The pinned spec's view, built once per process."""
    return SpecView(pinned_spec())


def subschema(schema: Any, path: list[str | int]) -> Any:
    """The node at a JSON-Schema ``schema_path`` inside ``schema`` (None when absent)."""
    node = schema
    for part in path:
        if isinstance(part, str):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        elif isinstance(node, list) and 0 <= part < len(node):
            node = node[part]
        else:
            return None
    return node
