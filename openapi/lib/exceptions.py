"""Everything the client raises, under one base class, built so a caller can act on it.

Hierarchy (all exported by the package)::

    HubSpotError                        base of everything the client raises
    ├── HubSpotAPIError                 HubSpot (or something in front of it) answered non-2xx,
    │   │                               or a 2xx whose body is not the JSON the spec documents
    │   ├── ClientError                 4xx
    │   │   ├── BadRequestError         400  HubSpot's JSON error
    │   │   ├── AuthenticationError     401  HubSpot's JSON error
    │   │   ├── MissingScopesError      403  HubSpot's JSON error; ``required_scopes``
    │   │   ├── NotFoundError           404  HubSpot's JSON error
    │   │   └── RateLimitExceededError  429  ``policy_name``, ``retry_after``
    │   ├── ServerError                 5xx
    │   └── UnexpectedResponseError     the body is not HubSpot's error JSON (an HTML page from a
    │                                   proxy, an empty 520, ...); mixed into ClientError,
    │                                   RateLimitExceededError and ServerError below
    ├── HubSpotConnectionError          no HTTP answer (refused, dropped), after retries; also an
    │   └── HubSpotTimeoutError         ``httpx.TransportError`` / ``httpx.TimeoutException``
    └── ClientConfigurationError        ``make_client`` refused its arguments; also a ValueError

``except HubSpotError`` therefore catches every failure of a call: HTTP answers, connection
failures and timeouts.

Why a non-JSON 404/401/403 is *not* a NotFoundError/AuthenticationError/MissingScopesError: an
HTML 404 means a wrong base URL, an HTML 403 a proxy or WAF; a caller that handles "contact not
found" or "grant the scope" must not be sent the wrong way. It is an
``UnexpectedClientResponseError`` (both ``ClientError`` and ``UnexpectedResponseError``). A
non-JSON 429 stays a ``RateLimitExceededError`` and a non-JSON 5xx a ``ServerError``: the action
(wait, retry later) is the same.

Names: the generated models ``Error``, ``RateLimitError`` and ``ErrorDetail`` describe HubSpot's
error *bodies*; the classes here are exceptions (``...Error``/``...ExceededError``) and
``HubSpotErrorDetail``, so the two never share a name.

Secrets: no error keeps the request or its headers, and the token is masked wherever it could
surface: message, URL and the stored body text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

#: How many per-input errors the message lists (all are in ``.errors``).
MESSAGE_DETAILS = 3


class HubSpotError(Exception):
    """Base of every error the client raises."""


class ClientConfigurationError(HubSpotError, ValueError):
    """``make_client`` was given a token or base URL it cannot use (the token is never echoed)."""


@dataclass(frozen=True, slots=True)
class HubSpotErrorDetail:
    """One entry of HubSpot's ``errors[]``: usually one invalid input or parameter."""

    message: str
    #: HubSpot's ``in``: the field or parameter that was wrong.
    in_: str | None = None
    code: str | None = None
    sub_category: str | None = None
    context: Mapping[str, Sequence[str]] = field(default_factory=dict)


