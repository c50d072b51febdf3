"""Deterministic answers: ``Prefer: code=NNN`` and the answer queue of ``POST /_mock/queue``.

Which statuses an operation may answer, and the shape of each body, come from the pinned spec
(``Operation.responses``): a status is declared when the spec lists it or its ``NXX`` range.
Bodies use HubSpot's shapes from ``errors.py``: the rate-limit body where the spec's schema
is ``RateLimitError`` (it has ``errorType``), HubSpot's error body otherwise. See
mock_server/README.md, "Deterministic answers".
"""

from __future__ import annotations

import http
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from commprefs_spec.model import Operation
from mock_server import errors
from mock_server.errors import ApiError, detail

Headers = list[tuple[bytes, bytes]]

BODY_KINDS = ("json", "html", "empty")
DEFAULT_RETRY_AFTER = 1  # seconds, for a 429 that names none
_ANSWER_KEYS = frozenset({"status", "retryAfter", "body"})


@dataclass(frozen=True)
class Answer:
    """One requested answer: a status with a body kind, or a dropped connection."""

    status: int | None = None  # None when ``drop``
    retry_after: float | None = None
    body: str = "json"
    drop: bool = False

    def to_json(self) -> dict[str, Any]:
        if self.drop:
            return {"drop": True}
        out: dict[str, Any] = {"status": self.status, "body": self.body}
        if self.retry_after is not None:
            out["retryAfter"] = self.retry_after
        return out

    @property
    def served_normally(self) -> bool:
        """A 2xx with a JSON body: the request goes on and is served as usual."""
        return (
            not self.drop
            and self.status is not None
            and self.status < 300
            and (self.body == "json")
        )

    def describe(self) -> str:
        if self.drop:
            return "drop"
        text = f"{self.status} {self.body}"
        return text if self.retry_after is None else f"{text} retryAfter={self.retry_after:g}"


@dataclass(frozen=True)
class Built:
    status: int
    body: bytes
    headers: Headers
    content_type: tuple[bytes, bytes] | None


def declared_key(op: Operation, status: int) -> str | None:
    """The spec's response key covering ``status`` (``"429"`` or ``"5XX"``), or None."""
    exact = str(status)
    if exact in op.responses:
        return exact
    ranged = f"{status // 100}XX"
    return ranged if 100 <= status <= 599 and ranged in op.responses else None


def declared_codes(op: Operation) -> str:
    return ", ".join(sorted(op.responses))


def undeclared(op: Operation, status: int, where: str, field: str) -> ApiError:
    """400: ``status`` is not among the operation's declared responses (named in the message)."""
    short = f"{op.operation_id} does not declare status {status}; declared: {declared_codes(op)}"
    return errors.validation_error(
        f"{where}: {short}", [detail(short, in_=field, code="UNDECLARED_STATUS")]
    )


# -- Prefer -----------------------------------------------------------------------------------
def preferred_code(headers: Sequence[tuple[bytes, bytes]]) -> int | None:
    """The ``code`` preference of the request's ``Prefer`` headers (RFC 7240), or None.

    Other preferences are ignored, as RFC 7240 asks; a ``code`` that is not a three-digit
    status is a 400.
    """
    for name, value in headers:
        if name != b"prefer":
            continue
        for item in value.decode("latin-1").replace(";", ",").split(","):
            key, sep, raw = item.partition("=")
            if key.strip().lower() != "code":
                continue
            code = raw.strip().strip('"')
            if not sep or len(code) != 3 or not code.isdigit() or not "1" <= code[0] <= "5":
                short = "use a three-digit status the operation declares, e.g. code=429"
                raise errors.validation_error(
                    f"Prefer: code={code or '(empty)'} is not an HTTP status; {short}",
                    [detail(short, in_="Prefer", code="INVALID_PREFER")],
                )
            return int(code)
    return None


def prefer_answer(op: Operation, code: int) -> Answer:
    """The answer ``Prefer: code=NNN`` asks for; a 400 when the spec does not declare it."""
    if declared_key(op, code) is None:
        raise undeclared(op, code, f"Prefer: code={code}", "Prefer")
    return Answer(status=code)


