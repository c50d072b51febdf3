"""The factory: bad tokens are refused without echoing them, the token stays out of reprs,
sync and async share one configuration, and transports are chosen as documented."""

from __future__ import annotations

import gzip
import json

import httpx
import pytest
from hubspot_communication_preferences import (
    AuthenticatedClient,
    ClientConfigurationError,
    HubSpotError,
    MissingScopesError,
    make_client,
)
from hubspot_communication_preferences.api.definitions import get_definitions
from hubspot_communication_preferences.api.status import get_statuses
from hubspot_communication_preferences.models import Channel

from commprefs_kit.client_testing import (
    ScriptedHubSpot,
    definition,
    envelope,
    fail,
    hubspot_error,
    reply,
)


@pytest.mark.parametrize(
    "bad", ["", "   ", "abc def", "tok\nen", "tok\ten", "tok\u201den", "tökén"]
)
def test_bad_tokens_are_refused_without_being_echoed(bad: str) -> None:
    with pytest.raises(ValueError) as caught:
        make_client(bad)
    if bad.strip():
        assert bad not in str(caught.value)


def test_repr_hides_the_token(hubspot: ScriptedHubSpot, token: str) -> None:
    hubspot.script(reply(200, json=envelope([definition()])))
    client = make_client(token, transport=hubspot.transport)
    get_definitions.sync(client=client)  # builds the httpx client and its Authorization header
    assert isinstance(client, AuthenticatedClient)
    assert token not in repr(client)
    derived = client.with_headers({"User-Agent": "x"})
    assert token not in repr(derived) and type(derived) is type(client)


async def test_sync_and_async_share_settings(hubspot: ScriptedHubSpot, token: str) -> None:
    hubspot.script(reply(200, json=envelope([])))
    client = make_client(
        token,
        base_url="http://127.0.0.1:9/prefix",
        transport=hubspot.transport,
        headers={"User-Agent": "my-app/1.0"},
    )
    get_statuses.sync_detailed("a@x.com", client=client, channel=Channel.EMAIL)
    await get_statuses.asyncio_detailed("a@x.com", client=client, channel=Channel.EMAIL)
    sync_request, async_request = hubspot.requests
    for request in (sync_request, async_request):
        assert str(request.url).startswith("http://127.0.0.1:9/prefix/communication-preferences/")
        assert request.headers["authorization"] == f"Bearer {token}"
        assert request.headers["user-agent"] == "my-app/1.0"
    await client.get_async_httpx_client().aclose()


async def test_a_sync_only_transport_refuses_async_calls_clearly(token: str) -> None:
    class SyncOnly(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, json=envelope([]))

    client = make_client(token, transport=SyncOnly(), retry=None)
    assert (
        get_statuses.sync_detailed("a@x.com", client=client, channel=Channel.EMAIL).status_code
        == 200
    )
    with pytest.raises(RuntimeError, match="no async transport"):
        await get_statuses.asyncio_detailed("a@x.com", client=client, channel=Channel.EMAIL)


async def test_separate_async_transport(token: str) -> None:
    sync_side, async_side = ScriptedHubSpot(), ScriptedHubSpot()
    sync_side.script(reply(200, json=envelope([])))
    async_side.script(reply(200, json=envelope([])))
    client = make_client(token, transport=sync_side.transport, async_transport=async_side.transport)
    get_statuses.sync_detailed("a@x.com", client=client, channel=Channel.EMAIL)
    await get_statuses.asyncio_detailed("a@x.com", client=client, channel=Channel.EMAIL)
    assert len(sync_side.requests) == 1 and len(async_side.requests) == 1


@pytest.mark.parametrize("already_read", [True, False])
def test_gzip_bodies_still_decode(hubspot: ScriptedHubSpot, token: str, already_read: bool) -> None:
    body = gzip.compress(json.dumps(envelope([definition()])).encode())
    headers = {"content-encoding": "gzip", "content-type": "application/json"}

    def answer(request: httpx.Request) -> httpx.Response:
        if already_read:  # built in memory: httpx has decoded it already
            return httpx.Response(200, content=body, headers=headers)
        return httpx.Response(200, stream=httpx.ByteStream(body), headers=headers)  # off the wire

    hubspot.script(answer)
    parsed = get_definitions.sync(client=make_client(token, transport=hubspot.transport))
    assert parsed is not None and parsed.results[0].name == "Newsletter"


def test_gzip_error_bodies_decode_too(hubspot: ScriptedHubSpot, token: str) -> None:
    body = gzip.compress(json.dumps(hubspot_error("MISSING_SCOPES", "grant it")).encode())
    hubspot.script(
        lambda request: httpx.Response(
            403,
            stream=httpx.ByteStream(body),
            headers={"content-encoding": "gzip", "content-type": "application/json"},
        )
    )
    with pytest.raises(MissingScopesError, match="grant it"):
        get_definitions.sync(client=make_client(token, transport=hubspot.transport))


@pytest.mark.parametrize(
    "url",
    ["ftp://api.hubapi.com", "api.hubapi.com", "127.0.0.1:8080", "http://", "https://h:port", 7],
)
def test_base_urls_that_are_not_http_are_refused_before_anything_is_sent(url: object) -> None:
    with pytest.raises(ClientConfigurationError) as caught:
        make_client("a-token", base_url=url)  # type: ignore[arg-type]
    assert "base_url" in str(caught.value)
    assert isinstance(caught.value, HubSpotError) and isinstance(caught.value, ValueError)


def test_one_base_class_covers_answers_connection_failures_and_timeouts(
    hubspot: ScriptedHubSpot, token: str
) -> None:
    hubspot.script(
        reply(400, json=hubspot_error()),
        fail(httpx.ConnectError),
        fail(httpx.ReadTimeout),
    )
    client = make_client(token, transport=hubspot.transport, retry=None)
    for _ in range(3):
        with pytest.raises(HubSpotError):
            get_definitions.sync(client=client)


def test_a_plain_generated_client_raises_typed_errors_too(hubspot: ScriptedHubSpot) -> None:
    """Without make_client's transport, the plain call still returns only its success model."""
    hubspot.script(reply(403, json=hubspot_error("MISSING_SCOPES", "Grant it")))
    client = AuthenticatedClient(
        base_url="https://api.hubapi.com",
        token="plain-token",
        httpx_args={"transport": hubspot.transport},
    )
    with pytest.raises(MissingScopesError) as caught:
        get_definitions.sync(client=client)
    assert caught.value.operation_id == "get_definitions"
    assert caught.value.retry_safe is True
    assert "plain-token" not in str(caught.value) + repr(caught.value)