class HubSpotAPIError(HubSpotError):
    """HubSpot answered with a status the caller did not ask for.

    Attributes mirror HubSpot's error JSON (``status_code``, ``category``, ``sub_category``,
    ``message``, ``correlation_id``, ``context``, ``errors``, ``links``) plus what was sent
    (``operation_id``, ``method``, ``url``), the body text as received (``body``, token masked),
    its ``content_type``, how many ``attempts`` were made, and ``retry_safe`` (None when unknown).
    ``str(error)`` is one readable line built from them.
    """

    def __init__(
        self,
        *,
        status_code: int,
        message: str,
        category: str | None = None,
        sub_category: str | None = None,
        correlation_id: str | None = None,
        context: Mapping[str, Sequence[str]] | None = None,
        errors: Sequence[HubSpotErrorDetail] = (),
        links: Mapping[str, str] | None = None,
        body: str = "",
        content_type: str | None = None,
        operation_id: str | None = None,
        method: str | None = None,
        url: str | None = None,
        attempts: int = 1,
        retry_safe: bool | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status_code = status_code
        self.message = message
        self.category = category
        self.sub_category = sub_category
        self.correlation_id = correlation_id
        self.context: Mapping[str, Sequence[str]] = dict(context or {})
        self.errors: tuple[HubSpotErrorDetail, ...] = tuple(errors)
        self.links: Mapping[str, str] = dict(links or {})
        self.body = body
        self.content_type = content_type
        self.operation_id = operation_id
        self.method = method
        self.url = url
        self.attempts = attempts
        self.retry_safe = retry_safe
        self.headers: Mapping[str, str] = dict(headers or {})
        super().__init__(self._summary())

    def _request_text(self) -> str:
        name = f" ({self.operation_id})" if self.operation_id else ""
        if self.method and self.url:
            return f" to {self.method} {_path_of(self.url)}{name}"
        return f" to {self.operation_id}" if self.operation_id else ""

    def _what(self) -> str:
        category = f" {self.category}" if self.category else ""
        head = f"HubSpot answered {self.status_code}{category}{self._request_text()}"
        return f"{head}: {self.message}" if self.message else f"{head}."

    def _summary(self) -> str:
        first = self._what()
        parts = [first if first.endswith((".", "!", "?", "…")) else f"{first}."]
        details = [_detail_text(d) for d in self.errors[:MESSAGE_DETAILS]]
        if details:
            more = len(self.errors) - len(details)
            tail = f" (+{more} more)" if more > 0 else ""
            parts.append(f"Input errors: {'; '.join(details)}{tail}.")
        if self.correlation_id:
            parts.append(f"correlationId {self.correlation_id}.")
        if self.attempts > 1:
            parts.append(f"Gave up after {self.attempts} attempts.")
        hint = self._hint()
        if hint:
            parts.append(hint)
        return " ".join(parts)

    def _hint(self) -> str:
        if self.retry_safe is False and self.status_code >= 500:
            return (
                "Not retried: the operation is not retry-safe (a replay could undo a later "
                "opt-out); HubSpot may or may not have applied it, so read it back before "
                "repeating."
            )
        return ""

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code!r}, category={self.category!r}, "
            f"correlation_id={self.correlation_id!r}, message={self.message!r}, "
            f"method={self.method!r}, url={self.url!r}, attempts={self.attempts!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only __init__: rebuild from the attributes so errors survive pickling.
        return (_rebuild, (type(self), dict(self.__dict__)))


def _rebuild(cls: type[HubSpotAPIError], state: dict[str, Any]) -> HubSpotAPIError:
    error = cls.__new__(cls)
    error.__dict__.update(state)
    Exception.__init__(error, error._summary())
    return error


class ClientError(HubSpotAPIError):
    """A 4xx answer."""


class BadRequestError(ClientError):
    """400: the request is invalid; ``errors`` says which input or parameter."""


class AuthenticationError(ClientError):
    """401: no token, or one HubSpot does not accept (unknown, revoked or expired)."""


class MissingScopesError(ClientError):
    """403: the token lacks the operation's scopes; ``required_scopes`` lists what to grant."""

    @property
    def required_scopes(self) -> tuple[str, ...]:
        """Scopes HubSpot says are needed (``errors[].context.requiredScopes``), in order."""
        return self._context_values("requiredScopes")

    @property
    def required_granular_scopes(self) -> tuple[str, ...]:
        """``requiredGranularScopes`` where HubSpot sends it."""
        return self._context_values("requiredGranularScopes")

    def _context_values(self, key: str) -> tuple[str, ...]:
        found: list[str] = []
        for context in [self.context, *(d.context for d in self.errors)]:
            for scope in context.get(key, ()):
                if scope not in found:
                    found.append(scope)
        return tuple(found)

    def _what(self) -> str:
        scopes = self.required_scopes
        suffix = f" Required scopes: {', '.join(scopes)}." if scopes else ""
        return super()._what() + suffix


