"""Schemathesis hooks for rules the spec cannot express (OpenAPI 3.0 has no `dependentRequired`).

They only touch schema-valid (positive) cases, so that `positive_data_acceptance` judges requests
a HubSpot-faithful server must accept; negative cases stay as Schemathesis drew them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import schemathesis
from schemathesis import GenerationMode

from commprefs_kit.contract.checks import Case, operation_id

# A legal basis to pair with an explanation (any of the LegalBasis enum would do).
DEFAULT_LEGAL_BASIS = "LEGITIMATE_INTEREST_OTHER"


def _explained_without_basis(change: Any) -> bool:
    return (
        isinstance(change, Mapping)
        and change.get("legalBasisExplanation") is not None
        and change.get("legalBasis") is None
    )


def _with_basis(change: Any) -> dict[str, Any]:
    return {**change, "legalBasis": DEFAULT_LEGAL_BASIS}


def pair_legal_basis(context: schemathesis.HookContext, case: Case) -> Case:
    """`legalBasisExplanation` needs a `legalBasis` (the mock's rule, mock_server/semantics.py,
    kept from HubSpot's v3 docs): a positive case that sends an explanation gets a basis too."""
    meta = case.meta
    if meta is None or meta.generation.mode != GenerationMode.POSITIVE:
        return case
    body = case.body
    operation = operation_id(case)
    if operation == "update_status" and _explained_without_basis(body):
        case.body = _with_basis(body)
    elif operation == "batch_update_statuses" and isinstance(body, Mapping):
        inputs = body.get("inputs")
        if isinstance(inputs, list) and any(_explained_without_basis(item) for item in inputs):
            case.body = {
                **body,
                "inputs": [
                    _with_basis(item) if _explained_without_basis(item) else item for item in inputs
                ],
            }
    return case


def register(schema: schemathesis.BaseSchema) -> None:
    schema.hooks.register_hook_with_name(pair_legal_basis, "map_case")
