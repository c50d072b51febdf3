"""Minimal valid 2026-03 bodies (``envelope``, ``public_status``, ...) for the kit's tests, and
the client package's test doubles (``ScriptedHubSpot``, ``RecordedWaits``, ``reply``, ``fail``),
re-exported so tests import one module."""

from __future__ import annotations

from typing import Any

from hubspot_communication_preferences.lib.testing import (
    RecordedWaits,
    Reply,
    ScriptedHubSpot,
    fail,
    reply,
)

__all__ = ["RecordedWaits", "Reply", "ScriptedHubSpot", "fail", "reply"]

STARTED = "2026-03-02T10:00:00.000Z"
DONE = "2026-03-02T10:00:00.250Z"
CORRELATION_ID = "019cd9fe-d093-7d4f-8a55-3b1f2a9c0e11"


def envelope(results: list[Any], **extra: Any) -> dict[str, Any]:
    """A response envelope (``status``, ``results``, times)."""
    return {
        "status": "COMPLETE",
        "results": results,
        "startedAt": STARTED,
        "completedAt": DONE,
        **extra,
    }


def public_status(email: str = "a@example.com", **extra: Any) -> dict[str, Any]:
    return {
        "channel": "EMAIL",
        "source": "Public API",
        "status": "UNSUBSCRIBED",
        "subscriberIdString": email,
        "subscriptionId": 9_000_000_001,
        "timestamp": STARTED,
        "setStatusSuccessReason": "UNSUBSCRIBE_FROM_ALL_OCCURRED",
        **extra,
    }


def wide_status(email: str = "a@example.com", **extra: Any) -> dict[str, Any]:
    return {
        "channel": "EMAIL",
        "status": "UNSUBSCRIBED",
        "subscriberIdString": email,
        "timestamp": STARTED,
        "wideStatusType": "PORTAL_WIDE",
        **extra,
    }


def definition(**extra: Any) -> dict[str, Any]:
    return {
        "createdAt": STARTED,
        "description": "Monthly news",
        "id": "9000000001",
        "isActive": True,
        "isDefault": False,
        "isInternal": False,
        "name": "Newsletter",
        "updatedAt": DONE,
        **extra,
    }


def hubspot_error(
    category: str = "VALIDATION_ERROR", message: str = "Invalid input", **extra: Any
) -> dict[str, Any]:
    """HubSpot's error JSON."""
    return {
        "status": "error",
        "message": message,
        "correlationId": CORRELATION_ID,
        "category": category,
        **extra,
    }
