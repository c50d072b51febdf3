"""Retries: what is retried, how long it waits (recorded, never slept), and what is raised when
retries run out. Only x-retry-safe operations are ever repeated."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import AsyncIterator, Iterator
from email.utils import format_datetime

import httpx
import pytest
from hubspot_communication_preferences import (
    DEFAULT_TIMEOUT,
    AuthenticatedClient,
    BadRequestError,
    HubSpotAPIError,
    HubSpotConnectionError,
    HubSpotTimeoutError,
    RateLimitExceededError,
    RetryPolicy,
    ServerError,
    make_client,
)
from hubspot_communication_preferences.api.batch import batch_unsubscribe_all, batch_update_statuses
from hubspot_communication_preferences.api.status import get_statuses, update_status
from hubspot_communication_preferences.models import (
    ActionResponseWithResultsPublicStatus,
    BatchInputPublicStatusRequest,
    BatchInputString,
    BatchResponsePublicBulkOptOutFromAllResponse,
    Channel,
    PartialPublicStatusRequest,
    PublicStatusRequest,
    SubscriptionStatus,
)

from commprefs_kit.client_testing import (
    RecordedWaits,
    ScriptedHubSpot,
    envelope,
    fail,
    hubspot_error,
    public_status,
    reply,
)

OK_STATUSES = reply(200, json=envelope([public_status()]))
OK_BATCH = reply(200, json=envelope([{"subscriberIdString": "a@x.com", "statuses": []}]))
RATE_LIMITED = {
    "status": "error",
    "message": "You have reached your secondly limit.",
    "errorType": "RATE_LIMIT",
    "policyName": "SECONDLY",
}
INPUTS = BatchInputString(inputs=["a@x.com", "b@x.com"])
RESUBSCRIBE = PartialPublicStatusRequest(
    channel=Channel.EMAIL, status_state=SubscriptionStatus.SUBSCRIBED, subscription_id=42
)


def read(client: AuthenticatedClient) -> object:
    return get_statuses.sync("a@x.com", client=client, channel=Channel.EMAIL)


def unsubscribe_all_of(client: AuthenticatedClient) -> object:
    return batch_unsubscribe_all.sync(
        client=client, body=INPUTS, channel=Channel.EMAIL, verbose=True
    )


def resubscribe(client: AuthenticatedClient) -> object:
    return update_status.sync_detailed("a@x.com", client=client, body=RESUBSCRIBE)


class DropsMidBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that breaks off after its first bytes, like a connection reset mid-response."""

    def __iter__(self) -> Iterator[bytes]:
        yield b'{"status": "COMPLETE", "results": ['
        raise httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body"
        )

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self:
            yield chunk


def dropped(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, stream=DropsMidBody())


# ---- 429 and Retry-After ------------------------------------------------------------------------


def test_429_waits_retry_after_then_succeeds(
    hubspot: ScriptedHubSpot, client: AuthenticatedClient, waits: RecordedWaits
) -> None:
    hubspot.script(reply(429, json=RATE_LIMITED, headers={"Retry-After": "7"}), OK_STATUSES)
    assert isinstance(read(client), ActionResponseWithResultsPublicStatus)
    assert waits == [7.0]
    assert len(hubspot.requests) == 2


def test_retry_after_as_http_date(
    hubspot: ScriptedHubSpot, client: AuthenticatedClient, waits: RecordedWaits
) -> None:
    when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)
    hubspot.script(
        reply(429, json=RATE_LIMITED, headers={"Retry-After": format_datetime(when, usegmt=True)}),
        OK_STATUSES,
    )
    read(client)
    (wait,) = waits
    assert 20 < wait <= 30


def test_retry_after_is_capped(hubspot: ScriptedHubSpot, waits: RecordedWaits) -> None:
    hubspot.script(reply(429, json=RATE_LIMITED, headers={"Retry-After": "3600"}), OK_STATUSES)
    client = make_client(
        "t0ken-value", transport=hubspot.transport, retry=waits.policy(max_retry_after=45)
    )
    read(client)
    assert waits == [45.0]


