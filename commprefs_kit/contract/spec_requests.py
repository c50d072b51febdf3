"""Does an HTTP request match the pinned spec? (method, path template, parameters, body, headers)

Used to judge the requests the generated client builds (captured with an httpx transport).
Operations, their path matching and schemas come from the one spec model (commprefs_spec).
Parameter values arrive as text; they are read the way the spec's `form` style writes them
(`true`/`false`, decimal integers) and then validated against their schemas.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from commprefs_kit.contract.spec_schemas import SpecSchemas
from commprefs_spec import Operation, Spec, pinned_spec


def operations(spec: Spec | None = None) -> list[Operation]:
    """Every operation of the spec (the pinned one by default), in the spec's order."""
    return list((spec or pinned_spec()).operations.values())


def _read_text(value: str, schema: Mapping[str, Any], schemas: SpecSchemas) -> Any:
    """A parameter's text as the JSON value its schema describes (form style, no explode)."""
    kind = schemas.resolve(schema).get("type")
    if kind == "boolean":
        return {"true": True, "false": False}.get(value, value)
    if kind == "integer" and re.fullmatch(r"-?\d+", value):
        return int(value)
    return value


def request_problems(
    operation: Operation, request: httpx.Request, schemas: SpecSchemas
) -> list[str]:
    """Why `request` is not a valid call of `operation` (empty when it is)."""
    problems: list[str] = []
    if request.method != operation.method:
        problems.append(f"method {request.method}, spec says {operation.method}")
    raw_path = request.url.raw_path.decode("ascii", errors="replace").split("?", 1)[0]
    # The base URL may add a path of its own before the spec's paths.
    prefix = schemas.spec.prefix
    spec_path = raw_path[raw_path.find(prefix) :] if prefix and prefix in raw_path else raw_path
    match = schemas.spec.match(operation.method, spec_path)
    if match is None or match.operation is not operation:
        problems.append(f"path {raw_path} does not match {operation.path}")
    else:
        for parameter in operation.parameters:
            if parameter.location != "path":
                continue
            # The router percent-decodes a segment only: `+` stays a plus sign.
            value = match.path_params[parameter.name]
            for error in schemas.errors(parameter.schema, value):
                problems.append(f"path parameter {parameter.name}={value!r}: {error}")
    problems += _query_problems(operation, request, schemas)
    problems += _body_problems(operation, request, schemas)
    authorization = request.headers.get("authorization", "")
    if not authorization.startswith("Bearer ") or len(authorization) <= len("Bearer "):
        problems.append("no `Authorization: Bearer <token>` header")
    return problems


def _query_problems(
    operation: Operation, request: httpx.Request, schemas: SpecSchemas
) -> list[str]:
    problems = []
    declared = {p.name: p for p in operation.parameters if p.location == "query"}
    sent = parse_qsl(urlsplit(str(request.url)).query, keep_blank_values=True)
    names = [name for name, _ in sent]
    for name in sorted(set(names)):
        if name not in declared:
            problems.append(f"query parameter {name!r} is not in the spec")
        elif names.count(name) > 1:
            problems.append(f"query parameter {name!r} sent {names.count(name)} times")
    for name, parameter in declared.items():
        if parameter.required and name not in names:
            problems.append(f"required query parameter {name!r} is missing")
    for name, text in sent:
        if name in declared:
            value = _read_text(text, declared[name].schema, schemas)
            for error in schemas.errors(declared[name].schema, value):
                problems.append(f"query parameter {name}={text!r}: {error}")
    return problems


def _body_problems(operation: Operation, request: httpx.Request, schemas: SpecSchemas) -> list[str]:
    content = request.content
    if operation.body_schema is None:
        return [f"a body ({len(content)} bytes) the spec does not declare"] if content else []
    if not content:
        return ["the required body is missing"] if operation.body_required else []
    problems = []
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        problems.append(f"Content-Type {content_type!r}, spec says application/json")
    try:
        body = json.loads(content)
    except ValueError as exc:
        return [*problems, f"body is not JSON: {exc}"]
    problems += [f"body {error}" for error in schemas.errors(operation.body_schema, body)]
    return problems
