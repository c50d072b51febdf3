"""``POST /_mock/queue``: the next answers of one operation, consumed in order, before
auth, rate limit and any change; cleared by ``DELETE /_mock/queue`` and ``POST /_mock/reset``;
shown by ``GET /_mock/state``. Bad queue bodies are HubSpot 400s, never a 500."""

from __future__ import annotations

import socket
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mock_testing import AUTH, BASE, state
from valid_requests import call

from mock_server import ConnectionDropped, MockConfig, RateLimit, create_app
from mock_server.process import RunningMock

QUEUE = "http://mock/_mock/queue"
EXAMPLE = {
    "operationId": "get_statuses",
    "answers": [
        {"status": 429, "retryAfter": 1},
        {"status": 503, "body": "html"},
        {"drop": True},
        {"status": 500},
    ],
}


async def queue(client: httpx.AsyncClient, body: Any) -> httpx.Response:
    return await client.post(QUEUE, json=body)


async def test_answers_are_consumed_in_order_then_normal_service_resumes(
    client: httpx.AsyncClient,
) -> None:
    r = await queue(client, EXAMPLE)
    assert r.status_code == 200
    assert r.json()["operationId"] == "get_statuses"
    assert len(r.json()["queued"]) == 4

    first = await call(client, "get_statuses")
    assert first.status_code == 429
    assert first.headers["retry-after"] == "1"
    assert first.json()["errorType"] == "RATE_LIMIT"
    assert first.json()["correlationId"] == first.headers["x-hubspot-correlation-id"]

    second = await call(client, "get_statuses")
    assert second.status_code == 503
    assert second.headers["content-type"].startswith("text/html")
    assert "503 Service Unavailable" in second.text

    with pytest.raises(ConnectionDropped):
        await call(client, "get_statuses")

    fourth = await call(client, "get_statuses")
    assert fourth.status_code == 500
    assert fourth.json()["category"] == "INTERNAL_ERROR"

    assert (await call(client, "get_statuses")).status_code == 200
    assert (await state(client))["queue"] == {}


async def test_only_the_named_operation_is_affected(client: httpx.AsyncClient) -> None:
    await queue(client, {"operationId": "batch_unsubscribe_all", "answers": [{"status": 502}]})
    assert (await call(client, "get_definitions")).status_code == 200
    assert (await call(client, "get_statuses")).status_code == 200
    assert (await call(client, "batch_unsubscribe_all")).status_code == 502
    assert (await call(client, "batch_unsubscribe_all")).status_code == 200


async def test_queued_answers_change_nothing_and_skip_auth_and_rate_limit(
    make_client: Any,
) -> None:
    _, client = await make_client(MockConfig(rate_limit=RateLimit(max_requests=1)))
    answers = [{"status": 500}, {"status": 503}, {"drop": True}]
    await queue(client, {"operationId": "unsubscribe_all", "answers": answers})
    no_token = {"Authorization": "Bearer not-a-token"}
    assert (await call(client, "unsubscribe_all", no_token)).status_code == 500
    assert (await call(client, "unsubscribe_all")).status_code == 503
    with pytest.raises(ConnectionDropped):
        await call(client, "unsubscribe_all")
    assert (await state(client))["subscribers"] == {}
    # The rate limit counted none of them: the first real request is allowed.
    assert (await call(client, "unsubscribe_all")).status_code == 200
    assert "ann@example.com" in (await state(client))["subscribers"]


async def test_a_queued_answer_wins_over_prefer(client: httpx.AsyncClient) -> None:
    await queue(client, {"operationId": "get_definitions", "answers": [{"status": 502}]})
    prefer = {"Prefer": "code=503"}
    assert (await call(client, "get_definitions", prefer)).status_code == 502
    assert (await call(client, "get_definitions", prefer)).status_code == 503


async def test_a_queued_2xx_is_served_normally(client: httpx.AsyncClient) -> None:
    answers = [{"status": 200}, {"status": 500}]
    await queue(client, {"operationId": "batch_unsubscribe_all", "answers": answers})
    r = await call(client, "batch_unsubscribe_all")
    assert r.status_code == 200
    assert "ann@example.com" in (await state(client))["subscribers"]
    assert (await call(client, "batch_unsubscribe_all")).status_code == 500


