"""Test doubles for code that uses ``make_client``: no network, no waiting.

``ScriptedHubSpot`` answers from a script behind ``httpx.MockTransport``; ``RecordedWaits``
replaces sleeping in a ``RetryPolicy``::

    from hubspot_communication_preferences.lib.testing import RecordedWaits, ScriptedHubSpot, reply

    hubspot = ScriptedHubSpot().script(reply(503), reply(200, json={...}))
    waits = RecordedWaits()
    client = make_client("token", transport=hubspot.transport, retry=waits.policy())
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

import httpx

from .retry import RetryPolicy

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