def test_429_without_retry_after_backs_off_exponentially(
    hubspot: ScriptedHubSpot, waits: RecordedWaits
) -> None:
    hubspot.script(*[reply(429, json=RATE_LIMITED)] * 4, OK_STATUSES)
    client = make_client(
        "t0ken-value",
        transport=hubspot.transport,
        retry=waits.policy(max_attempts=5, backoff_base=1.0, max_backoff=3.0),
    )
    read(client)
    assert waits == [1.0, 2.0, 3.0, 3.0]  # doubling, capped at max_backoff


def test_rate_limit_error_after_retries_run_out(
    hubspot: ScriptedHubSpot, client: AuthenticatedClient, waits: RecordedWaits
) -> None:
    hubspot.script(reply(429, json=RATE_LIMITED, headers={"Retry-After": "2"}))
    with pytest.raises(RateLimitExceededError) as caught:
        read(client)
    assert caught.value.attempts == 3 and caught.value.policy_name == "SECONDLY"
    assert waits == [2.0, 2.0]
    assert "Gave up after 3 attempts." in str(caught.value)


def test_total_wait_is_bounded(hubspot: ScriptedHubSpot, waits: RecordedWaits) -> None:
    hubspot.script(
        reply(503, json=hubspot_error("SERVICE_UNAVAILABLE"), headers={"Retry-After": "50"})
    )
    client = make_client(
        "t0ken-value",
        transport=hubspot.transport,
        retry=waits.policy(max_attempts=10, max_total_wait=60),
    )
    with pytest.raises(ServerError):
        read(client)
    # The second wait is cut to what is left of the budget; then one last attempt, no more.
    assert waits == [50.0, 10.0]
    assert len(hubspot.requests) == 3


def test_jitter_scales_each_wait(hubspot: ScriptedHubSpot, waits: RecordedWaits) -> None:
    draws: list[tuple[float, float]] = []

    def lowest(low: float, high: float) -> float:
        draws.append((low, high))
        return low

    hubspot.script(reply(500, json=hubspot_error()), reply(500, json=hubspot_error()), OK_STATUSES)
    client = make_client(
        "t0ken-value",
        transport=hubspot.transport,
        retry=waits.policy(jitter=0.5, uniform=lowest, backoff_base=2.0),
    )
    read(client)
    assert draws == [(0.5, 1), (0.5, 1)]
    assert waits == [1.0, 2.0]


# ---- 5xx ----------------------------------------------------------------------------------------


def test_repeated_5xx_give_up_with_the_last_error(
    hubspot: ScriptedHubSpot, client: AuthenticatedClient, waits: RecordedWaits
) -> None:
    hubspot.script(
        reply(500, json=hubspot_error("INTERNAL_ERROR", "first")),
        reply(502, text="<h1>Bad gateway</h1>", headers={"content-type": "text/html"}),
        reply(500, json=hubspot_error("INTERNAL_ERROR", "third")),
    )
    with pytest.raises(ServerError) as caught:
        read(client)
    error = caught.value
    assert (error.status_code, error.message, error.attempts) == (500, "third", 3)
    assert len(hubspot.requests) == 3
    assert waits == [1.0, 2.0]


@pytest.mark.parametrize("status", [500, 502, 503, 504, 520, 522])
def test_retried_statuses(
    status: int, hubspot: ScriptedHubSpot, client: AuthenticatedClient, waits: RecordedWaits
) -> None:
    hubspot.script(reply(status), OK_STATUSES)
    read(client)
    assert len(hubspot.requests) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 501])
def test_not_retried_statuses(
    status: int, hubspot: ScriptedHubSpot, client: AuthenticatedClient, waits: RecordedWaits
) -> None:
    hubspot.script(reply(status, json=hubspot_error()))
    with pytest.raises(HubSpotAPIError):
        read(client)
    assert len(hubspot.requests) == 1 and waits == []


def test_no_retry_on_400(
    hubspot: ScriptedHubSpot, client: AuthenticatedClient, waits: RecordedWaits
) -> None:
    hubspot.script(reply(400, json=hubspot_error()), OK_BATCH)
    with pytest.raises(BadRequestError):
        unsubscribe_all_of(client)
    assert len(hubspot.requests) == 1 and waits == []


# ---- operations that are not retry-safe ---------------------------------------------------------


