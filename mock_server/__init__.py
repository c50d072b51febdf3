"""A stateful, HubSpot-faithful mock of the Communication Preferences API 2026-03.

``create_app(MockConfig(...))`` returns an ASGI 3 application with its own in-memory state;
``python -m mock_server`` serves one; ``serve_in_subprocess(...)`` runs that server for a
``with`` block (tests, benchmarks). See mock_server/README.md.

The names below are imported on first use: importing ``mock_server.pytest_plugin`` (which
pytest does in every run once the mock is installed) must not load the app and the spec.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mock_server.app import ConnectionDropped, MockApp, create_app
    from mock_server.config import (
        ALL_SCOPES,
        DEFAULT_TOKEN,
        FAULT_KINDS,
        Faults,
        MockConfig,
        RateLimit,
    )
    from mock_server.process import MockStartupError, RunningMock, serve_in_subprocess

_HOMES = {
    "ConnectionDropped": "mock_server.app",
    "MockApp": "mock_server.app",
    "create_app": "mock_server.app",
    "ALL_SCOPES": "mock_server.config",
    "DEFAULT_TOKEN": "mock_server.config",
    "FAULT_KINDS": "mock_server.config",
    "Faults": "mock_server.config",
    "MockConfig": "mock_server.config",
    "RateLimit": "mock_server.config",
    "MockStartupError": "mock_server.process",
    "RunningMock": "mock_server.process",
    "serve_in_subprocess": "mock_server.process",
}

__all__ = [
    "ALL_SCOPES",
    "DEFAULT_TOKEN",
    "FAULT_KINDS",
    "ConnectionDropped",
    "Faults",
    "MockApp",
    "MockConfig",
    "MockStartupError",
    "RateLimit",
    "RunningMock",
    "create_app",
    "serve_in_subprocess",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'mock_server' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later lookups skip this function
    return value
