"""The transport stack itself (``build_transport`` and its layers): what each layer hands on, the
errors it builds when no answer arrives, how bodies are buffered, how it closes.

The layers are public classes (``AttemptTransport``, ``ErrorTransport``), so some tests drive them
directly; the rest go through ``make_client`` as users do."""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from hubspot_communication_preferences import (
    HubSpotAPIError,
    HubSpotConnectionError,
    HubSpotTimeoutError,
    NotFoundError,
    UnexpectedResponseError,
    make_client,
)
from hubspot_communication_preferences.api.definitions import get_definitions
from hubspot_communication_preferences.api.status import get_statuses, update_status
from hubspot_communication_preferences.lib.transport import (
    ATTEMPTS,
    AttemptTransport,
    ErrorTransport,
    build_transport,
)
from hubspot_communication_preferences.models import (
    ActionResponseWithResultsSubscriptionDefinition,
    Channel,
    Error,
    PartialPublicStatusRequest,
    SubscriptionStatus,
)

from commprefs_kit.client_testing import (
    RecordedWaits,
    ScriptedHubSpot,
    definition,
    envelope,
    fail,
    hubspot_error,
    reply,
)

P = "/communication-preferences/2026-03"
DEFINITIONS = {"content-type": "application/json"}
RESUBSCRIBE = PartialPublicStatusRequest(
    channel=Channel.EMAIL, status_state=SubscriptionStatus.SUBSCRIBED, subscription_id=42
)


class SyncOnly(httpx.BaseTransport):
    """A transport with no async side."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=envelope([]))


class AsyncOnly(httpx.AsyncBaseTransport):
    """A transport with no sync side."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=envelope([]))


def _gzip_json(document: Any) -> bytes:
    return gzip.compress(json.dumps(document).encode())


class Chunks(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that arrives in several pieces, as off the wire."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk


def _json_bytes(document: Any) -> bytes:
    return json.dumps(document).encode()


def _split(raw: bytes) -> tuple[bytes, ...]:
    third = len(raw) // 3
    return raw[:third], raw[third : 2 * third], raw[2 * third :]


# ---- bodies ------------------------------------------------------------------------------------


@pytest.mark.parametrize("gzipped", [False, True])
async def test_a_body_json_bytes_is_joined_as_it_was(gzipped: bool, token: str) -> None:
    document = envelope([definition()])
    raw = _gzip_json(document) if gzipped else _json_bytes(document)
    headers = {**DEFINITIONS, **({"content-encoding": "gzip"} if gzipped else {})}
    hubspot = ScriptedHubSpot().script(
        lambda request: httpx.Response(200, stream=Chunks(*_split(raw)), headers=headers)
    )
    client = make_client(token, transport=hubspot.transport)
    sync = get_definitions.sync_detailed(client=client)
    async_ = await get_definitions.asyncio_detailed(client=client)
    for answer in (sync, async_):
        assert json.loads(answer.content) == document
        assert isinstance(answer.parsed, ActionResponseWithResultsSubscriptionDefinition)
        assert answer.parsed.results[0].name == "Newsletter"


@pytest.mark.parametrize("already_read", [True, False])
async def test_gzip_bodies_decode_for_async_calls_too(already_read: bool, token: str) -> None:
    body = _gzip_json(envelope([definition()]))
    headers = {**DEFINITIONS, "content-encoding": "gzip"}

    def answer(request: httpx.Request) -> httpx.Response:
        if already_read:
            return httpx.Response(200, content=body, headers=headers)
        return httpx.Response(200, stream=httpx.ByteStream(body), headers=headers)

    hubspot = ScriptedHubSpot().script(answer)
    client = make_client(token, transport=hubspot.transport)
    parsed = await get_definitions.asyncio(client=client)
    assert parsed is not None and parsed.results[0].name == "Newsletter"


@pytest.mark.parametrize("use_async", [False, True])
async def test_a_decoded_body_does_not_keep_the_encoded_length(use_async: bool, token: str) -> None:
    body = _gzip_json(envelope([definition()]))
    hubspot = ScriptedHubSpot().script(
        reply(200, content=body, headers={**DEFINITIONS, "content-encoding": "gzip"})
    )
    client = make_client(token, transport=hubspot.transport)
    if use_async:
        answer = await get_definitions.asyncio_detailed(client=client)
    else:
        answer = get_definitions.sync_detailed(client=client)
    assert "content-encoding" not in answer.headers
    assert answer.headers.get("content-length", str(len(answer.content))) == str(
        len(answer.content)
    )


def test_a_broken_gzip_body_raises_a_typed_error(token: str) -> None:
    broken = {**DEFINITIONS, "content-encoding": "gzip"}
    hubspot = ScriptedHubSpot().script(
        lambda request: httpx.Response(200, stream=httpx.ByteStream(b"not gzip"), headers=broken)
    )
    with pytest.raises(HubSpotAPIError) as caught:
        get_definitions.sync_detailed(client=make_client(token, transport=hubspot.transport))
    assert caught.value.status_code == 200


def test_a_broken_gzip_redirect_raises_even_without_raise_errors(token: str) -> None:
    broken = {**DEFINITIONS, "content-encoding": "gzip"}
    hubspot = ScriptedHubSpot().script(
        lambda request: httpx.Response(302, stream=httpx.ByteStream(b"not gzip"), headers=broken)
    )
    client = make_client(token, transport=hubspot.transport, raise_errors=False)
    with pytest.raises(HubSpotAPIError) as caught:
        get_definitions.sync_detailed(client=client)
    assert caught.value.status_code == 302


def test_response_extensions_reach_the_caller(token: str) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json=envelope([]), extensions={"http_version": b"HTTP/2", "reason_phrase": b"Fine"}
        )

    hubspot = ScriptedHubSpot().script(answer)
    for retry in (RecordedWaits().policy(), None):
        client = make_client(token, transport=hubspot.transport, retry=retry)
        response = client.get_httpx_client().get(f"{P}/definitions")
        assert (response.http_version, response.reason_phrase) == ("HTTP/2", "Fine")