def test_update_status_is_not_retried_even_on_503(
    hubspot: ScriptedHubSpot, client: AuthenticatedClient, waits: RecordedWaits
) -> None:
    hubspot.script(reply(503, json=hubspot_error("SERVICE_UNAVAILABLE", "try later")), OK_STATUSES)
    with pytest.raises(ServerError) as caught:
        resubscribe(client)
    assert len(hubspot.requests) == 1 and waits == []
    error = caught.value
    assert error.retry_safe is False and error.attempts == 1
    assert "Not retried: the operation is not retry-safe" in str(error)
    assert "read it back before repeating" in str(error)


def test_batch_update_statuses_is_not_retried_on_429(
    hubspot: ScriptedHubSpot, client: AuthenticatedClient, waits: RecordedWaits
) -> None:
    hubspot.script(reply(429, json=RATE_LIMITED, headers={"Retry-After": "1"}), OK_STATUSES)
    body = BatchInputPublicStatusRequest(
        inputs=[
            PublicStatusRequest(
                channel=Channel.EMAIL,
                status_state=SubscriptionStatus.SUBSCRIBED,
                subscriber_id_string="a@x.com",
                subscription_id=42,
            )
        ]
    )
    with pytest.raises(RateLimitExceededError) as caught:
        batch_update_statuses.sync_detailed(client=client, body=body)
    assert len(hubspot.requests) == 1 and waits == []
    assert "HubSpot did not apply it" in str(caught.value)


def test_unknown_path_is_not_retried(
    hubspot: ScriptedHubSpot, client: AuthenticatedClient, waits: RecordedWaits
) -> None:
    hubspot.script(reply(503), OK_STATUSES)
    with pytest.raises(ServerError):
        client.get_httpx_client().get("/communication-preferences/2026-03/something-new")
    assert len(hubspot.requests) == 1


def test_retry_none_sends_once(hubspot: ScriptedHubSpot) -> None:
    hubspot.script(reply(503), OK_STATUSES)
    with pytest.raises(ServerError):
        read(make_client("t0ken-value", transport=hubspot.transport, retry=None))
    assert len(hubspot.requests) == 1


# ---- no HTTP answer -----------------------------------------------------------------------------


def test_connection_error_is_retried_on_batch_unsubscribe_all(
    hubspot: ScriptedHubSpot, client: AuthenticatedClient, waits: RecordedWaits
) -> None:
    hubspot.script(fail(httpx.ConnectError), fail(httpx.ReadError), OK_BATCH)
    assert isinstance(unsubscribe_all_of(client), BatchResponsePublicBulkOptOutFromAllResponse)
    assert len(hubspot.requests) == 3 and waits == [1.0, 2.0]
    # The very same opt-out is sent every time.
    bodies = {json.dumps(json.loads(r.content), sort_keys=True) for r in hubspot.requests}
    assert bodies == {'{"inputs": ["a@x.com", "b@x.com"]}'}


def test_dropped_mid_response_is_retried_when_retry_safe(
    hubspot: ScriptedHubSpot, client: AuthenticatedClient, waits: RecordedWaits
) -> None:
    hubspot.script(dropped, OK_BATCH)
    assert isinstance(unsubscribe_all_of(client), BatchResponsePublicBulkOptOutFromAllResponse)
    assert len(hubspot.requests) == 2


def test_dropped_mid_response_is_raised_when_not_retry_safe(
    hubspot: ScriptedHubSpot, client: AuthenticatedClient, waits: RecordedWaits
) -> None:
    hubspot.script(dropped, OK_STATUSES)
    with pytest.raises(HubSpotConnectionError) as caught:
        resubscribe(client)
    error = caught.value
    assert len(hubspot.requests) == 1 and waits == []
    assert isinstance(error, httpx.TransportError)
    assert isinstance(error.__cause__, httpx.RemoteProtocolError)
    assert error.retry_safe is False and error.request_sent is True
    assert str(error) == (
        "POST /communication-preferences/2026-03/statuses/a%40x.com (update_status) failed without "
        "an answer (RemoteProtocolError) after 1 attempt. Not retried: the operation is not "
        "retry-safe; HubSpot may or may not have applied it, so read it back before repeating."
    )


