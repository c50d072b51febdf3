"""A stateful, HubSpot-faithful mock of the Communication Preferences API 2026-03.

``create_app(MockConfig(...))`` returns an ASGI 3 application with its own in-memory state;
``python -m mock_server`` serves one; ``serve_in_subprocess(...)`` runs that server for a
``with`` block (tests, benchmarks). See mock_server/README.md.
"""

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
