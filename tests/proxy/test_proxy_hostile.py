"""Upstreams that break the spec in odd ways: the proxy passes their answers on as they are,
reports them, and never fails itself (no 500 of its own, no traceback)."""

from __future__ import annotations

import gzip
from typing import Any

import pytest
from proxy_testing import API, in_process

Answer = tuple[int, list[tuple[bytes, bytes]], bytes]
JSON_TYPE = (b"content-type", b"application/json")

HOSTILE: dict[str, tuple[Answer, str]] = {
    "empty JSON body": ((200, [JSON_TYPE], b""), "response-schema"),
    "JSON array": ((200, [JSON_TYPE], b"[1, 2]"), "wrong-type"),
    "bad UTF-8": ((200, [JSON_TYPE], b'{"results": ["\xff\xfe"]}'), "response-schema"),
    "deeply nested": ((200, [JSON_TYPE], b"[" * 5000 + b"]" * 5000), "response-schema"),
    "no content type": ((200, [], b"{}"), "content-type"),
    "HTML 200": ((200, [(b"content-type", b"text/html")], b"<html/>"), "content-type"),
    "status 299": ((299, [JSON_TYPE], b"{}"), "undeclared-status"),
    "status 600-like 599": ((599, [JSON_TYPE], b"{}"), "server-error"),
    "error not an object": ((400, [JSON_TYPE], b'"nope"'), "error-body"),
    "gzip body": (
        (200, [JSON_TYPE, (b"content-encoding", b"gzip")], gzip.compress(b'{"x": 1}')),
        "missing-required-field",
    ),
    "brotli body (not judged)": (
        (299, [JSON_TYPE, (b"content-encoding", b"br")], b"\x0b\x02\x80{}\x03"),
        "undeclared-status",
    ),
    "null results": ((200, [JSON_TYPE], b'{"status": "COMPLETE", "results": null}'), "wrong-type"),
}


def upstream(answer: Answer) -> Any:
    status, headers, body = answer

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


@pytest.mark.parametrize("name", sorted(HOSTILE))
async def test_hostile_answer_is_passed_on_and_reported(name: str) -> None:
    answer, kind = HOSTILE[name]
    setup = in_process(upstream(answer))
    async with setup.client() as client:
        response = await client.get(f"{API}/definitions")
    assert response.status_code == answer[0]
    encoding = dict(answer[1]).get(b"content-encoding")
    if encoding is None:
        assert response.content == answer[2]  # passed on as received
    elif encoding == b"gzip":
        assert response.json() == {"x": 1}  # httpx decodes what the proxy passed on
    else:
        # Passed on as received; the body was not judged (no "not JSON" finding).
        assert "not JSON" not in setup.live.getvalue()
    assert "could not judge" not in setup.live.getvalue()
    assert kind in setup.kinds(), setup.live.getvalue()


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/crm/v3/objects/contacts", "unknown-operation"),
        (f"{API}/definitions/extra", "unknown-operation"),
        (f"{API}//definitions", "unknown-operation"),
        (f"{API}/statuses/%ZZ", "request-schema"),
        (f"{API}/statuses/not-an-email?channel=EMAIL", "request-schema"),
    ],
)
async def test_odd_requests_are_forwarded_and_reported(path: str, kind: str) -> None:
    setup = in_process(upstream((200, [JSON_TYPE], b"{}")))
    async with setup.client() as client:
        response = await client.get(path)
    assert response.status_code == 200
    assert kind in setup.kinds(), setup.live.getvalue()
    assert "could not judge" not in setup.live.getvalue()
