"""The one reading of the pinned OpenAPI spec, shared by the mock, the contract suite, the
proxy, the bulk tool and the tests.

``pinned_spec()`` loads the pinned document once (from the checkout's ``openapi/`` or, when
installed, from package data); ``load_spec(path)`` reads another revision (``--spec FILE``).
A ``Spec`` answers what the code asks of the contract: its operations (method, path template,
parameters, bodies, responses, scopes, ``x-retry-safe``), path matching, ``$ref`` resolution,
one OpenAPI-to-JSON-Schema conversion, enum values and the version prefix. Nothing else in the
project restates these facts.
"""

from commprefs_spec.files import openapi_dir, pinned_spec_path
from commprefs_spec.model import (
    JSON,
    Operation,
    Parameter,
    Spec,
    SpecError,
    load_spec,
    pinned_spec,
)
from commprefs_spec.routing import Match, Router

__all__ = [
    "JSON",
    "Match",
    "Operation",
    "Parameter",
    "Router",
    "Spec",
    "SpecError",
    "load_spec",
    "openapi_dir",
    "pinned_spec",
    "pinned_spec_path",
]
