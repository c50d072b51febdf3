"""Typed errors for HubSpot Communication Preferences calls, built so a caller can act on them.

Hierarchy (every class is importable from here)::

    HubSpotError                      base of everything the kit's client raises
    ├── HubSpotAPIError               HubSpot (or something in front of it) answered non-2xx,
    │   │                             or a 2xx whose body is not the JSON the spec documents
    │   ├── ClientError               4xx
    │   │   ├── BadRequestError       400  HubSpot's JSON error
    │   │   ├── AuthenticationError   401  HubSpot's JSON error
    │   │   ├── MissingScopesError    403  HubSpot's JSON error; ``required_scopes``
    │   │   ├── NotFoundError         404  HubSpot's JSON error
    │   │   └── RateLimitError        429  ``policy_name``, ``retry_after``
    │   ├── ServerError               5xx
    │   └── UnexpectedResponseError   the body is not HubSpot's error JSON (HTML page from a proxy,
    │                                 empty 520, ...); mixed into ClientError / RateLimitError /
    │                                 ServerError by the Unexpected*ResponseError classes below
    └── HubSpotConnectionError        no HTTP answer (connection refused/dropped), after retries;
        └── HubSpotTimeoutError       also an ``httpx.TransportError`` / ``httpx.TimeoutException``

Why a non-JSON 404/401/403 is *not* a NotFoundError/AuthenticationError/MissingScopesError: an
HTML 404 means a wrong base URL, an HTML 403 a proxy or WAF; a caller that handles "contact not
found" or "grant the scope" must not be sent the wrong way. It is an
``UnexpectedClientResponseError`` (both ``ClientError`` and ``UnexpectedResponseError``).
A non-JSON 429 stays a ``RateLimitError`` and a non-JSON 5xx a ``ServerError``, because the
action (wait, retry later) is the same.

Transport failures: the generated functions document ``httpx.TimeoutException``. The kit's
transport turns httpx's transport errors into ``HubSpotConnectionError`` / ``HubSpotTimeoutError``
(which still *are* ``httpx.TransportError`` / ``httpx.TimeoutException``, so both ``except`` styles
work) to say how many attempts were made and whether repeating the call is safe.

Secrets: no error keeps the request or its headers. The bearer token (and a ``hapikey`` query
value) is masked wherever it could surface: message, URL and the stored body text.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import orjson

#: How much of an error body the error keeps (``.body``); the rest is dropped.
BODY_KEEP_CHARS = 65_536
#: How much of a non-JSON body goes into the message.
EXCERPT_CHARS = 200
#: How many per-input errors the message lists (all are in ``.errors``).
MESSAGE_DETAILS = 3
REDACTED = "[redacted]"
# Query parameters that carry secrets in HubSpot's legacy schemes.
_SECRET_QUERY_PARAMS = frozenset({"hapikey", "access_token"})


class HubSpotError(Exception):
    """Base of every error raised by the kit's HubSpot client."""


@dataclass(frozen=True, slots=True)
class ErrorDetail:
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
    (``method``, ``url``), the body text as received (``body``, token masked), its
    ``content_type``, how many ``attempts`` were made, and ``retry_safe`` (None when unknown).
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
        errors: Sequence[ErrorDetail] = (),
        links: Mapping[str, str] | None = None,
        body: str = "",
        content_type: str | None = None,
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
        self.errors: tuple[ErrorDetail, ...] = tuple(errors)
        self.links: Mapping[str, str] = dict(links or {})
        self.body = body
        self.content_type = content_type
        self.method = method
        self.url = url
        self.attempts = attempts
        self.retry_safe = retry_safe
        self.headers: Mapping[str, str] = dict(headers or {})
        super().__init__(self._summary())

    def _request_text(self) -> str:
        if self.method and self.url:
            return f" to {self.method} {_path_of(self.url)}"
        return ""

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
        """``requiredGranularScopes`` where HubSpot sends it (seen only in third-party reports)."""
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
    """404 with HubSpot's error JSON (e.g. an unknown subscription or contact)."""


class RateLimitError(ClientError):
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