# ---- status codes ------------------------------------------------------------------------------


def test_status_300_is_not_a_success(token: str) -> None:
    hubspot = ScriptedHubSpot().script(reply(300, json=envelope([definition()])))
    with pytest.raises(UnexpectedResponseError) as caught:
        get_definitions.sync_detailed(client=make_client(token, transport=hubspot.transport))
    assert caught.value.status_code == 300


def test_a_redirect_comes_back_unparsed_without_raise_errors(token: str) -> None:
    hubspot = ScriptedHubSpot().script(
        reply(302, json=hubspot_error(), headers={"location": "https://example.com/elsewhere"})
    )
    client = make_client(token, transport=hubspot.transport, raise_errors=False)
    answer = get_definitions.sync_detailed(client=client)
    assert answer.status_code == 302 and answer.parsed is None


def test_raise_errors_false_holds_with_retries_too(token: str) -> None:
    hubspot = ScriptedHubSpot().script(reply(400, json=hubspot_error()))
    client = make_client(
        token, transport=hubspot.transport, retry=RecordedWaits().policy(), raise_errors=False
    )
    answer = get_definitions.sync_detailed(client=client)
    assert answer.status_code == 400 and isinstance(answer.parsed, Error)


@pytest.mark.parametrize("retry", [True, False])
def test_build_transport_raises_errors_by_default(retry: bool) -> None:
    hubspot = ScriptedHubSpot().script(reply(404, json=hubspot_error("OBJECT_NOT_FOUND")))
    stack = build_transport(hubspot.transport, retry=RecordedWaits().policy() if retry else None)
    with httpx.Client(transport=stack) as client, pytest.raises(NotFoundError) as caught:
        client.get(f"https://api.hubapi.com{P}/definitions")
    assert caught.value.attempts == 1


# ---- the layers on their own -------------------------------------------------------------------


def test_error_transport_alone_raises_by_default_and_counts_one_attempt() -> None:
    hubspot = ScriptedHubSpot().script(reply(404, json=hubspot_error("OBJECT_NOT_FOUND")))
    stack = ErrorTransport(hubspot.transport, hubspot.transport)
    request = httpx.Request("GET", f"https://api.hubapi.com{P}/definitions")
    with pytest.raises(NotFoundError) as caught:
        stack.handle_request(request)
    assert caught.value.attempts == 1