async def test_empty_body_and_fractional_retry_after(make_client: Any) -> None:
    # No spec check here: an empty body with no content type is off the spec on purpose.
    _, client = await make_client()
    raw = httpx.AsyncClient(
        transport=client._transport, base_url=f"http://mock{BASE}", headers=AUTH
    )
    async with raw:
        answers = [{"status": 520, "body": "empty"}, {"status": 503, "retryAfter": 0.5}]
        await raw.post(QUEUE, json={"operationId": "get_definitions", "answers": answers})
        empty = await raw.get("/definitions")
        assert empty.status_code == 520
        assert empty.content == b""
        assert "content-type" not in empty.headers
        later = await raw.get("/definitions")
        assert (later.status_code, later.headers["retry-after"]) == (503, "0.5")


async def test_state_shows_what_is_queued_and_delete_and_reset_clear_it(
    client: httpx.AsyncClient,
) -> None:
    await queue(client, EXAMPLE)
    await queue(client, {"operationId": "get_statuses", "answers": [{"status": 404}]})
    await queue(client, {"operationId": "generate_links", "answers": [{"drop": True}]})
    shown = (await state(client))["queue"]
    assert shown == {
        "get_statuses": [
            {"status": 429, "retryAfter": 1, "body": "json"},
            {"status": 503, "body": "html"},
            {"drop": True},
            {"status": 500, "body": "json"},
            {"status": 404, "body": "json"},
        ],
        "generate_links": [{"drop": True}],
    }
    assert (await client.get(QUEUE)).json() == {"queue": shown}
    await call(client, "get_statuses")
    assert len((await state(client))["queue"]["get_statuses"]) == 4

    r = await client.delete(QUEUE)
    assert r.status_code == 200
    assert r.json() == {"cleared": 5}
    assert (await state(client))["queue"] == {}
    assert (await call(client, "get_statuses")).status_code == 200

    await queue(client, EXAMPLE)
    await client.post("http://mock/_mock/reset")
    assert (await state(client))["queue"] == {}
    assert (await call(client, "get_statuses")).status_code == 200


BAD_BODIES: list[tuple[bytes, str, str | None]] = [
    # (raw body, words of the message, errors[0].in)
    (b"", "not valid JSON", "body"),
    (b"{", "not valid JSON", "body"),
    (b"[]", "must be an object", None),
    (b'"get_statuses"', "must be an object", None),
    (b'{"answers": [{"status": 500}]}', "operationId must name an operation", "operationId"),
    (b'{"operationId": "getStatuses", "answers": [{"status": 500}]}', "known:", "operationId"),
    (b'{"operationId": 7, "answers": [{"status": 500}]}', "operationId", "operationId"),
    (b'{"operationId": "get_statuses"}', "non-empty list", "answers"),
    (b'{"operationId": "get_statuses", "answers": []}', "non-empty list", "answers"),
    (b'{"operationId": "get_statuses", "answers": {"status": 500}}', "non-empty list", "answers"),
    (b'{"operationId": "get_statuses", "answers": [500]}', "must be an object", "answers[0]"),
    (b'{"operationId": "get_statuses", "answers": [{}]}', "status", "answers[0].status"),
    (
        b'{"operationId": "get_statuses", "answers": [{"status": "500"}]}',
        "whole number",
        "answers[0].status",
    ),
    (
        b'{"operationId": "get_statuses", "answers": [{"status": 500.0}]}',
        "whole number",
        "answers[0].status",
    ),
    (
        b'{"operationId": "get_statuses", "answers": [{"status": true}]}',
        "whole number",
        "answers[0].status",
    ),
    (
        b'{"operationId": "get_statuses", "answers": [{"status": 302}]}',
        "declared: 200, 400",
        "answers[0].status",
    ),
    (
        b'{"operationId": "get_definitions", "answers": [{"status": 207}]}',
        "does not declare status 207",
        "answers[0].status",
    ),
    (
        b'{"operationId": "get_statuses", "answers": [{"status": 500, "body": "xml"}]}',
        "json, html, empty",
        "answers[0].body",
    ),
    (
        b'{"operationId": "get_statuses", "answers": [{"status": 429, "retryAfter": -1}]}',
        "retryAfter",
        "answers[0].retryAfter",
    ),
    (
        b'{"operationId": "get_statuses", "answers": [{"status": 429, "retryAfter": "1"}]}',
        "retryAfter",
        "answers[0].retryAfter",
    ),
    (
        b'{"operationId": "get_statuses", "answers": [{"status": 200, "retryAfter": 1}]}',
        "served normally",
        "answers[0].retryAfter",
    ),
    (
        b'{"operationId": "get_statuses", "answers": [{"status": 500, "retry_after": 1}]}',
        "retry_after",
        "answers[0]",
    ),
    (
        b'{"operationId": "get_statuses", "answers": [{"status": 500}, {"drop": false}]}',
        '{"drop": true}',
        "answers[1]",
    ),
    (
        b'{"operationId": "get_statuses", "answers": [{"drop": true, "status": 500}]}',
        '{"drop": true}',
        "answers[0]",
    ),
    (b'{"operationId": "get_statuses", "answers": [{"drop": true}], "x": 1}', "Unknown", None),
    (b'{"operationId": "get_statuses", "answers": [{"drop": 1}]}', '{"drop": true}', "answers[0]"),
]


