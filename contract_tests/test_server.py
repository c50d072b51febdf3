"""Server side, stateless: every operation of the pinned spec through Schemathesis' examples,
coverage and fuzzing phases, positive and negative requests, every built-in check that applies
and this project's HubSpot checks (commprefs_kit.contract.checks).

Counts and seed: contract_tests/schemathesis.toml (scripts/contract --examples/--seed).
"""

from __future__ import annotations

from collections.abc import Callable

import schemathesis

from commprefs_kit.contract import suite

schema = suite.current().schema


@schema.parametrize()
def test_operation_conforms(
    case: schemathesis.Case,
    call_and_validate: Callable[[schemathesis.Case], schemathesis.Response],
) -> None:
    call_and_validate(case)
