"""Judge one exchange against the pinned spec: the request first (so ``--strict`` can refuse it
before it is sent), then the answer. Produces `Finding`s; classifies them with findings.py.

Schema rules are checked by jsonschema_rs validators compiled from the spec (spec_view.py);
this module only maps a validator's error to a finding kind. Two things JSON Schema cannot say
are walked here by hand: fields the spec does not know (the spec's objects allow extra fields,
as HubSpot adds fields without notice, so a validator never reports them), and the branch of a
``nullable`` wrapper (``anyOf: [X, null]``) that actually failed, so that an unknown enum value
inside a nullable field is reported as one. HubSpot's error body, correlation id, 429 guidance
and one-result-per-batch-input rules are the contract suite's own checks
(commprefs_kit/contract/checks.py), run on the exchange through small adapters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote_plus

import jsonschema_rs
import orjson

from commprefs_kit.contract import checks
from commprefs_kit.proxy.exchange import Exchange
from commprefs_kit.proxy.findings import Finding, advice, severity_for
from commprefs_kit.proxy.spec_view import (
    JSON,
    OperationView,
    ParameterView,
    SpecView,
    compile_schema,
    subschema,
)
from commprefs_kit.proxy.state import Memory
from commprefs_kit.specdiff.model import Side

CORRELATION_HEADER = "x-hubspot-correlation-id"
AUTH_WHERE = "request header authorization"
_INTEGER = re.compile(r"-?[0-9]+")
_BOOLEANS = {"true": True, "false": False}
_NULL = {"type": "null"}
# Error-body fields the error-body and correlation-id checks report more precisely than the
# schema's `required`/`format` would.
_ERROR_FIELDS = frozenset({"category", "message", "correlationId", "status"})
_CONSTRAINTS = frozenset(
    {
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "pattern",
        "multipleOf",
        "uniqueItems",
        "minProperties",
        "maxProperties",
    }
)


@dataclass
class Problem:
    """A finding before its severity is known (request findings wait for the answer)."""

    kind: str
    change: str | None
    where: str
    detail: str
    blocking: bool = True  # --strict refuses a request with a blocking problem


@dataclass
class RequestCheck:
    operation: OperationView | None
    label: str  # operationId, or "METHOD /path" for requests outside the spec
    problems: list[Problem] = field(default_factory=list)
    body: Any = None  # the parsed JSON body, when it parsed
    contact: str | None = None  # the path's subscriberIdString, percent-decoded
    unit: int = 0  # the businessUnitId query parameter (0, the default unit, when absent)

    @property
    def blocking(self) -> list[Problem]:
        return [p for p in self.problems if p.blocking]


def _location(parts: list[str | int]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _short(value: Any, limit: int = 60) -> str:
    text = orjson.dumps(value).decode() if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _at(instance: Any, path: list[str | int]) -> Any:
    node = instance
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


class Judge:
    """Checks exchanges against one spec view."""

    def __init__(self, view: SpecView, memory: Memory | None = None) -> None:
        self.view = view
        self.memory = memory if memory is not None else Memory()
        self._unit = 0  # businessUnitId of the request being judged (set by _query)
        self._closed: dict[int, jsonschema_rs.Validator] = {}

    # ---- requests ---------------------------------------------------------------------
    def request(self, ex: Exchange) -> RequestCheck:
        route = self.view.route(ex.method, ex.raw_path)
        op = route.operation
        if op is None:
            label = f"{ex.method.upper()} {ex.raw_path}"
            why = (
                f"method {ex.method.upper()} is not declared for this path"
                if route.path_known
                else "path not in the pinned spec"
            )
            return RequestCheck(
                None,
                label,
                [Problem("unknown-operation", "operation-added", "request", why, blocking=False)],
            )
        check = RequestCheck(
            op, op.operation_id, contact=route.path_params.get("subscriberIdString")
        )
        for name, raw in route.path_params.items():
            param = op.path_params.get(name)
            if param is not None:
                check.problems += self._param(param, raw, "path")
        self._unit = 0
        check.problems += self._query(op, ex.query)
        check.unit = self._unit
        check.problems += self._body(op, ex, check)
        if op.secured and not _has_bearer(ex):
            check.problems.append(
                Problem(
                    "request-schema",
                    "security-requirement-removed",
                    AUTH_WHERE,
                    "no `Authorization: Bearer <token>`; the spec requires an OAuth token",
                    blocking=False,  # HubSpot answers it with 401 itself
                )
            )
        return check

    def _param(self, param: ParameterView, raw: str, where: str) -> list[Problem]:
        label = f"request {where} {param.name}"
        value: Any = raw
        if param.type == "boolean":
            if raw not in _BOOLEANS:
                return [
                    Problem("request-schema", "type-changed", label, f"{raw!r} is not a boolean")
                ]
            value = _BOOLEANS[raw]
        elif param.type == "integer":
            if not _INTEGER.fullmatch(raw):
                return [
                    Problem("request-schema", "type-changed", label, f"{raw!r} is not an integer")
                ]
            value = int(raw)
        out = []
        for error in param.validator.iter_errors(value):
            _kind, change = _classify_kind(error, value)
            out.append(Problem("request-schema", change, label, f"{raw!r}: {error.message}"))
        return out

    def _query(self, op: OperationView, query: str) -> list[Problem]:
        seen: dict[str, int] = {}
        out: list[Problem] = []
        for pair in query.split("&") if query else []:
            if not pair:
                continue
            raw_name, _, raw_value = pair.partition("=")
            name = unquote_plus(raw_name)
            seen[name] = seen.get(name, 0) + 1
            param = op.query.get(name)
            if param is None:
                if seen[name] == 1:
                    out.append(
                        Problem(
                            "request-schema",
                            "parameter-added-optional",
                            f"request query {name}",
                            f"query parameter {name!r} is not in the spec",
                            blocking=False,
                        )
                    )
                continue
            if seen[name] == 2:
                out.append(
                    Problem(
                        "request-schema",
                        "constraint-changed",
                        f"request query {name}",
                        f"query parameter {name!r} given more than once",
                    )
                )
            if seen[name] == 1:
                problems = self._param(param, unquote_plus(raw_value), "query")
                out += problems
                if name == "businessUnitId" and not problems:
                    self._unit = int(unquote_plus(raw_value))
        for name, param in op.query.items():
            if param.required and name not in seen:
                out.append(
                    Problem(
                        "request-schema",
                        "parameter-made-optional",
                        f"request query {name}",
                        f"required query parameter {name!r} is missing",
                    )
                )
        return out

    def _body(self, op: OperationView, ex: Exchange, check: RequestCheck) -> list[Problem]:
        raw = ex.request_body
        if op.body_schema is None or op.body_validator is None:
            if raw.strip():
                return [
                    Problem(
                        "request-schema",
                        "request-body-added-optional",
                        "request body",
                        f"a body ({len(raw)} bytes) the spec does not declare",
                        blocking=False,
                    )
                ]
            return []
        if not raw.strip():
            if op.body_required:
                return [
                    Problem(
                        "request-schema",
                        "request-body-made-optional",
                        "request body",
                        "the required JSON body is missing",
                    )
                ]
            return []
        out = []
        media = (ex.request_header("content-type") or "").split(";")[0].strip().lower()
        if media != "application/json":
            out.append(
                Problem(
                    "request-schema",
                    "request-media-type-added",
                    "request header content-type",
                    f"content type {media or '(none)'!r}, the spec declares application/json",
                )
            )
        if ex.request_truncated:
            return out  # a recording cut the body short: nothing to judge (the caller says so)
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            out.append(
                Problem("request-schema", "type-changed", "request body", f"not JSON: {exc}")
            )
            return out
        check.body = body
        for kind, change, path, detail in self._schema(op.body_schema, body):
            where = f"request body {_location(path) or '(root)'}"
            if kind == "unknown-field":
                out.append(Problem("request-schema", change, where, detail, blocking=False))
            else:
                out.append(Problem("request-schema", change, where, detail))
        return out

    # ---- responses --------------------------------------------------------------------
    def response(self, check: RequestCheck, ex: Exchange) -> list[Problem]:
        op = check.operation
        status = ex.status
        if op is None or status is None:
            return []
        out: list[Problem] = []
        base = f"response {status}"
        if status >= 500:
            out.append(Problem("server-error", None, base, f"the upstream answered {status}"))
        declared = op.declared(status)
        media = (ex.response_header("content-type") or "").split(";")[0].strip().lower()
        schema: JSON | None = None
        if declared is None:
            change = "response-success-added" if 200 <= status < 300 else "response-error-added"
            codes = ", ".join(op.responses)
            out.append(
                Problem(
                    "undeclared-status",
                    change,
                    base,
                    f"status {status} is not declared (declared: {codes})",
                )
            )
        else:
            key, contents = declared
            if contents:
                if media not in contents:
                    out.append(
                        Problem(
                            "content-type",
                            "response-media-type-added",
                            f"{base} header content-type",
                            f"content type {media or '(none)'!r}; the spec declares "
                            f"{', '.join(contents)} for {key}",
                        )
                    )
                else:
                    schema = contents[media]
        payload: Any = None
        is_json = "json" in media
        if is_json and ex.response_truncated:
            is_json = False  # a recording cut the body short (the caller says so)
        elif is_json:
            try:
                payload = orjson.loads(ex.response_body)
            except orjson.JSONDecodeError as exc:
                out.append(
                    Problem("response-schema", "type-changed", f"{base} body", f"not JSON: {exc}")
                )
                is_json = False
        if schema is not None and is_json:
            error_body = status >= 400
            for kind, change, path, detail in self._schema(schema, payload):
                if error_body and len(path) == 1 and path[0] in _ERROR_FIELDS:
                    continue  # the error-body check below words it better
                where = f"{base} body {_location(path) or '(root)'}"
                out.append(Problem(kind, change, where, detail))
        if is_json:
            out += self._suite_checks(check, ex, payload)
            for broken in self.memory.observe(
                check.label, check.contact, check.unit, check.body, status, payload
            ):
                out.append(Problem(broken.kind, None, f"{base} {broken.where}", broken.detail))
        if 200 <= status < 300 and not _has_bearer(ex):
            out.append(
                Problem(
                    "auth-not-enforced",
                    None,
                    base,
                    "answered 2xx to a request without an `Authorization: Bearer` token",
                )
            )
        return out

    def _suite_checks(self, check: RequestCheck, ex: Exchange, payload: Any) -> list[Problem]:
        response = _ResponseAdapter(ex, payload)
        case = _CaseAdapter(check, check.body)
        out = []
        suite: tuple[tuple[Callable[..., Any], str], ...] = (
            (checks.hubspot_error_body, "error-body"),
            (checks.correlation_id_header, "correlation-id"),
            (checks.rate_limit_guidance, "rate-limit-guidance"),
            (checks.batch_result_per_input, "batch-result-per-input"),
        )
        for rule, kind in suite:
            if rule is checks.batch_result_per_input and _batch_answers_exactly(check, payload):
                continue  # the rule holds trivially; the check's general matching is O(n^2)
            try:
                rule(None, response, case)
            except AssertionError as exc:
                text = str(exc)
                if kind == "error-body" and "correlationId" in text and text.count(";") == 0:
                    kind = "correlation-id"
                change = "property-made-optional" if kind in ("error-body",) else None
                out.append(Problem(kind, change, f"response {ex.status} body", text))
        return out

    # ---- schema walking -----------------------------------------------------------------
    def _schema(self, schema: JSON, instance: Any) -> list[tuple[str, str, list[str | int], str]]:
        out: list[tuple[str, str, list[str | int], str]] = []
        for error in self.view.validator(schema).iter_errors(instance):
            out += self._classify(schema, instance, error, [])
        # Fast path: the schema with every declared object closed (additionalProperties:
        # false) accepts the instance, so no field is unknown; only otherwise walk it here.
        closed = self._closed.get(id(schema))
        if closed is None:
            closed = self._closed[id(schema)] = compile_schema(_closed_schema(schema))
        unknown = [] if closed.is_valid(instance) else _unknown_fields(schema, instance, [])
        for path, value in unknown:
            out.append(
                ("unknown-field", "property-added", path, f"`{_location(path)}: {_short(value)}`")
            )
        return _collapse(out)

    def _classify(
        self,
        schema: Any,
        instance: Any,
        error: jsonschema_rs.ValidationError,
        prefix: list[str | int],
    ) -> list[tuple[str, str, list[str | int], str]]:
        path: list[str | int] = [*prefix, *error.instance_path]
        value = _at(instance, list(error.instance_path))
        name = error.kind.name
        if name in ("anyOf", "oneOf"):
            branches = subschema(schema, list(error.schema_path))
            if isinstance(branches, list):
                real = [b for b in branches if b != _NULL]
                if value is not None and len(real) == 1 and isinstance(real[0], dict):
                    out = []
                    for inner in self.view.validator(real[0]).iter_errors(value):
                        out += self._classify(real[0], value, inner, path)
                    return out
        if name == "required":
            missing = getattr(error.kind, "property", "")
            full = [*path, missing]
            return [
                (
                    "missing-required-field",
                    "property-made-optional",
                    full,
                    f"`{_location(full)}` (required)",
                )
            ]
        kind, change = _classify_kind(error, value)
        where = _location(path) or "(root)"
        if kind == "unknown-enum-value":
            detail = f"`{where}: {_short(value)}`"
        elif kind == "wrong-type":
            detail = f"`{where}` is {_short(value)}: {error.message}"
        else:
            detail = f"`{where}`: {error.message}"
        return [(kind, change, path, detail)]


_INDEX = re.compile(r"\[[0-9]+\]")


def _collapse(
    found: list[tuple[str, str, list[str | int], str]],
) -> list[tuple[str, str, list[str | int], str]]:
    """One problem per kind and place: the same fault in every item of a batch answer is one
    finding (the first item's, with the number of items), not one per item."""
    groups: dict[tuple[str, str], list[tuple[str, str, list[str | int], str]]] = {}
    for item in found:
        groups.setdefault((item[0], _INDEX.sub("[]", _location(item[2]))), []).append(item)
    out = []
    for items in groups.values():
        kind, change, path, detail = items[0]
        if len(items) > 1:
            detail += f" (and {len(items) - 1} more items)"
        out.append((kind, change, path, detail))
    return out


def _classify_kind(error: jsonschema_rs.ValidationError, value: Any) -> tuple[str, str]:
    name = error.kind.name
    if name in ("type", "anyOf", "oneOf") and value is None:
        return "wrong-type", "made-nullable"
    if name == "type":
        return "wrong-type", "type-changed"
    if name in ("enum", "constant"):
        return "unknown-enum-value", "enum-widened"
    if name == "format":
        return "response-schema", "format-removed"
    if name in ("additionalProperties", "unevaluatedProperties"):
        return "unknown-field", "property-added"
    if name in _CONSTRAINTS:
        return "response-schema", "constraint-changed"
    if name in ("anyOf", "oneOf"):
        return "response-schema", "composition-changed"
    return "response-schema", "constraint-changed"


def _closed_schema(schema: Any) -> Any:
    """A copy of ``schema`` where every object that declares ``properties`` and says nothing
    about extra fields refuses them, so a validator finds unknown fields. Objects combined with
    allOf/anyOf/oneOf are left open (closing them would refuse their members' fields)."""
    if isinstance(schema, list):
        return [_closed_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _closed_schema(value) for key, value in schema.items()}
    if (
        "properties" in schema
        and "additionalProperties" not in schema
        and not any(k in schema for k in ("allOf", "anyOf", "oneOf"))
    ):
        out["additionalProperties"] = False
    if "properties" in schema:
        # Property names are data, not schemas: copy them as they are.
        out["properties"] = {k: _closed_schema(v) for k, v in schema["properties"].items()}
    return out


def _properties(schema: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    """Declared properties of an object schema (its allOf members' too), and whether the
    schema declares properties at all (an object without `properties` is open by design)."""
    props: dict[str, Any] = dict(schema.get("properties", {}))
    declared = "properties" in schema
    for member in schema.get("allOf", []):
        if isinstance(member, Mapping):
            more, has = _properties(member)
            props.update(more)
            declared = declared or has
    return props, declared


def _unknown_fields(
    schema: Any, value: Any, path: list[str | int]
) -> list[tuple[list[str | int], Any]]:
    if not isinstance(schema, Mapping):
        return []
    out: list[tuple[list[str | int], Any]] = []
    for key in ("anyOf", "oneOf"):
        real = [b for b in schema.get(key, []) if b != _NULL]
        if value is not None and len(real) == 1:
            out += _unknown_fields(real[0], value, path)
    if isinstance(value, dict):
        props, declared = _properties(schema)
        extra = schema.get("additionalProperties")
        for name, item in value.items():
            if name in props:
                out += _unknown_fields(props[name], item, [*path, name])
            elif isinstance(extra, Mapping):
                out += _unknown_fields(extra, item, [*path, name])
            elif declared and extra is None:
                out.append(([*path, name], item))
        for member in schema.get("allOf", []):
            if isinstance(member, Mapping) and "properties" not in member:
                out += _unknown_fields(member, value, path)
    elif isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for index, item in enumerate(value):
            out += _unknown_fields(schema["items"], item, [*path, index])
    else:
        for member in schema.get("allOf", []):
            out += _unknown_fields(member, value, path)
    return out


def _batch_answers_exactly(check: RequestCheck, payload: Any) -> bool:
    """True when an email batch answer has no errors and names each distinct input exactly
    once, in the same spelling: then `batch_result_per_input` holds without its search."""
    if check.label not in checks.EMAIL_BATCH_OPERATIONS or not isinstance(payload, dict):
        return False
    inputs = check.body.get("inputs") if isinstance(check.body, dict) else None
    results = payload.get("results")
    if payload.get("errors") or not isinstance(inputs, list) or not isinstance(results, list):
        return False
    if not all(isinstance(item, str) for item in inputs):
        return False
    wanted = set(inputs)
    if len(results) != len(wanted):
        return False
    answered = {r.get("subscriberIdString") if isinstance(r, dict) else None for r in results}
    return answered == wanted


def _has_bearer(ex: Exchange) -> bool:
    value = ex.request_header("authorization") or ""
    return value[:7].lower() == "bearer " and bool(value[7:].strip())


class _ResponseAdapter:
    """The parts of a Schemathesis Response that the suite's checks read."""

    def __init__(self, ex: Exchange, payload: Any) -> None:
        self.status_code = ex.status or 0
        self.headers: dict[str, list[str]] = {}
        for name, value in ex.response_headers:
            self.headers.setdefault(name, []).append(value)
        self._payload = payload

    def json(self) -> Any:
        return self._payload


class _CaseAdapter:
    """The parts of a Schemathesis Case that the suite's per-exchange checks read."""

    def __init__(self, check: RequestCheck, body: Any) -> None:
        op_id = check.label
        self.body = body
        self.operation = SimpleNamespace(
            label=check.label, definition=SimpleNamespace(raw={"operationId": op_id})
        )


def correlation_id(ex: Exchange) -> str | None:
    """The answer's correlation id: the header, else the JSON body's `correlationId`."""
    header = ex.response_header(CORRELATION_HEADER)
    if header:
        return header
    if b"correlationId" in ex.response_body[:4096]:
        try:
            payload = orjson.loads(ex.response_body)
        except orjson.JSONDecodeError:
            return None
        if isinstance(payload, dict) and isinstance(payload.get("correlationId"), str):
            return str(payload["correlationId"])
    return None


def finalize(
    check: RequestCheck,
    ex: Exchange,
    request_problems: list[Problem],
    response_problems: list[Problem],
    *,
    refused: bool = False,
) -> list[Finding]:
    """Severity and advice for every problem, now that the answer (or its absence) is known."""
    status = ex.status
    accepted = None if refused or status is None else 200 <= status < 300
    cid = correlation_id(ex) if status is not None else None
    out = []
    for problem, side in [(p, Side.REQUEST) for p in request_problems] + [
        (p, Side.RESPONSE) for p in response_problems
    ]:
        if problem.kind == "unknown-operation":
            severity = severity_for(problem.kind, problem.change, Side.RESPONSE, True)
        else:
            severity = severity_for(
                problem.kind, problem.change, side, accepted, breaks=problem.blocking
            )
        finding = Finding(
            operation=check.label,
            kind=problem.kind,
            where=problem.where,
            detail=problem.detail,
            side=side,
            change=problem.change,
            severity=severity,
            correlation_id=cid,
            status=status,
        )
        finding.advice = advice(finding, accepted, breaks=problem.blocking)
        out.append(finding)
    return out
