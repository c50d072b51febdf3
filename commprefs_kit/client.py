"""A ready-to-use client for HubSpot's Communication Preferences API 2026-03.

``make_client`` returns the generated ``AuthenticatedClient`` (token sent as
``Authorization: Bearer``), wired to a transport that retries retry-safe calls, applies
connect/read timeouts and raises typed errors. Every generated call works with it, sync and async.

Usage (sync)::

    import os

    from commprefs_kit.client import make_client
    from commprefs_kit.errors import HubSpotAPIError, MissingScopesError, RateLimitError
    from hubspot_communication_preferences.api.batch import batch_unsubscribe_all
    from hubspot_communication_preferences.models import BatchInputString, Channel

    with make_client(os.environ["HUBSPOT_TOKEN"]) as client:
        try:
            answer = batch_unsubscribe_all.sync(
                client=client,
                body=BatchInputString(inputs=["a@example.com", "b@example.com"]),
                channel=Channel.EMAIL,
                verbose=True,
            )
        except MissingScopesError as error:
            print("grant these scopes:", error.required_scopes)
        except RateLimitError as error:  # raised once retries are used up
            print("rate limited:", error.policy_name, error.retry_after)
        except HubSpotAPIError as error:  # any other non-2xx: status, category, correlation id
            print(error.status_code, error.category, error.correlation_id, error.errors)

Usage (async)::

    from hubspot_communication_preferences.api.status import get_statuses

    async with make_client(token) as client:
        statuses = await get_statuses.asyncio("a@example.com", client=client, channel=Channel.EMAIL)

What the client does:

* Retries 429, 500, 502, 503, 504 and 520-524 answers and connection failures/timeouts, at most
  ``RetryPolicy.max_attempts`` (4) attempts, with capped exponential backoff and jitter, waiting
  what ``Retry-After`` asks (seconds or HTTP date, capped at 60 s). Only operations marked
  ``x-retry-safe: true`` in the spec are retried (reads, ``unsubscribe_all``,
  ``batch_unsubscribe_all``, ``generate_links``); ``update_status`` and ``batch_update_statuses``
  are sent once, because replaying a resubscribe could undo an opt-out made in between.
* Timeouts: 5 s to connect, 30 s to read or write, per attempt.
* After retries, a non-2xx answer raises a ``commprefs_kit.errors.HubSpotAPIError`` subclass
  (``raise_errors=False`` returns HubSpot's JSON errors as the generated ``Error`` /
  ``RateLimitError`` models instead; bodies the generated parser cannot read still raise).
  A body that is not HubSpot's JSON (an HTML 503, an empty 520) raises
  ``UnexpectedResponseError`` with a readable excerpt, never a JSONDecodeError.
* No HTTP answer raises ``HubSpotConnectionError`` / ``HubSpotTimeoutError``, which are also
  ``httpx.TransportError`` / ``httpx.TimeoutException``; the message says whether repeating the
  call is safe.
* The token is never shown: not in errors, not in the client's ``repr``.

With ``raise_errors=True`` a successful call's ``.parsed`` is always the success model, but the
generated signatures still include ``Error | RateLimitError | None``; narrow with ``isinstance``.

Tests and local development: pass ``transport=httpx.MockTransport(handler)``, or
``base_url=`` of the mock server. Proxies: a custom transport disables httpx's proxy environment
variables, so pass ``transport=httpx.HTTPTransport(proxy=...)`` and
``async_transport=httpx.AsyncHTTPTransport(proxy=...)``.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx
from hubspot_communication_preferences import AuthenticatedClient

from commprefs_kit.retry_policy import RetryPolicy
from commprefs_kit.transport import build_transport

DEFAULT_BASE_URL = "https://api.hubapi.com"
#: Per attempt. ``pool`` bounds the wait for a free connection.
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=5.0)
DEFAULT_RETRY = RetryPolicy()

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_RETRY", "DEFAULT_TIMEOUT", "RetryPolicy", "make_client"]


def make_client(
    token: str,
    *,
    base_url: str = DEFAULT_BASE_URL,
    retry: RetryPolicy | None = DEFAULT_RETRY,
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    raise_errors: bool = True,
    transport: httpx.BaseTransport | None = None,
    async_transport: httpx.AsyncBaseTransport | None = None,
    headers: Mapping[str, str] | None = None,
) -> AuthenticatedClient:
    """The generated ``AuthenticatedClient`` for ``token``, with retries, timeouts, typed errors.

    Args:
        token: a private app's access token or an OAuth access token.
        base_url: HubSpot, or a mock server.
        retry: how retry-safe calls are retried; ``None`` sends every request once.
        timeout: per attempt.
        raise_errors: raise ``commprefs_kit.errors`` types for non-2xx answers (after retries).
        transport: the sync transport under the stack (default: real HTTP). One that is also an
            ``httpx.AsyncBaseTransport``, like ``httpx.MockTransport``, serves async calls too.
        async_transport: the async transport, when ``transport`` is sync only.
        headers: extra headers sent with every request (e.g. ``User-Agent``).

    Raises:
        ValueError: ``token`` is empty or contains whitespace (the message does not repeat it).
    """
    if not isinstance(token, str) or not token.strip():
        raise ValueError("token must be a non-empty string (a private app or OAuth access token)")
    if any(ch.isspace() for ch in token) or not token.isprintable():
        raise ValueError("token must not contain whitespace or control characters")
    stack = build_transport(transport, async_transport, retry=retry, raise_errors=raise_errors)
    # httpx_args reach both the httpx.Client and the httpx.AsyncClient the generated client builds;
    # the generated client adds the Authorization header itself.
    return AuthenticatedClient(
        base_url=base_url,
        token=token,
        timeout=timeout,
        headers=dict(headers or {}),
        httpx_args={"transport": stack},
    )
