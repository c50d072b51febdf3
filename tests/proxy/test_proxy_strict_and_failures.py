"""--strict refuses a request that breaks the spec before the upstream sees it; an upstream that
cannot be reached, fails TLS or does not answer becomes HubSpot's 502/504 and a finding."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from proxy_testing import API, TOKEN, in_process, served_proxy

import mock_server
from commprefs_kit.proxy import FindingLog, ProxyApp, ProxyConfig
from commprefs_kit.proxy.redact import Redactor
from mock_server import serve_in_subprocess
from mock_server.process import free_port

MALFORMED = {"inputs": ["ann@example.com", 42]}  # an input that is no string


def request_count(mock_url: str) -> int:
    count: int = httpx.get(f"{mock_url}/_mock/state").json()["requestCount"]
    return count


def test_strict_stops_a_malformed_opt_out_before_the_upstream(tmp_path: Path) -> None:
    with (
        serve_in_subprocess() as mock,
        served_proxy("--upstream", mock.url, "--strict", "--report-dir", str(tmp_path)) as proxy,
    ):
        headers = {"authorization": f"Bearer {TOKEN}"}
        url = f"{proxy.url}{API}/statuses/batch/unsubscribe-all?channel=EMAIL"
        before = request_count(mock.url)
        refused = httpx.post(url, json=MALFORMED, headers=headers)
        after_refusal = request_count(mock.url)
        accepted = httpx.post(url, json={"inputs": ["ann@example.com"]}, headers=headers)
        after_valid = request_count(mock.url)
        state = httpx.get(f"{mock.url}/_mock/state").json()
        code, stderr = proxy.stop()
    assert refused.status_code == 400
    body = refused.json()
    assert body["status"] == "error" and body["category"] == "VALIDATION_ERROR"
    assert body["correlationId"] == refused.headers["x-hubspot-correlation-id"]
    assert "not forwarded" in body["message"]
    assert any(e["in"] == "body inputs[1]" for e in body["errors"])
    assert after_refusal == before  # the mock never saw it
    assert accepted.status_code == 200 and after_valid == before + 1
    assert list(state["subscribers"]) == ["ann@example.com"]
    assert code == 0
    assert "request-schema" in stderr and "[breaking]" in stderr
    # The report written on SIGTERM: one row per operation x kind, with an example and advice.
    report = (tmp_path / "proxy-report.md").read_text()
    row = next(line for line in report.splitlines() if "| request-schema |" in line)
    assert "`batch_unsubscribe_all`" in row and "| breaking |" in row
    assert "inputs[1]" in row and "Fix the caller" in row
    data = json.loads((tmp_path / "proxy-report.json").read_text())
    [finding] = data["findings"]
    assert finding["change"]["kind"] == "type-changed"
    assert finding["change"]["severity"] == "breaking"
    assert data["exchanges"] == {"batch_unsubscribe_all": 2}
    junit = (tmp_path / "proxy-report-junit.xml").read_text()
    assert 'failures="1"' in junit and "batch_unsubscribe_all request-schema" in junit


async def test_without_strict_a_malformed_request_is_forwarded_and_reported() -> None:
    mock = mock_server.create_app()
    setup = in_process(mock)
    async with setup.client() as client:
        answer = await client.post(
            f"{API}/statuses/batch/unsubscribe-all", params={"channel": "EMAIL"}, json=MALFORMED
        )
    assert answer.status_code == 400  # the mock's own answer: it saw the request
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=mock), base_url="http://mock"
    ) as direct:
        state = (await direct.get("/_mock/state")).json()
    assert state["requestCount"] == 1
    assert "request-schema" in setup.kinds()


async def test_strict_forwards_requests_the_spec_allows() -> None:
    setup = in_process(mock_server.create_app(), strict=True)
    async with setup.client() as client:
        # An unknown query parameter is reported but breaks no schema: it is forwarded.
        answer = await client.get(f"{API}/definitions", params={"extra": "1"})
    assert answer.status_code == 200
    assert "request-schema" in setup.kinds()
    assert all(g.severity.label == "safe" for g in setup.log.groups.values())


# ---- upstream failures -------------------------------------------------------------------


def proxy_to(upstream: str, timeout: float = 30.0) -> tuple[ProxyApp, FindingLog]:
    log = FindingLog(Redactor())
    app = ProxyApp(ProxyConfig(upstream=upstream, timeout=timeout, connect_timeout=2.0), log=log)
    return app, log


async def call(app: ProxyApp) -> httpx.Response:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://proxy"
    ) as client:
        answer = await client.get(
            f"{API}/definitions", headers={"authorization": f"Bearer {TOKEN}"}
        )
    await app.aclose()
    return answer


def assert_hubspot_error(answer: httpx.Response, status: int) -> None:
    assert answer.status_code == status
    body = answer.json()
    assert body["status"] == "error"
    assert body["category"] and body["message"] and body["correlationId"]
    assert "Traceback" not in answer.text


async def test_unreachable_upstream_is_a_502_and_a_finding() -> None:
    app, log = proxy_to(f"http://127.0.0.1:{free_port()}")
    answer = await call(app)
    assert_hubspot_error(answer, 502)
    assert ("get_definitions", "upstream-unreachable") in log.groups


@pytest.fixture
async def silent_server() -> AsyncIterator[int]:
    """A TCP server that accepts connections and never answers."""
    held: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield port
    for writer in held:
        writer.close()
    server.close()


async def test_silent_upstream_is_a_504_and_a_finding(silent_server: int) -> None:
    app, log = proxy_to(f"http://127.0.0.1:{silent_server}", timeout=0.5)
    answer = await call(app)
    assert_hubspot_error(answer, 504)
    assert ("get_definitions", "upstream-timeout") in log.groups


async def test_tls_failure_is_a_502_and_a_finding() -> None:
    # A plain-HTTP server spoken to over https: the TLS handshake fails.
    mock = mock_server.create_app()
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(mock, log_level="critical", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        app, log = proxy_to(f"https://127.0.0.1:{port}")
        answer = await call(app)
    finally:
        server.should_exit = True
        await task
    assert_hubspot_error(answer, 502)
    group = log.groups[("get_definitions", "upstream-unreachable")]
    assert "127.0.0.1" in group.first.detail
    assert json.loads(answer.text)["category"] == "BAD_GATEWAY"


async def test_request_without_token_is_reported_and_still_forwarded() -> None:
    mock = mock_server.create_app()
    setup = in_process(mock, strict=True)
    async with setup.client(token=None) as client:
        answer = await client.get(f"{API}/definitions")
    assert answer.status_code == 401  # HubSpot's (the mock's) own answer: it was forwarded
    group = setup.log.groups[("get_definitions", "request-schema")]
    assert group.first.where == "request header authorization"
    assert group.first.change == "security-requirement-removed"
