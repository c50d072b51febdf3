"""What the bulk command asks of the pinned spec: scopes of its operations, the version prefix.

Nothing here restates the spec: the scopes come from each operation's `security` and the
version prefix from its paths, read through the project's spec model (`_spec`, the one
place that knows where that model lives).
"""

from __future__ import annotations

import functools
import importlib
import os
from typing import Any

#: The operations the command calls (operationIds of the pinned spec).
SEND_OPERATION = "batch_unsubscribe_all"
READ_BACK_OPERATION = "batch_get_unsubscribe_all_statuses"


def _spec() -> Any:
    """The pinned spec as loaded by the project's spec model."""
    for module, attribute in (
        ("commprefs_spec", "pinned_spec"),
        ("commprefs_spec.model", "pinned_spec"),
        ("mock_server.spec", "pinned_spec"),
    ):
        try:
            loader = getattr(importlib.import_module(module), attribute)
        except (ImportError, AttributeError):
            continue
        return loader()
    raise RuntimeError("the spec model (commprefs_spec) is not installed")


@functools.cache
def scope_sets(operation_id: str) -> tuple[tuple[str, ...], ...]:
    """The operation's alternatives of scopes (any one set is enough), sorted for messages."""
    operation = _spec().operations[operation_id]
    return tuple(tuple(sorted(scopes)) for scopes in operation.scope_sets)


def scopes_text(operation_id: str) -> str:
    """`a` or `a (or b)`: what to grant for the operation, as one phrase."""
    sets = [" + ".join(scopes) for scopes in scope_sets(operation_id) if scopes]
    if not sets:
        return "(no scope)"
    return sets[0] if len(sets) == 1 else f"{sets[0]} (or {' or '.join(sets[1:])})"


@functools.cache
def version_prefix() -> str:
    """The path every operation shares, e.g. /communication-preferences/2026-03."""
    paths = [operation.path for operation in _spec().operations.values()]
    common = os.path.commonpath(paths) if paths else ""
    return common.rstrip("/")
