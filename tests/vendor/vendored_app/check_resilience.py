"""Run inside a bare virtualenv beside a vendored copy of the client, against the served mock.

Written as a user of the vendored package would write it: only the package and the dependencies
its stamp lists are installed. Prints one line per check; exits non-zero on the first failure.
Usage: python check_resilience.py BASE_URL TOKEN
"""

from __future__ import annotations

import importlib.util
import sys

import httpx
from hubspot_communication_preferences import (
    HubSpotError,
    RetryPolicy,
    ServerError,
    make_client,
)
from hubspot_communication_preferences.api.status import get_statuses, update_status
from hubspot_communication_preferences.models import (
    Channel,
    PartialPublicStatusRequest,
    SubscriptionStatus,
)

base_url, token = sys.argv[1], sys.argv[2]

for name in ("commprefs_kit", "mock_server", "pytest", "schemathesis", "hypothesis"):
    assert importlib.util.find_spec(name) is None, f"{name} is importable here"
print("isolated: only the vendored package and its listed dependencies")


def queue(operation_id: str, *answers: dict[str, object]) -> None:
    reply = httpx.post(
        f"{base_url}/_mock/queue", json={"operationId": operation_id, "answers": list(answers)}
    )
    reply.raise_for_status()


def request_count() -> int:
    return int(httpx.get(f"{base_url}/_mock/state").json()["requestCount"])


# Short backoff keeps the run quick; Retry-After (1 s) is still honoured as sent.
with make_client(token, base_url=base_url, retry=RetryPolicy(backoff_base=0.05)) as client:
    queue(
        "get_statuses",
        {"status": 429, "retryAfter": 1},
        {"status": 503, "body": "html"},
        {"drop": True},
    )
    before = request_count()
    statuses = get_statuses.sync("ann@example.com", client=client, channel=Channel.EMAIL)
    sent = request_count() - before
    assert sent == 4, f"get_statuses took {sent} requests, expected 4"
    print(
        f"retry-safe get_statuses survived 429, HTML 503 and a dropped connection: "
        f"{len(statuses.results)} statuses after {sent} attempts"
    )

    queue("update_status", {"status": 503})
    before = request_count()
    try:
        update_status.sync(
            "ann@example.com",
            client=client,
            body=PartialPublicStatusRequest(
                channel=Channel.EMAIL,
                status_state=SubscriptionStatus.SUBSCRIBED,
                subscription_id=1,
            ),
        )
    except ServerError as error:
        sent = request_count() - before
        assert sent == 1, f"update_status was sent {sent} times"
        assert error.correlation_id, "the error has no correlationId"
        assert error.retry_safe is False and error.attempts == 1
        assert isinstance(error, HubSpotError)
        print(f"update_status sent once, raised {type(error).__name__}: {error}")
        print(f"repr: {error!r}")
    else:
        raise AssertionError("update_status did not raise on a 503")
    print(f"client: {client!r}")
print("all checks passed")