def test_read_timeouts_raise_a_clear_timeout_error(
    hubspot: ScriptedHubSpot, client: AuthenticatedClient, waits: RecordedWaits
) -> None:
    hubspot.script(fail(httpx.ReadTimeout, "timed out"))
    with pytest.raises(HubSpotTimeoutError) as caught:
        read(client)
    error = caught.value
    assert isinstance(error, httpx.TimeoutException)  # what the generated docstrings promise
    assert error.attempts == 3 and len(hubspot.requests) == 3
    assert str(error) == (
        "GET /communication-preferences/2026-03/statuses/a%40x.com (get_statuses) timed out "
        "(ReadTimeout) after 3 attempts. The operation is retry-safe: repeating it later is safe."
    )


def test_connect_timeout_on_a_write_says_it_never_arrived(
    hubspot: ScriptedHubSpot, client: AuthenticatedClient
) -> None:
    hubspot.script(fail(httpx.ConnectTimeout))
    with pytest.raises(HubSpotTimeoutError) as caught:
        resubscribe(client)
    assert caught.value.request_sent is False
    assert "never reached HubSpot" in str(caught.value)
    assert len(hubspot.requests) == 1


def test_timeouts_reach_every_request(
    hubspot: ScriptedHubSpot, client: AuthenticatedClient
) -> None:
    hubspot.script(OK_STATUSES)
    read(client)
    assert hubspot.requests[0].extensions["timeout"] == {
        "connect": 5.0,
        "read": 30.0,
        "write": 30.0,
        "pool": 5.0,
    }
    assert DEFAULT_TIMEOUT.connect == 5.0 and DEFAULT_TIMEOUT.read == 30.0


# ---- async --------------------------------------------------------------------------------------


async def test_async_429_then_success(
    hubspot: ScriptedHubSpot, aclient: AuthenticatedClient, waits: RecordedWaits
) -> None:
    hubspot.script(reply(429, json=RATE_LIMITED, headers={"Retry-After": "4"}), OK_STATUSES)
    parsed = await get_statuses.asyncio("a@x.com", client=aclient, channel=Channel.EMAIL)
    assert isinstance(parsed, ActionResponseWithResultsPublicStatus)
    assert waits == [4.0]


async def test_async_retries_drops_and_connection_errors(
    hubspot: ScriptedHubSpot, aclient: AuthenticatedClient, waits: RecordedWaits
) -> None:
    hubspot.script(dropped, fail(httpx.ConnectError), OK_BATCH)
    parsed = await batch_unsubscribe_all.asyncio(client=aclient, body=INPUTS, channel=Channel.EMAIL)
    assert isinstance(parsed, BatchResponsePublicBulkOptOutFromAllResponse)
    assert waits == [1.0, 2.0]


async def test_async_gives_up_with_the_last_error(
    hubspot: ScriptedHubSpot, aclient: AuthenticatedClient, waits: RecordedWaits
) -> None:
    hubspot.script(reply(503), reply(500, json=hubspot_error(message="last")))
    with pytest.raises(ServerError, match="last") as caught:
        await get_statuses.asyncio("a@x.com", client=aclient, channel=Channel.EMAIL)
    assert caught.value.attempts == 3 and waits == [1.0, 2.0]


async def test_async_update_status_not_retried(
    hubspot: ScriptedHubSpot, aclient: AuthenticatedClient, waits: RecordedWaits
) -> None:
    hubspot.script(fail(httpx.ReadTimeout))
    with pytest.raises(HubSpotTimeoutError):
        await update_status.asyncio("a@x.com", client=aclient, body=RESUBSCRIBE)
    assert len(hubspot.requests) == 1 and waits == []


# ---- the policy itself --------------------------------------------------------------------------


def test_default_policy_really_sleeps_and_is_bounded() -> None:
    policy = RetryPolicy()
    assert policy.sleep is time.sleep
    assert (policy.max_attempts, policy.max_retry_after, policy.max_total_wait) == (4, 60.0, 120.0)
    for retry_number in range(1, 10):
        assert 0 <= policy.backoff(retry_number) <= policy.max_backoff