class UnexpectedRateLimitResponseError(UnexpectedResponseError, RateLimitError):
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
        method: str | None = None,
        url: str | None = None,
        attempts: int = 1,
        retry_safe: bool | None = None,
        request_sent: bool | None = None,
    ) -> None:
        super().__init__(message, request=request)
        self.method = method
        self.url = url
        self.attempts = attempts
        self.retry_safe = retry_safe
        self.request_sent = request_sent

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class HubSpotTimeoutError(HubSpotConnectionError, httpx.TimeoutException):
    """A connect, read, write or pool timeout, after retries."""


# ---- building errors from responses ------------------------------------------------------------


def error_from_response(
    response: httpx.Response,
    *,
    attempts: int = 1,
    retry_safe: bool | None = None,
) -> HubSpotAPIError:
    """The typed error for ``response``; never raises, whatever the body is.

    The body is read if needed (sync responses only; an unread async body counts as empty).
    """
    status = response.status_code
    method, url, secrets = _request_facts(response)
    raw = _content_of(response)
    text = _redact(raw.decode("utf-8", errors="replace"), secrets)
    content_type = response.headers.get("content-type")
    headers = _kept_headers(response.headers)
    common: dict[str, Any] = {
        "status_code": status,
        "body": text[:BODY_KEEP_CHARS],
        "content_type": content_type,
        "method": method,
        "url": url,
        "attempts": attempts,
        "retry_safe": retry_safe,
        "headers": headers,
    }
    header_correlation = response.headers.get("x-hubspot-correlation-id")
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    document = _hubspot_json(raw)
    if document is None:
        cls = _unexpected_class(status)
        common["correlation_id"] = header_correlation
        common["message"] = _excerpt(text, content_type)
        if issubclass(cls, RateLimitError):
            common["retry_after"] = retry_after
        return cls(**common)

    common.update(
        message=_redact(_text(document.get("message")) or "", secrets),
        category=_text(document.get("category")),
        sub_category=_text(document.get("subCategory")),
        correlation_id=_text(document.get("correlationId")) or header_correlation,
        context=_context(document.get("context")),
        errors=[_redacted_detail(d, secrets) for d in _details(document.get("errors"))],
        links=_links(document.get("links")),
    )
    cls = _json_class(status)
    if issubclass(cls, RateLimitError):
        common.update(
            policy_name=_text(document.get("policyName")),
            retry_after=retry_after,
            error_type=_text(document.get("errorType")),
            request_id=_text(document.get("requestId")),
        )
    return cls(**common)


def parse_retry_after(value: str | None, *, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP date); None if absent
    or unreadable. A date in the past gives 0."""
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - now).total_seconds())


def redact_url(url: str, secrets: Iterable[str] = ()) -> str:
    """``url`` with secret query values (``hapikey``, ``access_token``) and ``secrets`` masked."""
    try:
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
    except ValueError:
        return _redact(url, secrets)
    if any(key.lower() in _SECRET_QUERY_PARAMS for key, _ in query):
        masked = [(k, REDACTED if k.lower() in _SECRET_QUERY_PARAMS else v) for k, v in query]
        url = urlunsplit(parts._replace(query=urlencode(masked, safe="[]")))
    return _redact(url, secrets)


def secrets_of(request: httpx.Request) -> tuple[str, ...]:
    """The credentials a request carries (bearer token, ``hapikey``), to mask them."""
    found: list[str] = []
    auth = request.headers.get("authorization", "")
    scheme, _, credential = auth.partition(" ")
    token = credential.strip() if scheme.lower() == "bearer" else auth.strip()
    if token:
        found.append(token)
    for key, value in request.url.params.multi_items():
        if key.lower() in _SECRET_QUERY_PARAMS and value:
            found.append(value)
    # Very short values would mask ordinary words; real tokens are long.
    return tuple(s for s in found if len(s) >= 4)


def _request_facts(response: httpx.Response) -> tuple[str | None, str | None, tuple[str, ...]]:
    try:
        request = response.request
    except RuntimeError:  # a Response built by hand has no request
        return None, None, ()
    secrets = secrets_of(request)
    return request.method, redact_url(str(request.url), secrets), secrets


def _content_of(response: httpx.Response) -> bytes:
    try:
        return response.content
    except httpx.ResponseNotRead:
        pass
    try:
        return response.read()
    except Exception:  # an async stream, a dropped connection, a bad encoding: no body
        return b""


def _hubspot_json(raw: bytes) -> dict[str, Any] | None:
    """The body as a dict when it looks like HubSpot's error JSON, else None."""
    try:
        document = orjson.loads(raw)
    except (orjson.JSONDecodeError, ValueError, TypeError):
        return None
    if not isinstance(document, dict):
        return None
    if isinstance(document.get("message"), str) or isinstance(document.get("category"), str):
        return document
    return None


