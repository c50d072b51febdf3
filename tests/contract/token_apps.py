"""App factories for the token tests: the mock accepting a recognisable token, with a bug (so
the suite writes failures and curl commands) and a habit of echoing the token in error bodies
(so redaction, not luck, keeps it out of the reports)."""

from __future__ import annotations

import json
from typing import Any

import mock_server
from mock_server import ALL_SCOPES, MockConfig

SECRET = "sekret-0f9c2a7b-6d1e-4c3a-9b8f-do-not-leak"


def leaky_mock() -> Any:
    app = mock_server.create_app(MockConfig(tokens={SECRET: ALL_SCOPES}))

    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        token = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
        start: dict[str, Any] = {}

        async def rewrite(message: Any) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            body = message.get("body", b"")
            status = start["status"]
            try:
                payload = json.loads(body)
            except ValueError:
                payload = None
            if isinstance(payload, dict) and status >= 400:
                payload["message"] = f"{payload.get('message')} (you sent {token!r})"
            elif isinstance(payload, dict) and status == 200 and scope["method"] == "GET":
                for item in payload.get("results", []):
                    if isinstance(item, dict):
                        item.pop("timestamp", None)  # a bug, so that there are failures
            if payload is not None:
                body = json.dumps(payload).encode()
            headers = [(k, v) for k, v in start["headers"] if k != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await app(scope, receive, rewrite)

    return wrapped