BAD_WAITS = "backoff_base and max_retry_after must be >= 0, max_backoff > 0"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"max_attempts": 0}, "max_attempts must be at least 1 (1 means no retries)"),
        ({"jitter": 1.5}, "jitter must be between 0 and 1"),
        ({"jitter": -0.1}, "jitter must be between 0 and 1"),
        ({"max_backoff": 0}, BAD_WAITS),
        ({"backoff_base": -1}, BAD_WAITS),
        ({"max_retry_after": -1}, BAD_WAITS),
        ({"max_total_wait": 0}, "max_total_wait must be positive, or None for no bound"),
    ],
)
def test_policy_rejects_nonsense(bad: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        RetryPolicy(**bad)  # type: ignore[arg-type]
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "edge",
    [
        {"backoff_base": 0.0},  # no backoff: retry at once
        {"max_backoff": 0.5},
        {"max_retry_after": 0.0},  # Retry-After ignored: retry at once
        {"jitter": 1.0},
        {"jitter": 0.0},
        {"max_total_wait": 0.5},
        {"max_total_wait": None},
    ],
)
def test_policy_accepts_the_edges(edge: dict[str, float | None]) -> None:
    policy = RetryPolicy(**edge)  # type: ignore[arg-type]
    for name, value in edge.items():
        assert getattr(policy, name) == value


def test_edge_policies_wait_as_they_say(hubspot: ScriptedHubSpot, waits: RecordedWaits) -> None:
    hubspot.script(reply(503, headers={"Retry-After": "30"}), reply(503), reply(503), OK_STATUSES)
    client = make_client(
        "t0ken-value",
        transport=hubspot.transport,
        retry=waits.policy(max_attempts=4, backoff_base=0.0, max_retry_after=0.0),
    )
    read(client)
    assert waits == [0.0, 0.0, 0.0]


def test_the_last_wait_is_cut_to_the_budget_left(
    hubspot: ScriptedHubSpot, waits: RecordedWaits
) -> None:
    hubspot.script(reply(503, headers={"Retry-After": "30"}))
    client = make_client(
        "t0ken-value",
        transport=hubspot.transport,
        retry=waits.policy(max_attempts=5, max_total_wait=60.5),
    )
    with pytest.raises(ServerError):
        read(client)
    assert waits == [30.0, 30.0, 0.5]
    assert len(hubspot.requests) == 4


async def test_async_total_wait_is_bounded(hubspot: ScriptedHubSpot, waits: RecordedWaits) -> None:
    hubspot.script(reply(503, headers={"Retry-After": "50"}))
    client = make_client(
        "t0ken-value",
        transport=hubspot.transport,
        retry=waits.policy(max_attempts=10, max_total_wait=60),
    )
    with pytest.raises(ServerError):
        await get_statuses.asyncio("a@x.com", client=client, channel=Channel.EMAIL)
    assert waits == [50.0, 10.0]
    assert len(hubspot.requests) == 3


def test_only_the_policy_s_exceptions_are_retried(
    hubspot: ScriptedHubSpot, waits: RecordedWaits
) -> None:
    policy = waits.policy(retry_exceptions=(httpx.ConnectError,))
    hubspot.script(fail(httpx.ConnectError), fail(httpx.ReadTimeout))
    client = make_client("t0ken-value", transport=hubspot.transport, retry=policy)
    with pytest.raises(HubSpotTimeoutError) as caught:
        read(client)
    assert caught.value.attempts == 2 and waits == [1.0]


def test_only_the_policy_s_statuses_are_retried(
    hubspot: ScriptedHubSpot, waits: RecordedWaits
) -> None:
    policy = waits.policy(retry_statuses=frozenset({418}))
    hubspot.script(reply(418), reply(503), OK_STATUSES)
    client = make_client("t0ken-value", transport=hubspot.transport, retry=policy)
    with pytest.raises(ServerError):
        read(client)
    assert len(hubspot.requests) == 2 and waits == [1.0]


def test_the_policy_survives_copies_of_its_retry(waits: RecordedWaits) -> None:
    policy = waits.policy(max_attempts=3)
    retry = policy.to_retry()
    copy = retry.copy_with(5)  # Retry.copy_with takes its fields positionally too
    assert copy.total == 5
    assert copy.policy is policy  # type: ignore[attr-defined]
    assert retry.increment().policy is policy  # type: ignore[attr-defined]


def test_max_attempts_one_means_no_retry(hubspot: ScriptedHubSpot, waits: RecordedWaits) -> None:
    hubspot.script(reply(503), OK_STATUSES)
    with pytest.raises(ServerError):
        read(
            make_client(
                "t0ken-value", transport=hubspot.transport, retry=waits.policy(max_attempts=1)
            )
        )
    assert len(hubspot.requests) == 1
