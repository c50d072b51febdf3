"""Variants of the pinned spec, as a candidate revision of HubSpot's document would differ."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from commprefs_spec import pinned_spec_path

OLD_PREFIX = "/communication-preferences/2026-03"
NEW_PREFIX = "/communication-preferences/2026-09"
NEW_FIELD = "preferenceGroup"
NEW_LEGAL_BASIS = "LEGITIMATE_INTEREST_NEW_PURPOSE"
NEW_SCOPE = "communication_preferences.definitions.read"
SCOPED_OPERATION = "get_definitions"


def pinned_document() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(pinned_spec_path().read_text(encoding="utf-8"))
    return document


def next_version(document: dict[str, Any] | None = None) -> dict[str, Any]:
    """The same operations under 2026-09, a new optional response field on PublicStatus, a new
    LegalBasis value and an extra scope required by get_definitions."""
    doc = pinned_document() if document is None else document
    doc["paths"] = {
        path.replace(OLD_PREFIX, NEW_PREFIX): item for path, item in doc["paths"].items()
    }
    schemas = doc["components"]["schemas"]
    schemas["PublicStatus"]["properties"][NEW_FIELD] = {
        "type": "string",
        "description": "A field a later revision adds.",
    }
    schemas["LegalBasis"]["enum"].append(NEW_LEGAL_BASIS)
    for item in doc["paths"].values():
        operation = item.get("get", {})
        if operation.get("operationId") == SCOPED_OPERATION:
            for requirement in operation["security"]:
                for scopes in requirement.values():
                    scopes.append(NEW_SCOPE)
    return doc


def with_new_operation(document: dict[str, Any]) -> dict[str, Any]:
    """A revision with an operation the mock has no behaviour for."""
    first = next(iter(document["paths"].values()))
    operation = dict(first["get"])
    operation["operationId"] = "get_preference_groups"
    prefix = next(iter(document["paths"])).rsplit("/", 1)[0]
    document["paths"][f"{prefix}/preference-groups"] = {"get": operation}
    return document


def write(document: dict[str, Any], path: Path) -> Path:
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path