def test_error_transport_alone_says_one_attempt_when_no_answer_came() -> None:
    hubspot = ScriptedHubSpot().script(fail(httpx.ReadError))
    stack = ErrorTransport(hubspot.transport, None)
    request = httpx.Request("GET", f"https://api.hubapi.com{P}/definitions")
    with pytest.raises(HubSpotConnectionError) as caught:
        stack.handle_request(request)
    assert caught.value.attempts == 1
    assert caught.value.request is request  # set by the layer, not only by an httpx.Client
    assert "(ReadError) after 1 attempt." in str(caught.value)


def test_error_transport_returns_the_answer_to_its_request() -> None:
    hubspot = ScriptedHubSpot().script(reply(200, json=envelope([])))
    request = httpx.Request("GET", f"https://api.hubapi.com{P}/definitions")
    response = ErrorTransport(hubspot.transport, None).handle_request(request)
    assert response.request is request
    assert json.loads(response.read()) == envelope([])


async def test_attempt_transport_counts_and_buffers() -> None:
    raw = _json_bytes(envelope([]))
    hubspot = ScriptedHubSpot().script(
        lambda request: httpx.Response(200, stream=Chunks(*_split(raw)), headers=DEFINITIONS)
    )
    layer = AttemptTransport(hubspot.transport, hubspot.transport)
    request = httpx.Request("GET", f"https://api.hubapi.com{P}/definitions")
    sync = layer.handle_request(request)
    async_ = await layer.handle_async_request(request)
    assert request.extensions[ATTEMPTS] == 2
    for response in (sync, async_):
        assert response.request is request
        assert response.read() == raw


# ---- no answer ---------------------------------------------------------------------------------


def test_connection_error_of_a_write_names_it_all(token: str) -> None:
    hubspot = ScriptedHubSpot().script(fail(httpx.ConnectError))
    client = make_client(token, transport=hubspot.transport)
    with pytest.raises(HubSpotConnectionError) as caught:
        update_status.sync_detailed("a@x.com", client=client, body=RESUBSCRIBE)
    error = caught.value
    assert type(error) is HubSpotConnectionError  # not a timeout
    assert (error.operation_id, error.method, error.attempts) == ("update_status", "POST", 1)
    assert error.url == f"https://api.hubapi.com{P}/statuses/a%40x.com"
    assert error.request is hubspot.requests[0]
    assert (error.retry_safe, error.request_sent) == (False, False)
    assert str(error) == (
        f"POST {P}/statuses/a%40x.com (update_status) failed without an answer (ConnectError) "
        "after 1 attempt. The request never reached HubSpot."
    )


def test_connection_error_of_an_unknown_request(token: str) -> None:
    hubspot = ScriptedHubSpot().script(fail(httpx.ReadError))
    client = make_client(token, transport=hubspot.transport, retry=RecordedWaits().policy())
    with pytest.raises(HubSpotConnectionError) as caught:
        client.get_httpx_client().get(f"{P}/something-new")
    error = caught.value
    assert (error.operation_id, error.retry_safe, error.request_sent) == (None, None, True)
    assert len(hubspot.requests) == 1  # not tagged retry-safe: sent once
    assert str(error) == (
        f"GET {P}/something-new failed without an answer (ReadError) after 1 attempt. "
        "Not retried: the operation is not retry-safe; HubSpot may or may not have applied it, "
        "so read it back before repeating."
    )


def test_connection_error_cuts_the_query_at_its_first_question_mark(token: str) -> None:
    hubspot = ScriptedHubSpot().script(fail(httpx.ReadError))
    client = make_client(token, transport=hubspot.transport, retry=None)
    url = f"https://api.hubapi.com{P}/something-new?next=a?b"
    with pytest.raises(HubSpotConnectionError) as caught:
        client.get_httpx_client().get(url)
    assert str(hubspot.requests[0].url) == url  # the second "?" travels as it is
    assert str(caught.value).startswith(f"GET {P}/something-new failed without an answer")


