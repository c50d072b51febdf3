"""The pinned spec's component schemas as JSON Schema: Hypothesis strategies and validators.

Schemathesis only generates requests; the client-side tests also need response instances.
The schemas are those of the one spec model (commprefs_spec: its OpenAPI-to-JSON-Schema
conversion); instances are drawn with Schemathesis' JSON-Schema-to-Hypothesis builder and format
strategies, rather than adding hypothesis-jsonschema. Those are Schemathesis internals: the
version is pinned exactly (schemathesis==4.32.5) and tests/contract/test_spec_tools.py fails
loudly if they move.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs
from hypothesis import strategies as st
from schemathesis.generation.jsonschema.builder import build
from schemathesis.specs.openapi.formats import get_default_format_strategies

from commprefs_spec import Spec, pinned_spec

COMPONENT_REF = "#/components/schemas/"
DEFINITIONS_REF = "#/definitions/"
# Formats the spec uses and the strategies that draw them (RFC 3339 date-times, emails, UUIDs).
USED_FORMATS = ("date-time", "email", "uuid")


def _to_definitions(value: Any) -> Any:
    """Point component `$ref`s at `definitions`, where a standalone JSON Schema keeps them."""
    text = json.dumps(value).replace(COMPONENT_REF, DEFINITIONS_REF)
    return json.loads(text)


@dataclass(frozen=True)
class SpecSchemas:
    """Component schemas converted once; `schema(name)` is a standalone JSON Schema."""

    definitions: dict[str, Any]
    #: The spec model the schemas come from (its operations, matching and prefix).
    spec: Spec = field(default_factory=pinned_spec, compare=False)
    _validators: dict[str, jsonschema_rs.Validator] = field(default_factory=dict, compare=False)

    @classmethod
    def from_spec(cls, spec: Spec | None = None) -> SpecSchemas:
        spec = pinned_spec() if spec is None else spec
        components = spec.document.get("components", {}).get("schemas", {})
        return cls(definitions={name: spec.component(name) for name in components}, spec=spec)

    @property
    def names(self) -> list[str]:
        return sorted(self.definitions)

    def standalone(self, schema: Any) -> dict[str, Any]:
        """A JSON Schema for `schema` (which may `$ref` components) with all definitions."""
        return {**_to_definitions(schema), "definitions": self.definitions}

    def schema(self, name: str) -> dict[str, Any]:
        return self.standalone({"$ref": f"{DEFINITIONS_REF}{name}"})

    def resolve(self, schema: Any) -> Any:
        """Follow `$ref` (and a lone `allOf` wrapper) to the schema that says what a value is."""
        seen = 0
        while isinstance(schema, Mapping) and seen < 20:
            seen += 1
            if "$ref" in schema:
                name = schema["$ref"].removeprefix(DEFINITIONS_REF).removeprefix(COMPONENT_REF)
                schema = self.definitions[name]
            elif "allOf" in schema and len(schema["allOf"]) == 1 and "type" not in schema:
                schema = schema["allOf"][0]
            elif "anyOf" in schema and "type" not in schema:
                # `nullable` became anyOf [schema, null]: the non-null branch says what it is.
                branches = [b for b in schema["anyOf"] if b != {"type": "null"}]
                if len(branches) != 1:
                    return schema
                schema = branches[0]
            else:
                return schema
        return schema

    def strategy(self, name: str, *, closed: bool = True) -> st.SearchStrategy[Any]:
        """Valid instances of component `name`. `closed` leaves out properties the schema does
        not name and keeps arrays short (deep instances are slow to draw; the drift tests add
        unknown properties of their own)."""
        definitions = _closed(self.definitions) if closed else self.definitions
        return strategy_for({"$ref": f"{DEFINITIONS_REF}{name}", "definitions": definitions})

    def validator(self, schema: Any) -> jsonschema_rs.Validator:
        key = json.dumps(schema, sort_keys=True)
        cached = self._validators.get(key)
        if cached is None:
            cached = jsonschema_rs.Draft4Validator(self.standalone(schema), validate_formats=True)
            self._validators[key] = cached
        return cached

    def errors(self, schema: Any, instance: Any) -> list[str]:
        return [
            f"{'/'.join(map(str, error.instance_path)) or '(root)'}: {error.message}"
            for error in self.validator(schema).iter_errors(instance)
        ]

    def enum_properties(self, name: str) -> Iterator[tuple[str, list[str]]]:
        """(property, allowed values) for each top-level property of `name` that is an enum."""
        schema = self.definitions[name]
        for prop, prop_schema in schema.get("properties", {}).items():
            resolved = self.resolve(prop_schema)
            if isinstance(resolved, Mapping) and "enum" in resolved:
                yield prop, list(resolved["enum"])


# Longest array drawn for the client-side properties: nesting makes longer ones slow to draw and
# adds nothing a model's (item-by-item) parsing would treat differently.
MAX_DRAWN_ITEMS = 3


def _closed(value: Any) -> Any:
    """A copy in which object schemas that say nothing about extra properties forbid them and
    arrays hold at most MAX_DRAWN_ITEMS items."""
    if isinstance(value, list):
        return [_closed(item) for item in value]
    if not isinstance(value, dict):
        return value
    out = {key: _closed(item) for key, item in value.items()}
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    if out.get("type") == "array" and "maxItems" not in out:
        out["maxItems"] = MAX_DRAWN_ITEMS
    return out


@functools.cache
def _formats() -> dict[str, st.SearchStrategy[Any]]:
    defaults = get_default_format_strategies()
    return {name: defaults[name] for name in USED_FORMATS}


def strategy_for(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Instances of a standalone JSON Schema (draft 4, as converted from OpenAPI 3.0)."""
    return build(schema, draft=4, formats=_formats())


def normalize(value: Any, schema: Any, schemas: SpecSchemas) -> Any:
    """`value` with its date-times parsed, so that equal instants in other spellings compare equal
    (`Z` vs `+00:00`, `.5` vs `.500000`). Guided by the schema, so free text stays text."""
    resolved = schemas.resolve(schema)
    if value is None or not isinstance(resolved, Mapping):
        return value
    if isinstance(value, str) and resolved.get("format") == "date-time":
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        # (wall time, offset) rather than the instant: no overflow near year 1 or 9999.
        return (parsed.replace(tzinfo=None), parsed.utcoffset())
    if isinstance(value, list):
        return [normalize(item, resolved.get("items", {}), schemas) for item in value]
    if isinstance(value, dict):
        properties = resolved.get("properties", {})
        extra = resolved.get("additionalProperties", {})
        return {
            key: normalize(
                item, properties.get(key, extra if isinstance(extra, dict) else {}), schemas
            )
            for key, item in value.items()
        }
    return value
