"""What the bulk command asks of the pinned spec: scopes of its operations, the version prefix.

Nothing here restates the spec: the scopes come from each operation's `security` and the
version prefix from its paths, both read through the project's spec model (`commprefs_spec`).
"""

from __future__ import annotations

import functools

from commprefs_spec import pinned_spec

#: The operations the command calls (operationIds of the pinned spec).
SEND_OPERATION = "batch_unsubscribe_all"
READ_BACK_OPERATION = "batch_get_unsubscribe_all_statuses"


@functools.cache
def scope_sets(operation_id: str) -> tuple[tuple[str, ...], ...]:
    """The operation's alternatives of scopes (any one set is enough), sorted for messages."""
    operation = pinned_spec().operation(operation_id)
    return tuple(tuple(sorted(scopes)) for scopes in operation.scope_sets)


def scopes_text(operation_id: str) -> str:
    """`a` or `a (or b)`: what to grant for the operation, as one phrase."""
    sets = [" + ".join(scopes) for scopes in scope_sets(operation_id) if scopes]
    if not sets:
        return "(no scope)"
    return sets[0] if len(sets) == 1 else f"{sets[0]} (or {' or '.join(sets[1:])})"


def version_prefix() -> str:
    """The path every operation shares, e.g. /communication-preferences/2026-03."""
    return pinned_spec().prefix
