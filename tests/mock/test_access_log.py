"""The access log: one line per request with method, path, status, operationId, correlation
id and the reason of a refusal; never a token, wherever the client put it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from mock_testing import AUTH, BASE, EMAIL
from valid_requests import call

from mock_server import ALL_SCOPES, Faults, MockConfig, RateLimit
from mock_server.accesslog import logged_target, scrub, secret_variants

SECRET = "pat-na1-5ecret/Token+value"  # '/' and '+' so its percent-encoded spelling differs


async def logged_client(make_client: Any, tmp_path: Path, **config: Any) -> tuple[Any, Path]:
    tmp_path.mkdir(exist_ok=True)
    log = tmp_path / "access.log"
    tokens = {SECRET: ALL_SCOPES, "test-token": ALL_SCOPES}
    _, client = await make_client(MockConfig(tokens=tokens, access_log=str(log), **config))
    return client, log


def lines(log: Path) -> list[str]:
    return log.read_text().splitlines()


async def test_one_line_per_request_with_its_facts(make_client: Any, tmp_path: Path) -> None:
    client, log = await logged_client(make_client, tmp_path)
    ok = await client.post(
        "/statuses/batch/unsubscribe-all", params=EMAIL, json={"inputs": ["a@example.com"]}
    )
    bad = await client.post(
        "/statuses/batch/write",
        json={"inputs": [{"subscriberIdString": "not-an-email", "channel": "EMAIL"}]},
    )
    missing = await client.get("/nowhere")
    await client.get("http://mock/_mock/state")
    first, second, third, fourth = lines(log)

    cid = ok.headers["x-hubspot-correlation-id"]
    fields = first.split(" ")
    assert fields[1:6] == [
        "POST",
        f"{BASE}/statuses/batch/unsubscribe-all?channel=EMAIL",
        "200",
        "batch_unsubscribe_all",
        cid,
    ]
    assert fields[0].endswith("Z")  # a UTC timestamp

    assert bad.status_code == 400
    assert f" 400 batch_update_statuses {bad.headers['x-hubspot-correlation-id']} " in second
    assert "reason=" in second
    # The validation failure names the field(s) the validator found wrong.
    assert "subscriberIdString" in second and "subscriptionId" in second

    assert f" {BASE}/nowhere 404 - " in third and "reason=" in third
    assert missing.status_code == 404
    assert " /_mock/state 200 - " in fourth


async def test_the_token_never_appears(make_client: Any, tmp_path: Path) -> None:
    client, log = await logged_client(make_client, tmp_path)
    mine = {"Authorization": f"Bearer {SECRET}"}
    encoded = httpx.QueryParams({"x": SECRET}).get("x")  # as httpx sends it
    await client.get("/definitions", headers=mine)
    # Echoed in the query string, under usual and unusual names, raw and percent-encoded.
    await client.get(
        "/definitions",
        params={"hapikey": SECRET, "access_token": SECRET, "businessUnitId": SECRET},
        headers=mine,
    )
    await client.get(f"/definitions?token={SECRET}&channel={SECRET}", headers=mine)
    # In the path, in the body, as a wrong or a malformed token.
    await client.get(f"/statuses/{SECRET}", params=EMAIL, headers=mine)
    await client.post("/statuses/batch/read", params=EMAIL, json={"inputs": [SECRET]}, headers=mine)
    await client.get("/definitions", headers={"Authorization": "Bearer other-secret-99"})
    await client.get("/definitions", headers={"Authorization": "other-secret-98"})
    await client.get("/definitions", headers={"Authorization": f"Basic {SECRET}"})
    await client.get("/definitions", params={"x": "test-token"})
    text = log.read_text()
    assert len(lines(log)) == 9
    for secret in (SECRET, encoded, "5ecret", "other-secret-99", "other-secret-98", "test-token"):
        assert secret not in text, secret
    assert "hapikey=***" in text and "access_token=***" in text
    assert "[token]" in text  # the token where it was, marked


async def test_rate_limit_prefer_queue_and_faults_are_marked(
    make_client: Any, tmp_path: Path
) -> None:
    client, log = await logged_client(
        make_client, tmp_path, rate_limit=RateLimit(max_requests=1, interval_seconds=60)
    )
    await client.post(
        "http://mock/_mock/queue",
        json={"operationId": "get_statuses", "answers": [{"status": 503, "body": "html"}]},
    )
    await call(client, "get_statuses")
    await call(client, "get_definitions", {"Prefer": "code=429"})
    await call(client, "get_definitions")
    await call(client, "get_definitions")
    _, queued, preferred, allowed, limited = lines(log)
    assert " 503 get_statuses " in queued and "via=queue:503:html" in queued
    assert " 429 get_definitions " in preferred and "via=prefer:429" in preferred
    assert " 200 get_definitions " in allowed and "via=" not in allowed
    assert " 429 get_definitions " in limited and "reason='You have reached" in limited

    faulty, log2 = await logged_client(
        make_client, tmp_path / "f", faults=Faults(rate=1.0, kinds=("502",))
    )
    await faulty.get("/definitions")
    assert "via=fault:502" in lines(log2)[0]


async def test_a_dropped_connection_is_logged_without_a_status(
    make_client: Any, tmp_path: Path
) -> None:
    client, log = await logged_client(make_client, tmp_path)
    await client.post(
        "http://mock/_mock/queue", json={"operationId": "get_definitions", "answers": [{"drop": 1}]}
    )
    await client.post(
        "http://mock/_mock/queue",
        json={"operationId": "get_definitions", "answers": [{"drop": True}]},
    )
    with pytest.raises(httpx.RemoteProtocolError):
        await call(client, "get_definitions")
    bad_queue, _, dropped = lines(log)
    assert " /_mock/queue 400 - " in bad_queue and "drop" in bad_queue
    assert " - get_definitions " in dropped and "via=queue:drop" in dropped


async def test_one_entry_is_one_line_whatever_the_request_holds(
    make_client: Any, tmp_path: Path
) -> None:
    client, log = await logged_client(make_client, tmp_path)
    await client.post("/statuses/batch/read", params=EMAIL, content=b'{"inputs": ["a\\nb"')
    await client.post("/statuses/batch/read", params=EMAIL, json={"inputs": ["x\ny", "z\rw"]})
    assert len(lines(log)) == 2


def test_log_helpers() -> None:
    assert logged_target("/p", b"channel=EMAIL&hapikey=abc&verbose", frozenset({"channel"})) == (
        "/p?channel=EMAIL&hapikey=***&verbose"
    )
    variants = secret_variants(["a/b c"])
    assert {"a/b c", "a%2Fb%20c", "a%2Fb+c"} <= set(variants)
    assert scrub("x a%2Fb%20c y", variants) == "x [token] y"


def test_the_cli_logs_to_stderr_by_default_and_never_the_token(serve: Any) -> None:
    served = serve("--token", SECRET)
    with httpx.Client(base_url=f"{served.url}{BASE}", timeout=10) as c:
        mine = {"Authorization": f"Bearer {SECRET}"}
        assert c.get("/definitions", headers=mine).status_code == 200
        assert c.get("/definitions", params={"access_token": SECRET}).status_code == 401
        assert c.get("/definitions", headers={**mine, "Prefer": "code=503"}).status_code == 503
    out = served.output()
    assert SECRET not in out and "5ecret" not in out
    logged = [line for line in out.splitlines() if " get_definitions " in line]
    assert len(logged) == 3
    assert [line.split(" ")[3] for line in logged] == ["200", "401", "503"]


def test_no_access_log_and_access_log_file(serve: Any, tmp_path: Path) -> None:
    quiet = serve("--no-access-log")
    httpx.get(f"{quiet.url}{BASE}/definitions", headers=AUTH, timeout=10)
    assert " get_definitions " not in quiet.output()
    assert "no access log" in quiet.output()

    log = tmp_path / "requests.log"
    to_file = serve("--access-log", str(log))
    httpx.get(f"{to_file.url}{BASE}/definitions", headers=AUTH, timeout=10)
    assert " get_definitions " not in to_file.output()
    [line] = [x for x in log.read_text().splitlines() if " get_definitions " in x]
    assert " 200 get_definitions " in line
