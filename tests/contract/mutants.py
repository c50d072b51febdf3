"""Mutants of the mock: each factory returns the mock app with exactly one behaviour broken.

The contract suite runs against each (`scripts/contract --app tests/contract/mutants.py:NAME`)
and must fail, with the check named in `EXPECTED_CATCH`. Most mutants wrap the mock's ASGI app
(rewriting a request or a response); the stateful ones patch one method or rule of that app's
own store, so that only the app under test changes.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import mock_server
from mock_server import semantics
from mock_server.store import StatusRecord

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]
# (scope, status, body) -> (status, body) of one response.
Rewrite = Callable[[Scope, int, bytes], tuple[int, bytes]]

API = "/communication-preferences/2026-03"


def _route(scope: Scope) -> tuple[str, str]:
    return scope["method"], scope["path"]


def rewrite_responses(app: App, rewrite: Rewrite) -> App:
    """`app` with each HTTP response passed through `rewrite` (content-length fixed up)."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            status, body = rewrite(scope, start["status"], b"".join(chunks))
            headers = [
                (k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"
            ]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await app(scope, receive, capture)

    return wrapped


def rewrite_requests(app: App, rewrite: Callable[[Scope, bytes], bytes]) -> App:
    """`app` with each HTTP request body passed through `rewrite` before the app reads it."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if message["type"] != "http.request" or not message.get("more_body"):
                break
        body = rewrite(scope, b"".join(chunks))
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await app({**scope, "headers": headers}, replay, send)

    return wrapped


def _json_or_none(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


# ---- the mutants ---------------------------------------------------------------------------


def wrong_status() -> App:
    """unsubscribe_all answers 202 instead of the spec's 200."""

    def rewrite(scope: Scope, status: int, body: bytes) -> tuple[int, bytes]:
        method, path = _route(scope)
        if method == "POST" and path.endswith("/unsubscribe-all") and "/batch/" not in path:
            return (202 if status == 200 else status), body
        return status, body

    return rewrite_responses(mock_server.create_app(), rewrite)


def missing_required_field() -> App:
    """get_statuses leaves the required `timestamp` out of every status."""

    def rewrite(scope: Scope, status: int, body: bytes) -> tuple[int, bytes]:
        method, path = _route(scope)
        payload = _json_or_none(body)
        if method == "GET" and "/statuses/" in path and status == 200 and isinstance(payload, dict):
            for item in payload.get("results", []):
                if isinstance(item, dict):
                    item.pop("timestamp", None)
            return status, json.dumps(payload).encode()
        return status, body

    return rewrite_responses(mock_server.create_app(), rewrite)


def server_error_on_bad_input() -> App:
    """Any 400 (bad input) becomes a 500, body and all."""

    def rewrite(scope: Scope, status: int, body: bytes) -> tuple[int, bytes]:
        return (500 if status == 400 else status), body

    return rewrite_responses(mock_server.create_app(), rewrite)


def auth_ignored() -> App:
    """Requests without a valid token are served as if they carried the test token."""
    app = mock_server.create_app()

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"authorization"]
            headers.append((b"authorization", f"Bearer {mock_server.DEFAULT_TOKEN}".encode()))
            scope = {**scope, "headers": headers}
        await app(scope, receive, send)

    return wrapped


def unsubscribe_all_skips_one() -> App:
    """Unsubscribe-all leaves the last subscription type of the business unit as it was."""
    app = mock_server.create_app()
    store = app.store
    original = store.unsubscribe_all

    def skipping(key: str, unit: int, now: str, *, details: bool) -> Any:
        definitions = store.fixtures.units.get(unit, ())
        last = definitions[-1].id if definitions else None
        before = store.statuses.get(key, {}).get(last) if last is not None else None
        rows = original(key, unit, now, details=details)
        records = store.statuses.get(key, {})
        if last is not None and last in records and records[last] is not before:
            # Put the old status back (a never-set one reads NOT_SPECIFIED, as before).
            records[last] = before or StatusRecord("NOT_SPECIFIED", "NOT_SET", None, None, now)
        return [row for row in rows if row[0].id != last]

    store.unsubscribe_all = skipping  # type: ignore[method-assign]
    return app


def batch_drops_input() -> App:
    """batch unsubscribe-all drops the last of several inputs before processing them."""

    def rewrite(scope: Scope, body: bytes) -> bytes:
        method, path = _route(scope)
        payload = _json_or_none(body)
        if (
            method == "POST"
            and path == f"{API}/statuses/batch/unsubscribe-all"
            and isinstance(payload, dict)
            and isinstance(payload.get("inputs"), list)
            and len(set(map(str, payload["inputs"]))) >= 2
        ):
            payload["inputs"] = payload["inputs"][:-1]
            return json.dumps(payload).encode()
        return body

    return rewrite_requests(mock_server.create_app(), rewrite)


def error_without_correlation_id() -> App:
    """Error bodies lose their correlationId (the header keeps it)."""

    def rewrite(scope: Scope, status: int, body: bytes) -> tuple[int, bytes]:
        payload = _json_or_none(body)
        if status >= 400 and isinstance(payload, dict):
            payload.pop("correlationId", None)
            return status, json.dumps(payload).encode()
        return status, body

    return rewrite_responses(mock_server.create_app(), rewrite)


def write_not_persisted() -> App:
    """update_status answers as if it wrote, but the store keeps the old status."""
    app = mock_server.create_app()
    store = app.store
    original = store.write

    def forgetful(key: str, definition: Any, wanted: str, *args: Any) -> Any:
        records = store.statuses.setdefault(key, {})
        before = records.get(definition.id)
        result = original(key, definition, wanted, *args)
        if before is None:
            records.pop(definition.id, None)
        else:
            records[definition.id] = before
        return result

    store.write = forgetful  # type: ignore[method-assign]
    return app


def case_sensitive_contacts() -> App:
    """Contacts are keyed by the address exactly as sent: 'Ann@x' and 'ann@x' are two."""
    semantics.subscriber_key = lambda email: email  # this process serves only this mutant
    return mock_server.create_app()


def resubscribe_keeps_wide_opt_out() -> App:
    """A SUBSCRIBED write after unsubscribe-all leaves the opt-out from all email in place."""
    semantics.RESUBSCRIBE_ENDS_WIDE_OPT_OUT = False  # this process serves only this mutant
    return mock_server.create_app()


# Which check must report each mutant (any one of the names listed).
EXPECTED_CATCH: dict[str, set[str]] = {
    "wrong_status": {"status_code_conformance"},
    "missing_required_field": {"response_schema_conformance"},
    "server_error_on_bad_input": {"not_a_server_error"},
    # Schemathesis' ignored_auth cannot probe oauth2 schemes; the suite's auth_enforced does.
    "auth_ignored": {"auth_enforced"},
    "unsubscribe_all_skips_one": {"unsubscribe_all_visible", "wf_unsubscribe_all_visible"},
    "batch_drops_input": {"batch_result_per_input"},
    "error_without_correlation_id": {"hubspot_error_body"},
    "write_not_persisted": {"wf_write_read_back", "status_write_visible"},
    "case_sensitive_contacts": {"wf_contacts_case_insensitive"},
    "resubscribe_keeps_wide_opt_out": {"wf_resubscribe"},
}