def _json_class(status: int) -> type[HubSpotAPIError]:
    by_status: dict[int, type[HubSpotAPIError]] = {
        400: BadRequestError,
        401: AuthenticationError,
        403: MissingScopesError,
        404: NotFoundError,
        429: RateLimitError,
    }
    if status in by_status:
        return by_status[status]
    if 400 <= status < 500:
        return ClientError
    if status >= 500:
        return ServerError
    return HubSpotAPIError


def _unexpected_class(status: int) -> type[HubSpotAPIError]:
    if status == 429:
        return UnexpectedRateLimitResponseError
    if 400 <= status < 500:
        return UnexpectedClientResponseError
    if status >= 500:
        return UnexpectedServerResponseError
    return UnexpectedResponseError


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _strings(value: Any) -> list[str]:
    if isinstance(value, list):
        return [v if isinstance(v, str) else _compact(v) for v in value]
    if value is None:
        return []
    return [value if isinstance(value, str) else _compact(value)]


def _compact(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except (TypeError, ValueError):
        return str(value)


def _context(value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        return {}
    return {str(key): _strings(item) for key, item in value.items()}


def _links(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): v if isinstance(v, str) else _compact(v) for k, v in value.items()}


def _details(value: Any) -> list[ErrorDetail]:
    if not isinstance(value, list):
        return []
    details = []
    for item in value:
        if not isinstance(item, dict):
            details.append(ErrorDetail(message=item if isinstance(item, str) else _compact(item)))
            continue
        details.append(
            ErrorDetail(
                message=_text(item.get("message")) or "",
                in_=_text(item.get("in")),
                code=_text(item.get("code")),
                sub_category=_text(item.get("subCategory")),
                context=_context(item.get("context")),
            )
        )
    return details


def _redacted_detail(detail: ErrorDetail, secrets: Sequence[str]) -> ErrorDetail:
    if not secrets:
        return detail
    return ErrorDetail(
        message=_redact(detail.message, secrets),
        in_=detail.in_,
        code=detail.code,
        sub_category=detail.sub_category,
        context={k: [_redact(v, secrets) for v in vs] for k, vs in detail.context.items()},
    )


def _detail_text(detail: ErrorDetail) -> str:
    where = f"[{detail.in_}] " if detail.in_ else ""
    code = f" ({detail.code})" if detail.code else ""
    return f"{where}{detail.message or '(no message)'}{code}"


def _redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def _kept_headers(headers: httpx.Headers) -> dict[str, str]:
    # Response headers only; set-cookie is dropped as it may carry session values.
    return {k: v for k, v in headers.items() if k.lower() != "set-cookie"}


def _path_of(url: str) -> str:
    try:
        return urlsplit(url).path or url
    except ValueError:
        return url


_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def _looks_html(content_type: str | None, text: str) -> bool:
    if content_type and "html" in content_type.lower():
        return True
    return text.lstrip()[:1] == "<"


def _excerpt(text: str, content_type: str | None) -> str:
    """A readable first ``EXCERPT_CHARS`` characters: tags stripped, whitespace collapsed."""
    if _looks_html(content_type, text):
        text = html.unescape(_TAG.sub(" ", _SCRIPT_OR_STYLE.sub(" ", text)))
    text = _SPACE.sub(" ", text).strip()
    if len(text) > EXCERPT_CHARS:
        return text[:EXCERPT_CHARS].rstrip() + "…"
    return text


def _body_kind(content_type: str | None, body: str) -> str:
    if not body:
        return "an empty body"
    if content_type:
        return f"a {content_type.split(';')[0].strip() or 'typeless'} body"
    return "a body of no declared content type"
