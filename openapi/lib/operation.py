"""Which operation a request is for, as the generated call tagged it.

Every generated call puts an ``OperationTag`` into its request's ``extensions`` (under
``OPERATION_EXTENSION``), written at generation time from the spec's ``operationId`` and
``x-retry-safe``. The transport reads the tag instead of matching URLs, so the spec alone says
which requests may be repeated. A request without a tag (sent through the client's httpx client by
hand) is treated as not retry-safe.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from types import ModuleType

import httpx

#: The ``httpx.Request.extensions`` key of the tag.
OPERATION_EXTENSION = "hubspot_communication_preferences.operation"


@dataclass(frozen=True, slots=True)
class OperationTag:
    """One operation of the spec, as a request carries it."""

    operation_id: str
    #: The spec's ``x-retry-safe``: repeating the request cannot change its outcome.
    retry_safe: bool


def operation_of(request: httpx.Request) -> OperationTag | None:
    """The tag of ``request``, or None when it was not sent by a generated call."""
    tag = request.extensions.get(OPERATION_EXTENSION)
    return tag if isinstance(tag, OperationTag) else None


def is_retry_safe(request: httpx.Request) -> bool:
    """True when the spec marks the request's operation ``x-retry-safe: true``."""
    tag = operation_of(request)
    return tag is not None and tag.retry_safe


def operation_modules() -> dict[str, ModuleType]:
    """Every generated call module (``api.<tag>.<operation>``) by operationId, read from the
    ``OPERATION`` tag each module carries: one table of the calls, built from the package."""
    from .. import api  # the generated modules import this module

    found: dict[str, ModuleType] = {}
    for info in pkgutil.walk_packages(api.__path__, f"{api.__name__}."):
        module = importlib.import_module(info.name)
        tag = getattr(module, "OPERATION", None)
        if isinstance(tag, OperationTag):
            found[tag.operation_id] = module
    return found