@pytest.mark.parametrize(("raw", "words", "where"), BAD_BODIES)
async def test_bad_queue_bodies_are_hubspot_400s_and_queue_nothing(
    client: httpx.AsyncClient, raw: bytes, words: str, where: str | None
) -> None:
    r = await client.post(QUEUE, content=raw, headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    body = r.json()
    assert body["status"] == "error"
    assert body["category"] == "VALIDATION_ERROR"
    assert body["correlationId"] == r.headers["x-hubspot-correlation-id"]
    assert words in body["message"]
    if where is not None:
        assert body["errors"][0]["in"] == where
    assert (await state(client))["queue"] == {}


async def test_any_content_type_is_read_as_json(client: httpx.AsyncClient) -> None:
    body = orjson.dumps({"operationId": "get_definitions", "answers": [{"status": 503}]})
    r = await client.post(QUEUE, content=body, headers={"Content-Type": "text/plain"})
    assert r.status_code == 200
    assert (await call(client, "get_definitions")).status_code == 503


async def test_the_queue_hook_allows_get_post_delete(client: httpx.AsyncClient) -> None:
    r = await client.put(QUEUE, json=EXAMPLE)
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, POST, DELETE"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=12,
)
answer_like = st.dictionaries(
    st.sampled_from(["status", "retryAfter", "body", "drop", "x"]), json_values, max_size=4
)
queue_like = st.fixed_dictionaries(
    {},
    optional={
        "operationId": st.sampled_from(["get_statuses", "nope"]) | json_values,
        "answers": st.lists(answer_like | json_values, max_size=4) | json_values,
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=queue_like | json_values)
async def test_no_queue_body_is_a_500(document: Any) -> None:
    app = create_app()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as c:
        r = await c.post(
            "/_mock/queue", content=orjson.dumps(document, option=orjson.OPT_NON_STR_KEYS)
        )
        assert r.status_code in (200, 400), r.text
        if r.status_code == 400:
            assert r.json()["category"] == "VALIDATION_ERROR"
            assert app.queue == {}


def test_a_queued_drop_over_a_real_socket_with_default_options(serve: Any) -> None:
    """scripts/mock's defaults (granian): the client gets no byte at all."""
    served: RunningMock = serve()
    answers = [{"drop": True}, {"drop": True}, {"status": 503}]
    r = httpx.post(
        f"{served.url}/_mock/queue",
        json={"operationId": "get_definitions", "answers": answers},
        timeout=10,
    )
    assert r.status_code == 200
    with httpx.Client(base_url=f"{served.url}{BASE}", headers=AUTH, timeout=10) as c:
        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            c.get("/definitions")
        with socket.create_connection(("127.0.0.1", served.port), timeout=10) as s:
            s.sendall(
                f"GET {BASE}/definitions HTTP/1.1\r\nHost: x\r\n"
                "Authorization: Bearer test-token\r\n\r\n".encode()
            )
            assert s.recv(1024) == b""
        assert c.get("/definitions").status_code == 503
        assert c.get("/definitions").status_code == 200
    assert "granian" in served.output()
    assert "Traceback" not in served.output()
