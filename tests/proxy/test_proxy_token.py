"""The token never reaches the live lines, the record or the reports, even when the upstream
echoes it in a body and a header."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
from proxy_testing import API

from commprefs_kit.proxy import FindingLog, ProxyApp, ProxyConfig
from commprefs_kit.proxy.record import Recorder
from commprefs_kit.proxy.redact import Redactor

SECRET = "pat-na1-0f9c2a7b-6d1e-4c3a-9b8f-do-not-leak"


async def echoing_upstream(scope: Any, receive: Any, send: Any) -> None:
    """Answers every request with a spec-breaking body that quotes the Authorization header."""
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    token = dict(scope["headers"]).get(b"authorization", b"").decode()
    body = (
        '{"status": "error", "message": "bad token ' + token + '", "category": "X", '
        '"correlationId": "' + token + '"}'
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 418,
            "headers": [
                (b"content-type", b"application/json"),
                (b"x-echo", token.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def test_token_is_never_written(tmp_path: Path) -> None:
    live = io.StringIO()
    redactor = Redactor()
    log = FindingLog(redactor, live=live)
    record = tmp_path / "record.jsonl"
    recorder = Recorder(record, "http://upstream", redactor)
    recorder.open()
    app = ProxyApp(
        ProxyConfig(
            upstream="http://upstream", transport=httpx.ASGITransport(app=echoing_upstream)
        ),
        log=log,
        recorder=recorder,
        errors=live,
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://proxy"
    ) as client:
        answer = await client.post(
            f"{API}/statuses/batch/read",
            params={"channel": "EMAIL"},
            json={"inputs": [SECRET]},  # also inside a request body, as a careless caller might
            headers={"authorization": f"Bearer {SECRET}"},
        )
    await app.aclose()
    # The client itself gets the upstream's answer unchanged.
    assert SECRET in answer.text
    written = log.write(tmp_path / "reports", "proxy-report", "t")
    outputs = {"live": live.getvalue(), "record": record.read_text()}
    outputs |= {path.name: path.read_text() for path in written}
    assert log.groups, "the echoing upstream breaks the spec: there must be findings"
    assert "418" in outputs["proxy-report.md"]
    for name, text in outputs.items():
        assert SECRET not in text, name
        assert SECRET[8:24] not in text, name  # nor a recognisable part of it
    assert "$HUBSPOT_ACCESS_TOKEN" in outputs["record"]


def test_bearer_credentials_in_free_text_are_masked() -> None:
    redactor = Redactor()
    assert redactor.text("sent Authorization: Bearer abc.def-123") == (
        "sent Authorization: Bearer $HUBSPOT_ACCESS_TOKEN"
    )
