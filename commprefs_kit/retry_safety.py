"""Which requests may be repeated: the spec's ``x-retry-safe`` marks, as a table for the transport.

An httpx transport sees only the method and the URL, not the operationId, so the spec's marks are
restated here as (method, path template). ``tests/client/test_retry_safety.py`` derives the same
table from the pinned spec and fails when the two differ, so this copy cannot drift.

Retry-safe: the reads, ``unsubscribe_all`` and ``batch_unsubscribe_all`` (idempotent: a repeat
reports NO_STATUS_CHANGE) and ``generate_links``. Not retry-safe: ``update_status`` and
``batch_update_statuses``: replaying a resubscribe could undo an opt-out made in between.
A request that matches no operation is treated as not retry-safe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import httpx

_PREFIX = "/communication-preferences/2026-03"


@dataclass(frozen=True)
class Operation:
    """One operation of the pinned spec, as the transport can recognise it."""

    operation_id: str
    method: str
    #: Path template exactly as in the spec, e.g. ``.../statuses/{subscriberIdString}``.
    path: str
    retry_safe: bool

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """Matches the raw (still percent-encoded) path, after any base-URL prefix."""
        literal = re.split(r"\{[^/}]+\}", self.path)
        # A parameter is one path segment; an encoded "/" (%2F) stays inside it.
        body = "[^/]+".join(re.escape(part) for part in literal)
        return re.compile(f"(?:/.*)?{body}")

    @property
    def templated(self) -> bool:
        return "{" in self.path


OPERATIONS: tuple[Operation, ...] = (
    Operation("get_definitions", "GET", f"{_PREFIX}/definitions", True),
    Operation("get_statuses", "GET", f"{_PREFIX}/statuses/{{subscriberIdString}}", True),
    Operation("update_status", "POST", f"{_PREFIX}/statuses/{{subscriberIdString}}", False),
    Operation(
        "get_unsubscribe_all_status",
        "GET",
        f"{_PREFIX}/statuses/{{subscriberIdString}}/unsubscribe-all",
        True,
    ),
    Operation(
        "unsubscribe_all",
        "POST",
        f"{_PREFIX}/statuses/{{subscriberIdString}}/unsubscribe-all",
        True,
    ),
    Operation("batch_get_statuses", "POST", f"{_PREFIX}/statuses/batch/read", True),
    Operation("batch_update_statuses", "POST", f"{_PREFIX}/statuses/batch/write", False),
    Operation("batch_unsubscribe_all", "POST", f"{_PREFIX}/statuses/batch/unsubscribe-all", True),
    Operation(
        "batch_get_unsubscribe_all_statuses",
        "POST",
        f"{_PREFIX}/statuses/batch/unsubscribe-all/read",
        True,
    ),
    Operation("generate_links", "POST", f"{_PREFIX}/links/generate", True),
)

# Literal paths first: POST .../statuses/batch/unsubscribe-all must not be read as
# unsubscribe_all of a contact called "batch".
_SEARCH_ORDER = sorted(OPERATIONS, key=lambda op: op.templated)


def find_operation(method: str, raw_path: str) -> Operation | None:
    """The operation a request is for, from its method and raw path (query ignored)."""
    path = raw_path.split("?", 1)[0]
    method = method.upper()
    for operation in _SEARCH_ORDER:
        if operation.method == method and operation.pattern.fullmatch(path):
            return operation
    return None


def operation_of(request: httpx.Request) -> Operation | None:
    """The operation ``request`` is for, or None."""
    raw_path = request.url.raw_path.decode("ascii", errors="replace")
    return find_operation(request.method, raw_path)


def is_retry_safe(request: httpx.Request) -> bool:
    """True when repeating ``request`` cannot change the outcome (spec ``x-retry-safe: true``)."""
    operation = operation_of(request)
    return operation is not None and operation.retry_safe
