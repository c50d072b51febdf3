"""``make_client``: the generated ``AuthenticatedClient``, wired for production use.

What the client does:

* Retries 429, 500, 502, 503, 504 and 520-524 answers and connection failures/timeouts, at most
  ``RetryPolicy.max_attempts`` (4) attempts, with capped exponential backoff and jitter, waiting
  what ``Retry-After`` asks (seconds or HTTP date, capped at 60 s). Only operations the spec marks
  ``x-retry-safe: true`` are retried (reads, ``unsubscribe_all``, ``batch_unsubscribe_all``,
  ``generate_links``); ``update_status`` and ``batch_update_statuses`` are sent once, because
  replaying a resubscribe could undo an opt-out made in between.
* Timeouts: 5 s to connect, 30 s to read or write, per attempt.
* After retries, a non-2xx answer raises a ``HubSpotAPIError`` subclass; no answer raises
  ``HubSpotConnectionError`` / ``HubSpotTimeoutError``. All are ``HubSpotError``. With
  ``raise_errors=False`` HubSpot's JSON errors come back from the ``*_detailed`` calls as the
  generated ``Error`` / ``RateLimitError`` models instead (the plain calls still raise).
* The token is never shown: not in errors, not in the client's ``repr``.

Proxies: a custom transport disables httpx's proxy environment variables, so pass
``transport=httpx.HTTPTransport(proxy=...)`` and ``async_transport=httpx.AsyncHTTPTransport(...)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

import httpx

from ..client import AuthenticatedClient
from .exceptions import ClientConfigurationError
from .retry import RetryPolicy
from .transport import build_transport

DEFAULT_BASE_URL = "https://api.hubapi.com"
#: Per attempt. ``pool`` bounds the wait for a free connection.
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=5.0)
DEFAULT_RETRY = RetryPolicy()


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
        base_url: ``https://api.hubapi.com`` (the default), or a mock server's base URL
            (scheme, host and port, without the API's version path).
        retry: how retry-safe calls are retried; ``None`` sends every request once.
        timeout: per attempt.
        raise_errors: raise ``HubSpotAPIError`` subclasses for non-2xx answers (after retries)
            from every call, ``*_detailed`` included.
        transport: the sync transport under the stack (default: real HTTP). One that is also an
            ``httpx.AsyncBaseTransport``, like ``httpx.MockTransport``, serves async calls too.
        async_transport: the async transport, when ``transport`` is sync only.
        headers: extra headers sent with every request (e.g. ``User-Agent``).

    Raises:
        ClientConfigurationError: ``token`` is empty or contains whitespace (the message does not
            repeat it), or ``base_url`` is not an http(s) URL with a host.
    """
    _check_token(token)
    _check_base_url(base_url)
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


def _check_token(token: object) -> None:
    if not isinstance(token, str) or not token.strip():
        raise ClientConfigurationError(
            "token must be a non-empty string (a private app or OAuth access token)"
        )
    if any(ch.isspace() for ch in token) or not token.isprintable():
        raise ClientConfigurationError(
            "token must not contain whitespace or control characters (check how it was read, "
            "e.g. a trailing newline from a file)"
        )
    if not token.isascii():
        # It travels in an HTTP header; HubSpot's tokens are ASCII (a typographic quote or a
        # letter pasted into it would fail only at the first request, less clearly).
        raise ClientConfigurationError("token must be ASCII (check for pasted quotes or letters)")


def _check_base_url(base_url: object) -> None:
    if not isinstance(base_url, str):
        raise ClientConfigurationError(f"base_url must be a string, not {type(base_url).__name__}")
    try:
        parts = urlsplit(base_url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise ClientConfigurationError(f"base_url {base_url!r} is not a valid URL: {exc}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ClientConfigurationError(
            f"base_url {base_url!r} is not an http(s) URL with a host; use "
            f"{DEFAULT_BASE_URL} or a mock server's base URL such as http://127.0.0.1:8080"
        )
    if parts.query or parts.fragment:
        raise ClientConfigurationError(
            f"base_url {base_url!r} has a query or fragment; give scheme, host and port only"
        )
