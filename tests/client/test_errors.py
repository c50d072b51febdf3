"""Non-2xx answers become typed errors a caller can act on; no body makes the client crash with
a JSONDecodeError/KeyError; the token never shows."""

from __future__ import annotations

import json
import pickle
from typing import Any

import httpx
import pytest
from hubspot_communication_preferences import (
    AuthenticatedClient,
    AuthenticationError,
    BadRequestError,
    ClientError,
    HubSpotAPIError,
    MissingScopesError,
    NotFoundError,
    RateLimitExceededError,
    ServerError,
    UnexpectedClientResponseError,
    UnexpectedResponseError,
    UnexpectedServerResponseError,
    make_client,
)
from hubspot_communication_preferences.api.batch import batch_unsubscribe_all
from hubspot_communication_preferences.api.definitions import get_definitions
from hubspot_communication_preferences.api.status import get_statuses, update_status
from hubspot_communication_preferences.lib.error_parsing import error_from_response
from hubspot_communication_preferences.lib.retry_after import parse_retry_after
from hubspot_communication_preferences.models import (
    BatchInputString,
    Channel,
    Error,
    PartialPublicStatusRequest,
    SubscriptionStatus,
)
from hubspot_communication_preferences.models import (
    RateLimitError as RateLimitModel,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commprefs_kit.client_testing import CORRELATION_ID, ScriptedHubSpot, hubspot_error, reply

P = "/communication-preferences/2026-03"
HTML_503 = """<!DOCTYPE html>
<html><head><title>503 Service Temporarily Unavailable</title>
<style>body { font-family: sans-serif; }</style></head>
<body><center><h1>503 Service Temporarily Unavailable</h1></center>
<hr><center>nginx</center></body></html>"""
SCOPES_403 = hubspot_error(
    "MISSING_SCOPES",
    "This app hasn't been granted all required scopes to make this call. Read more about "
    "required scopes here: https://developers.hubspot.com/scopes.",
    errors=[
        {
            "message": "One or more of the following scopes are required.",
            "context": {
                "requiredScopes": [
                    "communication_preferences.read_write",
                    "communication_preferences.read",
                ]
            },
        }
    ],
    links={"scopes": "https://developers.hubspot.com/scopes"},
)


def read_definitions(client: AuthenticatedClient) -> Any:
    return get_definitions.sync_detailed(client=client)


def no_retry_client(hubspot: ScriptedHubSpot, token: str, **options: Any) -> AuthenticatedClient:
    return make_client(token, transport=hubspot.transport, retry=None, **options)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, MissingScopesError),
        (404, NotFoundError),
        (409, ClientError),
        (500, ServerError),
        (503, ServerError),
    ],
)
def test_status_gives_typed_error_with_hubspot_fields(
    status: int, cls: type[HubSpotAPIError], hubspot: ScriptedHubSpot, token: str
) -> None:
    hubspot.script(
        reply(status, json=hubspot_error("SOME_CATEGORY", "What went wrong", subCategory="X.Y"))
    )
    with pytest.raises(cls) as caught:
        read_definitions(no_retry_client(hubspot, token))
    error = caught.value
    assert not isinstance(error, UnexpectedResponseError)
    assert error.status_code == status
    assert error.category == "SOME_CATEGORY"
    assert error.sub_category == "X.Y"
    assert error.message == "What went wrong"
    assert error.correlation_id == CORRELATION_ID
    assert error.method == "GET"
    assert error.url == f"https://api.hubapi.com{P}/definitions"
    assert str(error).startswith(
        f"HubSpot answered {status} SOME_CATEGORY to GET {P}/definitions (get_definitions): "
    )
    assert CORRELATION_ID in str(error)


def test_missing_scopes_lists_required_scopes(hubspot: ScriptedHubSpot, token: str) -> None:
    hubspot.script(reply(403, json=SCOPES_403))
    with pytest.raises(MissingScopesError) as caught:
        read_definitions(no_retry_client(hubspot, token))
    error = caught.value
    assert error.required_scopes == (
        "communication_preferences.read_write",
        "communication_preferences.read",
    )
    assert error.links == {"scopes": "https://developers.hubspot.com/scopes"}
    assert (
        "Required scopes: communication_preferences.read_write, communication_preferences.read"
        in str(error)
    )