class NotFoundError(ClientError):
    """404 with HubSpot's error JSON (e.g. an unknown subscription or business unit)."""


class RateLimitExceededError(ClientError):
    """429: a rate limit was reached. ``retry_after`` (seconds) and ``policy_name`` say which."""

    def __init__(
        self,
        *,
        policy_name: str | None = None,
        retry_after: float | None = None,
        error_type: str | None = None,
        request_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.policy_name = policy_name
        self.retry_after = retry_after
        self.error_type = error_type
        self.request_id = request_id
        super().__init__(**kwargs)

    def _what(self) -> str:
        extra = []
        if self.policy_name:
            extra.append(f"policy {self.policy_name}")
        if self.retry_after is not None:
            extra.append(f"Retry-After {self.retry_after:g} s")
        suffix = f" ({', '.join(extra)})" if extra else ""
        return super()._what() + suffix

    def _hint(self) -> str:
        if self.retry_safe is False:
            return "Not retried (the operation is not retry-safe); HubSpot did not apply it."
        return ""


class ServerError(HubSpotAPIError):
    """A 5xx answer."""


class UnexpectedResponseError(HubSpotAPIError):
    """The body is not HubSpot's JSON (an HTML page from a proxy, an empty 520, ...).

    ``message`` is a readable excerpt of the body (tags stripped); ``body`` keeps the text.
    """

    def _what(self) -> str:
        kind = _body_kind(self.content_type, self.body)
        expected = (
            "not the JSON the API documents"
            if 200 <= self.status_code < 300
            else "not its JSON error"
        )
        head = f"HubSpot answered {self.status_code}{self._request_text()} with {kind}, {expected}"
        location = self.headers.get("location")
        if 300 <= self.status_code < 400 and location:
            head += f" (redirect to {location})"
        return f"{head}: {self.message}" if self.message else f"{head}."


class UnexpectedClientResponseError(UnexpectedResponseError, ClientError):
    """A 4xx (not 429) whose body is not HubSpot's error JSON: usually a wrong URL or a proxy."""


class UnexpectedRateLimitResponseError(UnexpectedResponseError, RateLimitExceededError):
    """A 429 whose body is not HubSpot's JSON (e.g. from a proxy in front of HubSpot)."""


class UnexpectedServerResponseError(UnexpectedResponseError, ServerError):
    """A 5xx whose body is not HubSpot's error JSON (an HTML 503, an empty Cloudflare 520, ...)."""


class HubSpotConnectionError(HubSpotError, httpx.TransportError):
    """No HTTP answer arrived (connection refused, reset, dropped mid-response), after retries.

    ``request_sent`` is False when the request certainly never left (connect/pool failures).
    The original httpx exception is ``__cause__``.
    """

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request | None = None,
        operation_id: str | None = None,
        method: str | None = None,
        url: str | None = None,
        attempts: int = 1,
        retry_safe: bool | None = None,
        request_sent: bool | None = None,
    ) -> None:
        super().__init__(message, request=request)
        self.operation_id = operation_id
        self.method = method
        self.url = url
        self.attempts = attempts
        self.retry_safe = retry_safe
        self.request_sent = request_sent

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class HubSpotTimeoutError(HubSpotConnectionError, httpx.TimeoutException):
    """A connect, read, write or pool timeout, after retries."""


def _detail_text(detail: HubSpotErrorDetail) -> str:
    where = f"[{detail.in_}] " if detail.in_ else ""
    code = f" ({detail.code})" if detail.code else ""
    return f"{where}{detail.message or '(no message)'}{code}"


def _path_of(url: str) -> str:
    try:
        return urlsplit(url).path or url
    except ValueError:
        return url


def _body_kind(content_type: str | None, body: str) -> str:
    if not body:
        return "an empty body"
    if content_type:
        return f"a {content_type.split(';')[0].strip() or 'typeless'} body"
    return "a body of no declared content type"
