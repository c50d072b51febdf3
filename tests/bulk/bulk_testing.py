"""Helpers for the bulk opt-out tests: the mock in-process or served, a scripted HubSpot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from hubspot_communication_preferences import AuthenticatedClient, RetryPolicy, make_client

from commprefs_kit.bulk import ContactResult, unsubscribe_all
from mock_server import MockApp

TOKEN = "test-token"
# Fast retries: tests must not sleep for the mock's 1 s Retry-After or real backoff.
FAST_RETRY = RetryPolicy(
    max_attempts=8, backoff_base=0.001, max_backoff=0.01, max_retry_after=0.01, jitter=0.0
)


def mock_client(
    app: MockApp, token: str = TOKEN, retry: RetryPolicy | None = FAST_RETRY
) -> AuthenticatedClient:
    return make_client(
        token, base_url="http://mock", retry=retry, async_transport=httpx.ASGITransport(app=app)
    )


def opted_out(app: MockApp, unit: int = 0) -> set[str]:
    """Subscribers the mock has on record as opted out of all email in `unit`."""
    with app.store.lock:
        state = app.store.dump()
    return {
        key for key, record in state["subscribers"].items() if str(unit) in record["wideStatuses"]
    }


async def collect(*args: Any, **kwargs: Any) -> list[ContactResult]:
    """Every result of one run of the library call, unpaced unless ``rate=`` is given."""
    kwargs.setdefault("rate", None)
    return [r async for r in unsubscribe_all(*args, **kwargs)]


def by_address(results: list[ContactResult]) -> dict[str, ContactResult]:
    assert len({r.address for r in results}) == len(results), "a contact came out twice"
    return {r.address: r for r in results}


async def collect_by_address(*args: Any, **kwargs: Any) -> dict[str, ContactResult]:
    return by_address(await collect(*args, **kwargs))


def emails(count: int, prefix: str = "user") -> list[str]:
    return [f"{prefix}{i}@example.com" for i in range(count)]


# --- a scripted HubSpot for edge cases the mock does not produce ---------------------------


def error_answer(
    http_status: int,
    category: str,
    message: str,
    correlation_id: str,
    errors: list[dict[str, Any]] | None = None,
) -> httpx.Response:
    """HubSpot's error answer: the standard error body with its correlation id."""
    body: dict[str, Any] = {
        "status": "error",
        "category": category,
        "message": message,
        "correlationId": correlation_id,
    }
    if errors is not None:
        body["errors"] = errors
    return httpx.Response(http_status, json=body)


def envelope(results: list[dict[str, Any]], errors: list[dict[str, Any]] | None = None) -> Any:
    body: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": "2026-03-01T00:00:00Z",
        "completedAt": "2026-03-01T00:00:01Z",
    }
    if errors is not None:
        body["errors"] = errors
        body["numErrors"] = len(errors)
    return body


def status(email: str, reason: str = "UNSUBSCRIBE_FROM_ALL_OCCURRED", state: str = "UNSUBSCRIBED"):  # type: ignore[no-untyped-def]
    return {
        "channel": "EMAIL",
        "source": "Unsubscribe all",
        "status": state,
        "subscriberIdString": email,
        "subscriptionId": 1,
        "timestamp": "2026-03-01T00:00:00Z",
        "setStatusSuccessReason": reason,
    }


Handler = Callable[[list[str], httpx.Request], httpx.Response]


class Scripted:
    """An httpx MockTransport whose answer is computed from the batch's inputs."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.batches: list[list[str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        inputs = json.loads(request.content)["inputs"]
        self.batches.append(inputs)
        return self.handler(inputs, request)

    def client(self, retry: RetryPolicy | None = None) -> AuthenticatedClient:
        return make_client(
            TOKEN, base_url="http://hubspot", retry=retry, transport=httpx.MockTransport(self)
        )


def all_ok(inputs: list[str], request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        200, json=envelope([{"subscriberIdString": a, "statuses": [status(a)]} for a in inputs])
    )


# --- the mock over a real port (for the CLI as a subprocess) ---------------------------------


class ServedMock:
    """A mock served by `python -m mock_server` on a free port, read back over HTTP."""

    def __init__(self, url: str, process: subprocess.Popen[bytes]) -> None:
        self.url = url
        self.process = process

    def state(self) -> dict[str, Any]:
        data: dict[str, Any] = httpx.get(f"{self.url}/_mock/state", timeout=10).json()
        return data

    def opted_out(self, unit: int = 0) -> set[str]:
        return {
            key
            for key, record in self.state()["subscribers"].items()
            if str(unit) in record["wideStatuses"]
        }


def cli_env(token: str | None = TOKEN) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBSPOT_")}
    if token is not None:
        env["HUBSPOT_ACCESS_TOKEN"] = token
    env["PYTHONUNBUFFERED"] = "1"
    return env


def cli(
    *args: str,
    cwd: Path,
    token: str | None = TOKEN,
    stdin: bytes | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "commprefs_kit.bulk", *args],
        cwd=cwd,
        env=cli_env(token),
        input=stdin,
        capture_output=True,
        timeout=timeout,
        check=False,
    )


def read_results(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
