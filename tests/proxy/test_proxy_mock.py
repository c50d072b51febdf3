"""The proxy in front of the mock: a full round of the ten operations gives no finding, the
answers pass through unchanged, and the command line writes its report and record on SIGTERM."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hubspot_communication_preferences import AuthenticatedClient
from proxy_testing import TOKEN, full_round, full_round_async, in_process, served_proxy

import mock_server
from mock_server import serve_in_subprocess

OPERATIONS = {
    "get_definitions",
    "get_statuses",
    "update_status",
    "get_unsubscribe_all_status",
    "unsubscribe_all",
    "batch_get_statuses",
    "batch_update_statuses",
    "batch_unsubscribe_all",
    "batch_get_unsubscribe_all_statuses",
    "generate_links",
}


async def test_full_round_in_process_has_no_finding() -> None:
    setup = in_process(mock_server.create_app())
    async with setup.generated() as client:
        statuses = await full_round_async(client)
    assert all(200 <= s < 300 for s in statuses), statuses
    assert set(setup.log.exchanges) == OPERATIONS
    assert setup.log.groups == {}, setup.live.getvalue()
    assert setup.live.getvalue() == ""


async def echo(scope: Any, receive: Any, send: Any) -> None:
    """An upstream that answers with what it received, as JSON."""
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    seen = {
        "method": scope["method"],
        "raw_path": scope["raw_path"].decode(),
        "query": scope["query_string"].decode(),
        "headers": {k.decode(): v.decode() for k, v in scope["headers"]},
        "body": body.decode(),
    }
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"x-custom", b"kept")],
        }
    )
    await send({"type": "http.response.body", "body": json.dumps(seen).encode()})


async def test_requests_are_forwarded_unchanged() -> None:
    setup = in_process(echo)
    path = "/communication-preferences/2026-03/statuses/batch/unsubscribe-all"
    body = b'{"inputs": ["ann+x@example.com"]}'
    async with setup.client() as client:
        answer = await client.post(
            path + "?channel=EMAIL&verbose=true",
            content=body,
            headers={"content-type": "application/json", "x-trace": "1"},
        )
    seen = answer.json()
    assert seen["method"] == "POST"
    assert seen["raw_path"] == path
    assert seen["query"] == "channel=EMAIL&verbose=true"
    assert seen["body"] == body.decode()
    assert seen["headers"]["authorization"] == f"Bearer {TOKEN}"  # the token passes through
    assert seen["headers"]["x-trace"] == "1"
    assert answer.headers["x-custom"] == "kept"
    # Encoded characters in a path segment reach the upstream exactly as sent.
    async with setup.client() as client:
        answer = await client.get(
            "/communication-preferences/2026-03/statuses/a%2Fb%40example.com?channel=EMAIL"
        )
    assert answer.json()["raw_path"].endswith("/statuses/a%2Fb%40example.com")


def test_served_proxy_full_round_report_and_record(tmp_path: Path) -> None:
    record = tmp_path / "traffic.jsonl"
    reports = tmp_path / "reports"
    with (
        serve_in_subprocess() as mock,
        served_proxy(
            "--upstream", mock.url, "--record", str(record), "--report-dir", str(reports)
        ) as proxy,
    ):
        client = AuthenticatedClient(base_url=proxy.url, token=TOKEN)
        with client:
            statuses = full_round(client)
        code, stderr = proxy.stop()
    assert all(200 <= s < 300 for s in statuses), statuses
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert "finding" not in stderr.replace("no findings", ""), stderr
    report = json.loads((reports / "proxy-report.json").read_text())
    assert report["findings"] == []
    assert set(report["exchanges"]) == OPERATIONS
    assert "no findings" in (reports / "proxy-report.md").read_text()
    assert "<failure" not in (reports / "proxy-report-junit.xml").read_text()
    lines = record.read_text().splitlines()
    assert json.loads(lines[0])["commprefsProxyRecord"] == 1
    assert len(lines) == 1 + len(statuses)
    assert TOKEN not in record.read_text()