def test_connection_error_url_hides_the_token(token: str) -> None:
    hubspot = ScriptedHubSpot().script(fail(httpx.ConnectError))
    client = make_client(token, transport=hubspot.transport, retry=None)
    with pytest.raises(HubSpotConnectionError) as caught:
        client.get_httpx_client().get(f"{P}/something-new/{token}")
    assert caught.value.url == f"https://api.hubapi.com{P}/something-new/[redacted]"
    assert token not in str(caught.value)


def test_timeout_error_is_both_kinds(token: str) -> None:
    hubspot = ScriptedHubSpot().script(fail(httpx.ReadTimeout))
    client = make_client(token, transport=hubspot.transport, retry=None)
    with pytest.raises(HubSpotTimeoutError) as caught:
        get_statuses.sync_detailed("a@x.com", client=client, channel=Channel.EMAIL)
    assert isinstance(caught.value, HubSpotConnectionError)
    assert caught.value.operation_id == "get_statuses"


# ---- which transport serves which side ---------------------------------------------------------


async def test_an_async_transport_that_is_also_sync_serves_both(token: str) -> None:
    hubspot = ScriptedHubSpot().script(reply(200, json=envelope([definition()])))
    client = make_client(token, async_transport=hubspot.transport)
    assert get_definitions.sync(client=client) is not None
    assert await get_definitions.asyncio(client=client) is not None
    assert len(hubspot.requests) == 2


async def test_retry_none_serves_async_calls_too(token: str) -> None:
    hubspot = ScriptedHubSpot().script(reply(200, json=envelope([definition()])))
    client = make_client(token, transport=hubspot.transport, retry=None)
    assert await get_definitions.asyncio(client=client) is not None


async def test_a_missing_side_is_explained(token: str) -> None:
    sync_only = make_client(token, transport=SyncOnly(), retry=None)
    with pytest.raises(RuntimeError) as caught:
        await get_definitions.asyncio_detailed(client=sync_only)
    assert str(caught.value) == (
        "this client has no async transport: pass make_client(async_transport=...) "
        "or a transport that implements httpx.AsyncBaseTransport"
    )
    async_only = make_client(token, async_transport=AsyncOnly(), retry=None)
    with pytest.raises(RuntimeError) as caught:
        get_definitions.sync_detailed(client=async_only)
    assert str(caught.value) == (
        "this client has no sync transport: pass one that implements "
        "httpx.BaseTransport (httpx.MockTransport does) as make_client(transport=...)"
    )


@pytest.mark.parametrize("use_async", [False, True])
async def test_no_transport_means_real_http(use_async: bool, token: str) -> None:
    # Port 1 on loopback: nothing listens there, so the real transport's connect is refused.
    client = make_client(token, base_url="http://127.0.0.1:1", retry=None)
    with pytest.raises(HubSpotConnectionError) as caught:
        if use_async:
            await get_definitions.asyncio_detailed(client=client)
        else:
            get_definitions.sync_detailed(client=client)
    assert caught.value.request_sent is False


# ---- closing -----------------------------------------------------------------------------------


class Closing(httpx.BaseTransport, httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.closed: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=envelope([]))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=envelope([]))

    def close(self) -> None:
        self.closed.append("sync")

    async def aclose(self) -> None:
        self.closed.append("async")


@pytest.mark.parametrize("retry", [True, False])
async def test_closing_reaches_the_transport(retry: bool, token: str) -> None:
    inner = Closing()
    policy = RecordedWaits().policy() if retry else None
    with make_client(token, transport=inner, retry=policy) as client:
        get_definitions.sync_detailed(client=client)
    assert inner.closed == ["sync"]
    async with make_client(token, transport=inner, retry=policy) as client:
        await get_definitions.asyncio_detailed(client=client)
    assert inner.closed == ["sync", "async"]


async def test_closing_a_one_sided_stack_is_quiet() -> None:
    sync_stack = ErrorTransport(SyncOnly(), None)
    await sync_stack.aclose()
    sync_stack.close()
    async_stack = ErrorTransport(None, AsyncOnly())
    async_stack.close()
    await async_stack.aclose()
