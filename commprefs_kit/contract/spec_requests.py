"""Does an HTTP request match the pinned spec? (method, path template, parameters, body, headers)

Used to judge the requests the generated client builds (captured with an httpx transport).
Parameter values arrive as text; they are read the way the spec's `form` style writes them
(`true`/`false`, decimal integers) and then validated against their schemas.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import httpx

from commprefs_kit.contract.spec_schemas import SpecSchemas, load_spec

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


@dataclass(frozen=True)
class OperationSpec:
    operation_id: str
    method: str
    path: str
    parameters: tuple[Mapping[str, Any], ...]
    body_schema: Mapping[str, Any] | None
    body_required: bool
    # Status code -> JSON schema of the 2xx answers.
    success: Mapping[int, Mapping[str, Any]]

    @property
    def path_pattern(self) -> re.Pattern[str]:
        pattern = re.sub(r"\\\{([^}]+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.path))
        return re.compile(pattern + "$")

    def parameters_in(self, location: str) -> list[Mapping[str, Any]]:
        return [p for p in self.parameters if p["in"] == location]


def _resolve(spec: Mapping[str, Any], node: Any) -> Any:
    while isinstance(node, Mapping) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def operations(spec: Mapping[str, Any] | None = None) -> list[OperationSpec]:
    """Every operation of the spec, parameters and bodies resolved."""
    spec = load_spec() if spec is None else spec
    found = []
    for path, item in spec["paths"].items():
        shared = [_resolve(spec, p) for p in item.get("parameters", [])]
        for method in HTTP_METHODS:
            if method not in item:
                continue
            operation = item[method]
            own = [_resolve(spec, p) for p in operation.get("parameters", [])]
            names = {(p["in"], p["name"]) for p in own}
            parameters = tuple(own + [p for p in shared if (p["in"], p["name"]) not in names])
            body = _resolve(spec, operation.get("requestBody"))
            body_schema = body["content"]["application/json"]["schema"] if body else None
            success = {}
            for code, response in operation["responses"].items():
                if str(code).isdigit() and 200 <= int(code) < 300:
                    content = _resolve(spec, response).get("content", {})
                    success[int(code)] = content["application/json"]["schema"]
            found.append(
                OperationSpec(
                    operation_id=operation["operationId"],
                    method=method.upper(),
                    path=path,
                    parameters=parameters,
                    body_schema=body_schema,
                    body_required=bool(body and body.get("required")),
                    success=success,
                )
            )
    return found


def _read_text(value: str, schema: Mapping[str, Any], schemas: SpecSchemas) -> Any:
    """A parameter's text as the JSON value its schema describes (form style, no explode)."""
    kind = schemas.resolve(schema).get("type")
    if kind == "boolean":
        return {"true": True, "false": False}.get(value, value)
    if kind == "integer" and re.fullmatch(r"-?\d+", value):
        return int(value)
    return value


def request_problems(
    operation: OperationSpec, request: httpx.Request, schemas: SpecSchemas
) -> list[str]:
    """Why `request` is not a valid call of `operation` (empty when it is)."""
    problems: list[str] = []
    if request.method != operation.method:
        problems.append(f"method {request.method}, spec says {operation.method}")
    raw_path = urlsplit(str(request.url)).path
    match = operation.path_pattern.search(raw_path)
    if match is None:
        problems.append(f"path {raw_path} does not match {operation.path}")
    else:
        for parameter in operation.parameters_in("path"):
            # A path segment is percent-decoded only: `+` stays a plus sign.
            value = unquote(match.group(parameter["name"]))
            for error in schemas.errors(parameter["schema"], value):
                problems.append(f"path parameter {parameter['name']}={value!r}: {error}")
    problems += _query_problems(operation, request, schemas)
    problems += _body_problems(operation, request, schemas)
    authorization = request.headers.get("authorization", "")
    if not authorization.startswith("Bearer ") or len(authorization) <= len("Bearer "):
        problems.append("no `Authorization: Bearer <token>` header")
    return problems


def _query_problems(
    operation: OperationSpec, request: httpx.Request, schemas: SpecSchemas
) -> list[str]:
    problems = []
    declared = {p["name"]: p for p in operation.parameters_in("query")}
    sent = parse_qsl(urlsplit(str(request.url)).query, keep_blank_values=True)
    names = [name for name, _ in sent]
    for name in sorted(set(names)):
        if name not in declared:
            problems.append(f"query parameter {name!r} is not in the spec")
        elif names.count(name) > 1:
            problems.append(f"query parameter {name!r} sent {names.count(name)} times")
    for name, parameter in declared.items():
        if parameter.get("required") and name not in names:
            problems.append(f"required query parameter {name!r} is missing")
    for name, text in sent:
        if name in declared:
            value = _read_text(text, declared[name]["schema"], schemas)
            for error in schemas.errors(declared[name]["schema"], value):
                problems.append(f"query parameter {name}={text!r}: {error}")
    return problems


def _body_problems(
    operation: OperationSpec, request: httpx.Request, schemas: SpecSchemas
) -> list[str]:
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
