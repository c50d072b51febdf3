"""The validating proxy (`scripts/proxy`): forward to HubSpot, check both directions against the
pinned spec, report findings in spec-diff's vocabulary. See contract_tests/README.md.

| module | job |
|---|---|
| `spec_view.py` | the only reader of the pinned spec (through mock_server's spec model) |
| `exchange.py` | one request and its answer |
| `validate.py` | judge an exchange: problems of the request, then of the answer |
| `findings.py` | finding kinds, their spec-diff classification and what to do |
| `state.py` | what earlier writes promise about later reads (read-after-write findings) |
| `forward.py` | forwarding; HubSpot-shaped 502/504 when the upstream fails |
| `upstream.py` | keep-alive HTTP/1.1 connections to the upstream (httptools' parser) |
| `redact.py` | tokens out of every output |
| `report.py` | live lines, Markdown / JSON / JUnit reports |
| `record.py` | `--record`: JSON Lines of HAR entries |
| `app.py`, `cli.py` | the ASGI app and the command line (uvicorn) |
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from commprefs_kit.proxy.app import ProxyApp, ProxyConfig
    from commprefs_kit.proxy.exchange import Exchange
    from commprefs_kit.proxy.findings import Finding
    from commprefs_kit.proxy.report import FindingLog

__all__ = ["Exchange", "Finding", "FindingLog", "ProxyApp", "ProxyConfig"]

# Imported on first use, so that `python -m commprefs_kit.proxy` catches Ctrl-C and SIGTERM
# (cli.EarlyStop) before the checks are loaded.
_HOMES = {
    "ProxyApp": "commprefs_kit.proxy.app",
    "ProxyConfig": "commprefs_kit.proxy.app",
    "Exchange": "commprefs_kit.proxy.exchange",
    "Finding": "commprefs_kit.proxy.findings",
    "FindingLog": "commprefs_kit.proxy.report",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
