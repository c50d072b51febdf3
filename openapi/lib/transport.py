"""The httpx transport stack behind ``make_client``: typed errors outside, retries inside.

From the outside in (each layer serves both sync and async clients)::

    ErrorTransport       non-2xx -> typed HubSpotAPIError; no answer -> HubSpotConnectionError
      RetrySafeTransport httpx_retries.RetryTransport, retrying only retry-safe operations
        AttemptTransport counts attempts and reads each body in full
          the real transport (httpx.HTTPTransport / AsyncHTTPTransport) or the one given

Errors are raised *after* retries, so the caller sees the last answer. AttemptTransport reads the
whole body inside the retry loop: httpx-retries alone only sees response headers, so a connection
dropped while the body streams would escape its retries. Bodies here are small JSON documents, so
buffering costs nothing (the generated client reads every body anyway).
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

import httpx
from httpx_retries import Retry, RetryTransport

from ..models.error import Error as ErrorBody
from ..models.rate_limit_error import RateLimitError as RateLimitBody
from .error_parsing import error_from_response
from .exceptions import HubSpotConnectionError, HubSpotTimeoutError
from .operation import is_retry_safe, operation_of
from .redaction import redact, redact_url, secrets_of
from .retry import RetryPolicy, no_retry

#: ``request.extensions`` key holding how many times the request was sent.
ATTEMPTS = "hubspot_communication_preferences.attempts"


class _DualTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """A layer wrapping one sync and one async transport (either may be missing)."""

    def __init__(
        self, sync: httpx.BaseTransport | None, async_: httpx.AsyncBaseTransport | None
    ) -> None:
        self._sync = sync
        self._async = async_

    def _sync_inner(self) -> httpx.BaseTransport:
        if self._sync is None:
            raise RuntimeError(
                "this client has no sync transport: pass one that implements "
                "httpx.BaseTransport (httpx.MockTransport does) as make_client(transport=...)"
            )
        return self._sync

    def _async_inner(self) -> httpx.AsyncBaseTransport:
        if self._async is None:
            raise RuntimeError(
                "this client has no async transport: pass make_client(async_transport=...) "
                "or a transport that implements httpx.AsyncBaseTransport"
            )
        return self._async

    def close(self) -> None:
        if self._sync is not None:
            self._sync.close()

    async def aclose(self) -> None:
        if self._async is not None:
            await self._async.aclose()


class _Body:
    """A response body held in memory, with the headers that describe it."""

    def __init__(self, response: httpx.Response, raw: bytes, *, decoded: bool) -> None:
        self.raw = raw
        self.headers = httpx.Headers(response.headers)
        if decoded:
            # httpx already undid Content-Encoding; re-serving must not announce it again.
            self.headers.pop("content-encoding", None)
            self.headers.pop("content-length", None)


def _drain(response: httpx.Response) -> _Body:
    """Read the whole body of a transport's response (sync)."""
    try:
        return _Body(response, response.content, decoded=True)  # built in memory, already read
    except httpx.ResponseNotRead:
        pass
    try:
        return _Body(response, b"".join(response.iter_raw()), decoded=False)
    finally:
        response.close()


async def _adrain(response: httpx.Response) -> _Body:
    """Read the whole body of a transport's response (async)."""
    try:
        return _Body(response, response.content, decoded=True)
    except httpx.ResponseNotRead:
        pass
    try:
        return _Body(
            response, b"".join([chunk async for chunk in response.aiter_raw()]), decoded=False
        )
    finally:
        await response.aclose()


def _buffered(response: httpx.Response, body: _Body, request: httpx.Request) -> httpx.Response:
    # The bytes re-served from memory (still content-encoded when they came off the wire).
    return httpx.Response(
        response.status_code,
        headers=body.headers,
        stream=httpx.ByteStream(body.raw),
        extensions=response.extensions,
        request=request,
    )


