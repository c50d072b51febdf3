"""Request validation compiled from the spec: query and path parameters, and the JSON body.

Raw strings are coerced to the parameter's schema type (query strings carry no types), then
every value goes through a validator compiled once from the spec's schema. Errors become
HubSpot's VALIDATION_ERROR with one ``errors[]`` entry per problem. Nothing here restates a
field rule; only the mapping of validator findings to HubSpot's wording lives here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

import jsonschema_rs
import orjson

from commprefs_spec.model import JSON, Operation, Parameter
from mock_server.errors import ApiError, detail, validation_error

_INTEGER = re.compile(r"-?[0-9]+")
_BOOLEANS = {"true": True, "false": False}
# jsonschema keyword -> HubSpot-style detail code.
_CODES = {
    "required": "REQUIRED",
    "type": "INVALID_TYPE",
    "enum": "INVALID_ENUM",
    "minimum": "OUT_OF_RANGE",
    "maximum": "OUT_OF_RANGE",
}
# A display name ("Ann <ann@example.com>") is not an email address.
_EMAIL = jsonschema_rs.EmailOptions(allow_display_text=False)


def compile_schema(schema: JSON) -> jsonschema_rs.Validator:
    """A compiled validator with format checks (email, date-time, uuid) switched on."""
    return jsonschema_rs.validator_for(schema, validate_formats=True, email_options=_EMAIL)


def _location(parts: list[str | int]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _code(error: jsonschema_rs.ValidationError) -> str:
    kind = error.kind.name
    if kind == "format":
        fmt = getattr(error.kind, "format", "")
        return "INVALID_EMAIL" if fmt == "email" else "INVALID_FORMAT"
    return _CODES.get(kind, "INVALID")


def _detail(error: jsonschema_rs.ValidationError, prefix: list[str | int]) -> JSON:
    path = [*prefix, *error.instance_path]
    if error.kind.name == "required":
        path.append(getattr(error.kind, "property", ""))
    return detail(error.message, in_=_location(path) or "body", code=_code(error))


@dataclass
class BodyResult:
    """A parsed, schema-valid body."""

    value: Any


class _Param:
    __slots__ = ("param", "validator")

    def __init__(self, param: Parameter) -> None:
        self.param = param
        self.validator = compile_schema(param.schema)

    def coerce(self, raw: str, where: str) -> Any:
        kind = self.param.type
        value: Any = raw
        if kind == "boolean":
            if raw not in _BOOLEANS:
                raise self._invalid(raw, where, "must be true or false")
            value = _BOOLEANS[raw]
        elif kind == "integer":
            if not _INTEGER.fullmatch(raw):
                raise self._invalid(raw, where, "must be an integer")
            value = int(raw)
        if not self.validator.is_valid(value):
            first = next(iter(self.validator.iter_errors(value)))
            raise self._invalid(raw, where, first.message, _code(first))
        return value

    def _invalid(self, raw: str, where: str, why: str, code: str = "INVALID_TYPE") -> ApiError:
        name = self.param.name
        return validation_error(
            f"Invalid value {raw!r} for {where} parameter '{name}': {why}",
            [detail(why, in_=name, code=code)],
        )


class OperationValidator:
    """Validators of one operation, compiled once when the app is created."""

    def __init__(self, op: Operation) -> None:
        self.op = op
        self._query = {p.name: _Param(p) for p in op.parameters if p.location == "query"}
        self._path = {p.name: _Param(p) for p in op.parameters if p.location == "path"}
        self._defaults = {
            name: p.param.default for name, p in self._query.items() if p.param.default is not None
        }
        self._required = [name for name, p in self._query.items() if p.param.required]
        self._body = compile_schema(op.body_schema) if op.body_schema is not None else None
        # Clients repeat the same few query strings; parsing one is pure, so remember it.
        self._query_cache: dict[bytes, Mapping[str, Any]] = {}

    def query(self, query_string: bytes) -> Mapping[str, Any]:
        """Known query parameters, coerced and validated; unknown ones are ignored.

        The mapping may be shared between requests: read it, never change it."""
        cached = self._query_cache.get(query_string)
        if cached is not None:
            return cached
        values = self._parse_query(query_string)
        if len(self._query_cache) >= 256:
            self._query_cache.clear()
        self._query_cache[query_string] = values
        return values

    def _parse_query(self, query_string: bytes) -> dict[str, Any]:
        values = dict(self._defaults)
        seen: set[str] = set()
        if query_string:
            for pair in query_string.decode("latin-1").split("&"):
                if not pair:
                    continue
                raw_name, _, raw_value = pair.partition("=")
                name = unquote_plus(raw_name)
                spec = self._query.get(name)
                if spec is None:
                    continue
                if name in seen:
                    raise validation_error(
                        f"Query parameter '{name}' was given more than once",
                        [detail("Give the parameter once", in_=name, code="DUPLICATE")],
                    )
                seen.add(name)
                values[name] = spec.coerce(unquote_plus(raw_value), "query")
        for name in self._required:
            if name not in seen:
                raise validation_error(
                    f"Query parameter '{name}' is required",
                    [detail(f"'{name}' is required", in_=name, code="REQUIRED")],
                )
        return values

    def path(self, params: Mapping[str, str]) -> dict[str, Any]:
        return {name: self._path[name].coerce(raw, "path") for name, raw in params.items()}

    def body(self, raw: bytes) -> BodyResult:
        """Parse and validate the JSON body; any schema problem rejects the request."""
        if self._body is None:
            return BodyResult(None)
        if not raw.strip():
            if self.op.body_required:
                raise invalid_json(1, 1, "No content to map due to end-of-input")
            return BodyResult(None)
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise invalid_json(exc.lineno, exc.colno, exc.msg) from None
        if self._body.is_valid(value):
            return BodyResult(value)
        raise self._body_error(raw, list(self._body.iter_errors(value)))

    def _body_error(self, raw: bytes, errors: list[jsonschema_rs.ValidationError]) -> ApiError:
        details = [_detail(e, []) for e in errors]
        missing = [
            getattr(e.kind, "property", "")
            for e in errors
            if e.kind.name == "required" and not e.instance_path
        ]
        if missing and self.op.body_schema_name:
            lines = raw.decode("utf-8", "replace").rstrip().split("\n")
            why = (
                f"Cannot build {self.op.body_schema_name}, some of required attributes are not "
                f"set [{', '.join(missing)}]"
            )
            return ApiError(
                400,
                "VALIDATION_ERROR",
                _json_message(len(lines), len(lines[-1]), why),
                errors=details,
            )
        first = details[0]
        return validation_error(f"Invalid input JSON: {first['in']}: {first['message']}", details)


def _json_message(line: int, column: int, why: str) -> str:
    return f"Invalid input JSON on line {line}, column {column}: {why}"


def invalid_json(line: int, column: int, why: str) -> ApiError:
    return validation_error(
        _json_message(line, column, why),
        [detail(why, in_="body", code="INVALID_JSON")],
    )