def test_bad_request_keeps_per_input_errors(hubspot: ScriptedHubSpot, token: str) -> None:
    details = [
        {
            "message": "not an email",
            "in": "inputs[0]",
            "code": "INVALID_EMAIL",
            "context": {"value": ["bob"]},
        },
        {"message": "duplicate input", "in": "inputs[2]"},
    ]
    hubspot.script(reply(400, json=hubspot_error(errors=details)))
    with pytest.raises(BadRequestError) as caught:
        batch_unsubscribe_all.sync_detailed(
            client=no_retry_client(hubspot, token),
            body=BatchInputString(inputs=["bob", "a@x.com", "a@x.com"]),
            channel=Channel.EMAIL,
        )
    error = caught.value
    assert [(d.in_, d.code, d.message) for d in error.errors] == [
        ("inputs[0]", "INVALID_EMAIL", "not an email"),
        ("inputs[2]", None, "duplicate input"),
    ]
    assert error.errors[0].context == {"value": ["bob"]}
    assert "[inputs[0]] not an email (INVALID_EMAIL); [inputs[2]] duplicate input" in str(error)


def test_rate_limit_fields(hubspot: ScriptedHubSpot, token: str) -> None:
    body = {
        "status": "error",
        "message": "You have reached your secondly limit.",
        "errorType": "RATE_LIMIT",
        "correlationId": CORRELATION_ID,
        "policyName": "TEN_SECONDLY_ROLLING",
        "requestId": "req-1",
    }
    hubspot.script(reply(429, json=body, headers={"Retry-After": "7"}))
    with pytest.raises(RateLimitExceededError) as caught:
        read_definitions(no_retry_client(hubspot, token))
    error = caught.value
    assert (error.policy_name, error.retry_after, error.error_type, error.request_id) == (
        "TEN_SECONDLY_ROLLING",
        7.0,
        "RATE_LIMIT",
        "req-1",
    )
    assert error.category is None  # the 429 body has none
    assert "policy TEN_SECONDLY_ROLLING, Retry-After 7 s" in str(error)


def test_html_503_is_a_readable_unexpected_server_error(
    hubspot: ScriptedHubSpot, token: str
) -> None:
    hubspot.script(reply(503, text=HTML_503, headers={"content-type": "text/html; charset=utf-8"}))
    with pytest.raises(UnexpectedServerResponseError) as caught:
        read_definitions(no_retry_client(hubspot, token))
    error = caught.value
    assert isinstance(error, ServerError) and isinstance(error, UnexpectedResponseError)
    assert str(error) == (
        f"HubSpot answered 503 to GET {P}/definitions (get_definitions) with a text/html body, "
        "not its JSON error: "
        "503 Service Temporarily Unavailable 503 Service Temporarily Unavailable nginx."
    )
    assert error.body == HTML_503
    assert error.content_type == "text/html; charset=utf-8"


def test_empty_520_is_a_server_error(hubspot: ScriptedHubSpot, token: str) -> None:
    hubspot.script(reply(520, headers={"x-hubspot-correlation-id": "cf-123"}))
    with pytest.raises(UnexpectedServerResponseError) as caught:
        read_definitions(no_retry_client(hubspot, token))
    error = caught.value
    assert error.status_code == 520
    assert error.correlation_id == "cf-123"  # from the header when there is no body
    assert str(error).startswith(
        f"HubSpot answered 520 to GET {P}/definitions (get_definitions) with an empty body, "
        "not its JSON error."
    )


def test_html_404_is_not_a_not_found_error(hubspot: ScriptedHubSpot, token: str) -> None:
    # An HTML 404 means a wrong URL, not "this contact does not exist".
    hubspot.script(reply(404, text="<h1>Not Found</h1>", headers={"content-type": "text/html"}))
    with pytest.raises(UnexpectedClientResponseError) as caught:
        read_definitions(no_retry_client(hubspot, token))
    assert not isinstance(caught.value, NotFoundError)
    assert isinstance(caught.value, ClientError)


def test_long_body_is_cut_in_the_message(hubspot: ScriptedHubSpot, token: str) -> None:
    hubspot.script(reply(502, text="x" * 5000, headers={"content-type": "text/plain"}))
    with pytest.raises(UnexpectedServerResponseError) as caught:
        read_definitions(no_retry_client(hubspot, token))
    assert "x" * 200 + "…" in str(caught.value)
    assert "x" * 201 not in str(caught.value)
    assert len(caught.value.body) == 5000