class AttemptTransport(_DualTransport):
    """Innermost layer: counts attempts and reads each body, so that a connection dropped
    mid-body fails inside the retry loop."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.extensions[ATTEMPTS] = request.extensions.get(ATTEMPTS, 0) + 1
        response = self._sync_inner().handle_request(request)
        return _buffered(response, _drain(response), request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.extensions[ATTEMPTS] = request.extensions.get(ATTEMPTS, 0) + 1
        response = await self._async_inner().handle_async_request(request)
        return _buffered(response, await _adrain(response), request)


class RetrySafeTransport(RetryTransport):
    """``httpx_retries.RetryTransport`` that retries only operations marked ``x-retry-safe``.

    Every other request (``update_status``, ``batch_update_statuses``, requests no generated call
    tagged) is sent once.
    """

    def __init__(self, transport: AttemptTransport, policy: RetryPolicy) -> None:
        super().__init__(transport=transport, retry=policy.to_retry())
        self._once: Retry = no_retry()

    def _choose(self, request: httpx.Request) -> None:
        # httpx-retries reads the per-request Retry from this extension.
        request.extensions["retry"] = self.retry if is_retry_safe(request) else self._once

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._choose(request)
        return super().handle_request(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self._choose(request)
        return await super().handle_async_request(request)


class ErrorTransport(_DualTransport):
    """Outermost layer: turns what the generated client cannot use into typed errors.

    With ``raise_errors=True`` every non-2xx answer raises (3xx included: HubSpot's API does not
    redirect, and the generated client would silently return ``parsed=None``). With
    ``raise_errors=False`` HubSpot's JSON errors come back as the generated ``Error`` /
    ``RateLimitError`` models, and only answers the generated parser would crash on raise (a
    non-JSON error body, a status such as 520 that ``http.HTTPStatus`` does not know). Either way
    a 2xx whose body is not a JSON object raises ``UnexpectedResponseError`` rather than the
    generated parser's JSONDecodeError/TypeError.
    """

    def __init__(
        self,
        sync: httpx.BaseTransport | None,
        async_: httpx.AsyncBaseTransport | None,
        *,
        raise_errors: bool = True,
    ) -> None:
        super().__init__(sync, async_)
        self.raise_errors = raise_errors

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = self._sync_inner().handle_request(request)
            body = _drain(response)
        except httpx.TransportError as exc:
            raise _connection_error(exc, request) from exc
        return self._checked(request, response, body)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = await self._async_inner().handle_async_request(request)
            body = await _adrain(response)
        except httpx.TransportError as exc:
            raise _connection_error(exc, request) from exc
        return self._checked(request, response, body)

    def _checked(
        self, request: httpx.Request, response: httpx.Response, body: _Body
    ) -> httpx.Response:
        probe = _buffered(response, body, request)
        try:
            content: bytes | None = probe.read()
        except httpx.DecodingError:
            content = None  # a broken gzip body: nothing the client could parse either
        if self._must_raise(response.status_code, content):
            raise error_from_response(probe, attempts=request.extensions.get(ATTEMPTS, 1))
        return _buffered(response, body, request)

    def _must_raise(self, status: int, body: bytes | None) -> bool:
        if body is None:
            return True
        if 200 <= status < 300:
            # Every 2xx the spec documents is a JSON object.
            return not isinstance(_json(body), dict)
        if self.raise_errors or not _known_status(status):
            return True
        if status < 400:
            return False  # a 3xx: the generated parser returns None
        return not _generated_parses(status, body)


def _json(body: bytes) -> Any:
    """The parsed body, or None when it is not JSON (JSON ``null`` is no use to us either)."""
    try:
        return json.loads(body)
    except ValueError:  # also UnicodeDecodeError
        return None


def _known_status(status: int) -> bool:
    # The generated Response wraps the code in http.HTTPStatus, which rejects e.g. 520.
    try:
        HTTPStatus(status)
    except ValueError:
        return False
    return True


def _generated_parses(status: int, body: bytes) -> bool:
    """Whether the generated client can parse this error body without raising."""
    document = _json(body)
    if not isinstance(document, dict):
        return False
    model = RateLimitBody if status == 429 else ErrorBody
    try:
        model.from_dict(document)
    except Exception:  # KeyError, ValueError (bad uuid), TypeError, AttributeError...
        return False
    return True


_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def _connection_error(exc: httpx.TransportError, request: httpx.Request) -> HubSpotConnectionError:
    operation = operation_of(request)
    attempts = request.extensions.get(ATTEMPTS, 1)
    secrets = secrets_of(request)
    url = redact_url(str(request.url), secrets)
    name = f" ({operation.operation_id})" if operation else ""
    retry_safe = None if operation is None else operation.retry_safe
    timed_out = isinstance(exc, httpx.TimeoutException)
    what = "timed out" if timed_out else "failed without an answer"
    cause = type(exc).__name__
    plural = "s" if attempts != 1 else ""
    sent = not isinstance(exc, _NOT_SENT)
    # The path alone (no query, where legacy keys travel), masked like the URL.
    raw_path = redact(
        request.url.raw_path.decode("ascii", errors="replace").split("?", 1)[0], secrets
    )
    parts = [
        f"{request.method} {raw_path}{name} {what} ({cause}) after {attempts} attempt{plural}."
    ]
    if not sent:
        parts.append("The request never reached HubSpot.")
    if retry_safe:
        parts.append("The operation is retry-safe: repeating it later is safe.")
    elif sent:
        parts.append(
            "Not retried: the operation is not retry-safe; HubSpot may or may not have applied "
            "it, so read it back before repeating."
        )
    cls = HubSpotTimeoutError if timed_out else HubSpotConnectionError
    return cls(
        " ".join(parts),
        request=request,
        operation_id=None if operation is None else operation.operation_id,
        method=request.method,
        url=url,
        attempts=attempts,
        retry_safe=retry_safe,
        request_sent=sent,
    )


def build_transport(
    transport: httpx.BaseTransport | None = None,
    async_transport: httpx.AsyncBaseTransport | None = None,
    *,
    retry: RetryPolicy | None = None,
    raise_errors: bool = True,
) -> ErrorTransport:
    """The full stack over ``transport`` / ``async_transport`` (real HTTP when both are None).

    A ``transport`` that is also an ``httpx.AsyncBaseTransport`` (``httpx.MockTransport``) serves
    async calls too. ``retry=None`` sends every request once.
    """
    if transport is None and async_transport is None:
        transport, async_transport = httpx.HTTPTransport(), httpx.AsyncHTTPTransport()
    elif async_transport is None and isinstance(transport, httpx.AsyncBaseTransport):
        async_transport = transport
    elif transport is None and isinstance(async_transport, httpx.BaseTransport):
        transport = async_transport
    attempts = AttemptTransport(transport, async_transport)
    if retry is None:
        return ErrorTransport(attempts, attempts, raise_errors=raise_errors)
    retrying = RetrySafeTransport(attempts, retry)
    return ErrorTransport(retrying, retrying, raise_errors=raise_errors)
