"""Helpers for testing code that uses ``make_client``, without network and without waiting.

``ScriptedHubSpot`` answers from a script behind ``httpx.MockTransport``; ``RecordedWaits``
replaces sleeping in a ``RetryPolicy``::

    hubspot = ScriptedHubSpot().script(reply(503), reply(200, json={...}))
    waits = RecordedWaits()
    client = make_client("token", transport=hubspot.transport, retry=waits.policy())

The body builders (``envelope``, ``public_status``, ...) give minimal valid 2026-03 bodies.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

import httpx

from commprefs_kit.retry_policy import RetryPolicy

STARTED = "2026-03-02T10:00:00.000Z"
DONE = "2026-03-02T10:00:00.250Z"
CORRELATION_ID = "019cd9fe-d093-7d4f-8a55-3b1f2a9c0e11"

Reply = Callable[[httpx.Request], httpx.Response]


def reply(
    status: int = 200,
    *,
    json: Any = None,
    text: str | None = None,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """A scripted answer, built afresh for each request it serves."""

    def build(request: httpx.Request) -> httpx.Response:
        if json is not None:
            return httpx.Response(status, json=json, headers=headers)
        if text is not None:
            return httpx.Response(status, text=text, headers=headers)
        return httpx.Response(status, content=content or b"", headers=headers)

    return build


def fail(exc_type: type[httpx.TransportError], message: str = "connection failed") -> Reply:
    """A scripted failure without an HTTP answer (e.g. ``httpx.ConnectError``)."""

    def build(request: httpx.Request) -> httpx.Response:
        raise exc_type(message, request=request)

    return build


class ScriptedHubSpot:
    """Answers each request with the next scripted reply; the last one repeats forever."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self._script: deque[Reply] = deque()

    def script(self, *replies: Reply) -> ScriptedHubSpot:
        self._script.extend(replies)
        return self

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self._script:
            raise AssertionError(f"unscripted request: {request.method} {request.url}")
        step = self._script.popleft() if len(self._script) > 1 else self._script[0]
        return step(request)

    @property
    def transport(self) -> httpx.MockTransport:
        """A transport serving both sync and async clients."""
        return httpx.MockTransport(self)


class RecordedWaits(list[float]):
    """Records the waits a retry policy asks for instead of sleeping."""

    def sleep(self, seconds: float) -> None:
        self.append(seconds)

    async def async_sleep(self, seconds: float) -> None:
        self.append(seconds)

    def policy(self, **overrides: Any) -> RetryPolicy:
        """A ``RetryPolicy`` that records here; no jitter unless ``overrides`` says so."""
        options: dict[str, Any] = {"jitter": 0.0, **overrides}
        return RetryPolicy(sleep=self.sleep, async_sleep=self.async_sleep, **options)


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