def test_non_json_2xx_raises_instead_of_json_decode_error(
    hubspot: ScriptedHubSpot, token: str
) -> None:
    hubspot.script(
        reply(200, text="<html>captive portal</html>", headers={"content-type": "text/html"})
    )
    with pytest.raises(
        UnexpectedResponseError, match="not the JSON the API documents: captive portal"
    ):
        read_definitions(no_retry_client(hubspot, token))


def test_token_never_shows_in_errors(hubspot: ScriptedHubSpot, token: str) -> None:
    # A server that echoes the token back (e.g. a debugging proxy) must not leak it.
    echo = hubspot_error(
        "INVALID_AUTHENTICATION",
        f"Bad token Bearer {token}",
        errors=[{"message": f"token {token} unknown"}],
    )
    hubspot.script(reply(401, json=echo), reply(503, text=f"<p>{token}</p>"))
    client = no_retry_client(hubspot, token)
    for _ in range(2):
        with pytest.raises(HubSpotAPIError) as caught:
            read_definitions(client)
        error = caught.value
        for text in (
            str(error),
            repr(error),
            error.body,
            error.message,
            str(error.url),
            repr(error.errors),
            repr(error.headers),
        ):
            assert token not in text
    assert token not in repr(client)


def test_errors_pickle(hubspot: ScriptedHubSpot, token: str) -> None:
    hubspot.script(reply(403, json=SCOPES_403))
    with pytest.raises(MissingScopesError) as caught:
        read_definitions(no_retry_client(hubspot, token))
    copy = pickle.loads(pickle.dumps(caught.value))
    assert type(copy) is MissingScopesError
    assert str(copy) == str(caught.value)
    assert copy.required_scopes == caught.value.required_scopes


# ---- raise_errors=False -------------------------------------------------------------------------


def test_raise_errors_false_returns_generated_error_models(
    hubspot: ScriptedHubSpot, token: str
) -> None:
    hubspot.script(
        reply(400, json=hubspot_error()),
        reply(429, json={"message": "You have reached your daily limit.", "policyName": "DAILY"}),
    )
    client = no_retry_client(hubspot, token, raise_errors=False)
    bad = read_definitions(client)
    limited = read_definitions(client)
    assert bad.status_code == 400 and isinstance(bad.parsed, Error)
    assert bad.parsed.category == "VALIDATION_ERROR"
    assert isinstance(limited.parsed, RateLimitModel)
    assert limited.parsed.policy_name == "DAILY"


@pytest.mark.parametrize(
    ("status", "kwargs"),
    [
        (503, {"text": HTML_503, "headers": {"content-type": "text/html"}}),
        (
            520,
            {"json": hubspot_error()},
        ),  # http.HTTPStatus has no 520: the generated Response would crash
        (500, {"json": {"message": "no correlationId, no category"}}),  # generated Error needs both
        (400, {"json": hubspot_error(correlationId="not-a-uuid")}),  # generated Error wants a UUID
    ],
)
def test_raise_errors_false_still_raises_what_the_generated_parser_cannot_read(
    status: int, kwargs: dict[str, Any], hubspot: ScriptedHubSpot, token: str
) -> None:
    hubspot.script(reply(status, **kwargs))
    with pytest.raises(HubSpotAPIError) as caught:
        read_definitions(no_retry_client(hubspot, token, raise_errors=False))
    assert caught.value.status_code == status


# ---- whatever the body, a HubSpotAPIError ------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)
DETAIL_KEYS = st.sampled_from(["message", "in", "code", "context", "subCategory"])
HUBSPOT_KEYS = st.sampled_from(
    [
        "status",
        "message",
        "category",
        "subCategory",
        "correlationId",
        "context",
        "errors",
        "links",
        "policyName",
        "errorType",
        "requestId",
    ]
)
# HubSpot's keys with values of any JSON type, including errors[] items with odd values.
HUBSPOTISH = st.dictionaries(
    HUBSPOT_KEYS,
    JSON | st.lists(st.dictionaries(DETAIL_KEYS, JSON, max_size=3), max_size=2),
    max_size=6,
)
# ... and with a string message, so the error is read as HubSpot's and every field is parsed.
HUBSPOT_SHAPED = st.builds(lambda d, m: {**d, "message": m}, HUBSPOTISH, st.text(max_size=20))
BODIES = (
    st.binary(max_size=300)
    | JSON.map(lambda v: json.dumps(v).encode())
    | HUBSPOTISH.map(lambda v: json.dumps(v).encode())
    | HUBSPOT_SHAPED.map(lambda v: json.dumps(v).encode())
    | HUBSPOT_SHAPED.map(lambda v: json.dumps(v).encode())
)
CONTENT_TYPES = st.none() | st.sampled_from(
    [
        "application/json",
        "application/json;charset=utf-8",
        "text/html",
        "text/plain;charset=latin-1",
        "application/octet-stream",
        "text/html; charset=bogus-codec",
        "",
    ]
)
STATUSES = st.integers(min_value=300, max_value=599)
TOKEN = "pat-na1-hypothesis-secret-token"