# -- queue --------------------------------------------------------------------------------------
def parse_queue(raw: bytes, operations: dict[str, Operation]) -> tuple[str, list[Answer]]:
    """``{"operationId": str, "answers": [...]}`` -> (operation id, answers); 400 when bad."""
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise _bad(f"The queue body is not valid JSON: {exc.msg}", "body") from None
    if not isinstance(document, dict):
        raise _bad('The queue body must be an object {"operationId": ..., "answers": [...]}', "")
    unknown = sorted(set(document) - {"operationId", "answers"})
    if unknown:
        raise _bad(f"Unknown field(s) {', '.join(unknown)}; use operationId and answers", "")
    operation_id = document.get("operationId")
    if not isinstance(operation_id, str) or operation_id not in operations:
        raise _bad(
            f"operationId must name an operation of the spec, got {operation_id!r}; "
            f"known: {', '.join(sorted(operations))}",
            "operationId",
        )
    op = operations[operation_id]
    items = document.get("answers")
    if not isinstance(items, list) or not items:
        raise _bad("answers must be a non-empty list of answers", "answers")
    return operation_id, [_answer(op, item, f"answers[{i}]") for i, item in enumerate(items)]


def _answer(op: Operation, item: Any, where: str) -> Answer:
    if not isinstance(item, dict):
        raise _bad(f'{where} must be an object, e.g. {{"status": 503}} or {{"drop": true}}', where)
    if "drop" in item:
        if len(item) != 1 or item["drop"] is not True:  # 1 == True in Python: check identity
            raise _bad(f'{where}: a dropped connection is exactly {{"drop": true}}', where)
        return Answer(drop=True)
    unknown = sorted(set(item) - _ANSWER_KEYS)
    if unknown:
        raise _bad(
            f"{where}: unknown field(s) {', '.join(unknown)}; use status, retryAfter, body or drop",
            where,
        )
    status = item.get("status")
    if type(status) is not int:
        raise _bad(f"{where}.status must be a whole number, e.g. 503", f"{where}.status")
    if declared_key(op, status) is None:
        raise undeclared(op, status, f"{where}.status", f"{where}.status")
    body = item.get("body", "json")
    if body not in BODY_KINDS:
        raise _bad(f"{where}.body must be one of {', '.join(BODY_KINDS)}", f"{where}.body")
    retry_after = item.get("retryAfter")
    if retry_after is not None:
        if (
            type(retry_after) not in (int, float)
            or not math.isfinite(retry_after)
            or retry_after < 0
        ):
            raise _bad(
                f"{where}.retryAfter must be a number of seconds >= 0", f"{where}.retryAfter"
            )
        if status < 300 and body == "json":
            raise _bad(
                f"{where}.retryAfter: a {status} with a json body is served normally; "
                "retryAfter applies to other answers",
                f"{where}.retryAfter",
            )
    return Answer(status=status, retry_after=retry_after, body=body)


def _bad(message: str, where: str) -> ApiError:
    """400 for a bad queue body; ``errors[0].in`` names the field (e.g. ``answers[2].status``)."""
    return errors.validation_error(
        message, [detail(message, in_=where, code="INVALID_QUEUE")] if where else []
    )


# -- building the answer ---------------------------------------------------------------------
def build(op: Operation, answer: Answer, correlation_id: str, source: str) -> Built:
    """The response for a status answer that is not served normally (see ``served_normally``)."""
    status = answer.status
    assert status is not None
    headers: Headers = []
    if answer.retry_after is not None or status == 429:
        seconds = DEFAULT_RETRY_AFTER if answer.retry_after is None else answer.retry_after
        text = str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"
        headers.append((b"retry-after", text.encode()))
    if answer.body == "empty":
        return Built(status, b"", headers, None)
    if answer.body == "html":
        return Built(status, errors.html_page(status).encode(), headers, errors.CONTENT_TYPE_HTML)
    key = declared_key(op, status)
    media = op.responses.get(key or "", {})
    if "application/json" not in media and "text/html" in media:
        return Built(status, errors.html_page(status).encode(), headers, errors.CONTENT_TYPE_HTML)
    schema = media.get("application/json", {})
    if "errorType" in schema.get("properties", {}):
        body = errors.rate_limit_body(
            correlation_id,
            f"You have reached your ten secondly limit. ({source})",
            "TEN_SECONDLY_ROLLING",
            str(uuid.uuid4()),
        )
        return Built(status, body, headers, errors.CONTENT_TYPE_JSON)
    error = _error(op, status, source)
    return Built(
        status, error.body(correlation_id), [*error.headers, *headers], errors.CONTENT_TYPE_JSON
    )


def _error(op: Operation, status: int, source: str) -> ApiError:
    if status == 401:
        return errors.unauthorized()
    if status == 403:
        required: dict[str, None] = {}
        for need in op.scope_sets:
            required.update(dict.fromkeys(sorted(need)))
        return errors.missing_scopes(list(required))
    if status == 405:
        return errors.method_not_allowed(op.method, [op.method])
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    message = f"{phrase} ({source})"
    details = [detail(message, code="REQUESTED_ANSWER")] if status == 400 else []
    return ApiError(status, errors.category_for(status), message, errors=details)
