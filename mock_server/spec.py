"""The spec model the mock serves from; it lives in ``commprefs_spec`` (shared with the contract
suite, the proxy and the bulk tool). Kept as an import path for existing code."""

from commprefs_spec.model import (
    JSON,
    Operation,
    Parameter,
    Spec,
    SpecError,
    load_spec,
    pinned_spec,
)

__all__ = ["JSON", "Operation", "Parameter", "Spec", "SpecError", "load_spec", "pinned_spec"]