def _response(status: int, body: bytes, content_type: str | None) -> httpx.Response:
    headers = {} if content_type is None else {"content-type": content_type}
    request = httpx.Request(
        "GET",
        f"https://api.hubapi.com{P}/definitions",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    return httpx.Response(status, content=body, headers=headers, request=request)


@settings(max_examples=200, deadline=None)
@given(status=STATUSES | st.integers(100, 299), body=BODIES, content_type=CONTENT_TYPES)
def test_error_from_response_never_raises(
    status: int, body: bytes, content_type: str | None
) -> None:
    error = error_from_response(_response(status, body, content_type))
    assert isinstance(error, HubSpotAPIError)
    assert error.status_code == status
    assert str(error) and repr(error)
    assert TOKEN not in str(error) and TOKEN not in repr(error)


@settings(max_examples=100, deadline=None)
@given(body=HUBSPOTISH, content_type=CONTENT_TYPES)
def test_hubspot_json_with_the_token_inside_is_masked(
    body: dict[str, Any], content_type: str | None
) -> None:
    body = {**body, "message": f"echo {TOKEN}"}
    error = error_from_response(_response(400, json.dumps(body).encode(), content_type))
    assert TOKEN not in str(error) and TOKEN not in error.body and TOKEN not in error.message


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(status=STATUSES, body=BODIES, content_type=CONTENT_TYPES, raise_errors=st.booleans())
def test_client_never_crashes_on_an_error_body(
    status: int, body: bytes, content_type: str | None, raise_errors: bool
) -> None:
    headers = {} if content_type is None else {"content-type": content_type}
    hubspot = ScriptedHubSpot().script(reply(status, content=body, headers=headers))
    client = make_client(TOKEN, transport=hubspot.transport, retry=None, raise_errors=raise_errors)
    try:
        response = get_statuses.sync_detailed("a@x.com", client=client, channel=Channel.EMAIL)
    except HubSpotAPIError as error:
        assert error.status_code == status
        assert TOKEN not in str(error)
    else:
        assert not raise_errors or status < 400
        assert response.status_code == status


def test_update_status_is_covered_too(hubspot: ScriptedHubSpot, token: str) -> None:
    hubspot.script(reply(400, json=hubspot_error(message="Unknown subscriptionId 42")))
    with pytest.raises(BadRequestError, match="Unknown subscriptionId 42"):
        update_status.sync_detailed(
            "a@x.com",
            client=no_retry_client(hubspot, token),
            body=PartialPublicStatusRequest(
                channel=Channel.EMAIL,
                status_state=SubscriptionStatus.SUBSCRIBED,
                subscription_id=42,
            ),
        )


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("5", 5.0),
        (" 12 ", 12.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        ("soon", None),
        ("", None),
        ("-3", None),
        ("1.5", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value) == seconds


def test_redirect_raises_instead_of_parsing_to_none(hubspot: ScriptedHubSpot, token: str) -> None:
    hubspot.script(reply(301, headers={"location": "https://example.com/elsewhere"}))
    with pytest.raises(UnexpectedResponseError) as caught:
        read_definitions(no_retry_client(hubspot, token))
    assert "answered 301" in str(caught.value)
    assert "(redirect to https://example.com/elsewhere)" in str(caught.value)


@pytest.mark.parametrize("body", [b"null", b"[]", b'"text"', b"42"])
def test_2xx_json_that_is_not_an_object_raises(
    body: bytes, hubspot: ScriptedHubSpot, token: str
) -> None:
    hubspot.script(reply(200, content=body, headers={"content-type": "application/json"}))
    with pytest.raises(UnexpectedResponseError, match="not the JSON the API documents"):
        read_definitions(no_retry_client(hubspot, token))
