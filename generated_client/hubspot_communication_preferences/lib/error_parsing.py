"""Turning an answer that is not the documented success into the right ``HubSpotAPIError``.

HubSpot's error bodies are read through the generated ``Error`` / ``RateLimitError`` models, so
the spec says what an error body is. When a body does not fit them (a correlationId that is not a
UUID, a missing category, a proxy's own JSON) it is read leniently, field by field, rather than
lost: the caller still gets status, message and correlation id. A body that is not HubSpot's JSON
at all becomes an ``Unexpected*ResponseError`` with a readable excerpt.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from ..models.error import Error as ErrorBody
from ..models.rate_limit_error import RateLimitError as RateLimitBody
from ..types import Unset
from .exceptions import (
    AuthenticationError,
    BadRequestError,
    ClientError,
    HubSpotAPIError,
    HubSpotErrorDetail,
    MissingScopesError,
    NotFoundError,
    RateLimitExceededError,
    ServerError,
    UnexpectedClientResponseError,
    UnexpectedRateLimitResponseError,
    UnexpectedResponseError,
    UnexpectedServerResponseError,
)
from .operation import operation_of
from .redaction import redact, redact_url, secrets_of
from .retry_after import parse_retry_after

#: How much of an error body the error keeps (``.body``); the rest is dropped.
BODY_KEEP_CHARS = 65_536
#: How much of a non-JSON body goes into the message.
EXCERPT_CHARS = 200

_BY_STATUS: dict[int, type[HubSpotAPIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: MissingScopesError,
    404: NotFoundError,
    429: RateLimitExceededError,
}


def error_from_response(
    response: httpx.Response, *, attempts: int = 1, retry_safe: bool | None = None
) -> HubSpotAPIError:
    """The typed error for an httpx ``response``; never raises, whatever the body is.

    The body is read if needed (sync responses only; an unread async body counts as empty).
    ``retry_safe`` defaults to what the request's operation tag says.
    """
    method: str | None = None
    url: str | None = None
    secrets: tuple[str, ...] = ()
    operation_id: str | None = None
    try:
        request = response.request
    except RuntimeError:  # a Response built by hand has no request
        request = None
    if request is not None:
        secrets = secrets_of(request)
        method, url = request.method, redact_url(str(request.url), secrets)
        tag = operation_of(request)
        if tag is not None:
            operation_id = tag.operation_id
            retry_safe = tag.retry_safe if retry_safe is None else retry_safe
    return build_error(
        response.status_code,
        _content_of(response),
        response.headers,
        secrets=secrets,
        operation_id=operation_id,
        method=method,
        url=url,
        attempts=attempts,
        retry_safe=retry_safe,
    )


def build_error(
    status: int,
    raw: bytes,
    headers: Mapping[str, str],
    *,
    secrets: Sequence[str] = (),
    operation_id: str | None = None,
    method: str | None = None,
    url: str | None = None,
    attempts: int = 1,
    retry_safe: bool | None = None,
) -> HubSpotAPIError:
    """The typed error for an answer given by its parts; never raises."""
    lowered = {k.lower(): v for k, v in headers.items()}
    text = redact(raw.decode("utf-8", errors="replace"), secrets)
    content_type = lowered.get("content-type")
    common: dict[str, Any] = {
        "status_code": status,
        "body": text[:BODY_KEEP_CHARS],
        "content_type": content_type,
        "operation_id": operation_id,
        "method": method,
        "url": url,
        "attempts": attempts,
        "retry_safe": retry_safe,
        # Response headers only; set-cookie is dropped as it may carry session values.
        "headers": {k: v for k, v in headers.items() if k.lower() != "set-cookie"},
    }
    header_correlation = lowered.get("x-hubspot-correlation-id")
    retry_after = parse_retry_after(lowered.get("retry-after"))
    document = _json_object(raw)
    fields = None if document is None else _read_error_body(status, document)
    if fields is None:
        cls = _unexpected_class(status)
        common["correlation_id"] = header_correlation
        common["message"] = _excerpt(text, content_type)
        if issubclass(cls, RateLimitExceededError):
            common["retry_after"] = retry_after
        return cls(**common)
    common.update(fields)
    common["message"] = redact(common["message"], secrets)
    common["errors"] = [_redacted_detail(d, secrets) for d in common["errors"]]
    common["correlation_id"] = common["correlation_id"] or header_correlation
    cls = _json_class(status)
    if issubclass(cls, RateLimitExceededError):
        common["retry_after"] = retry_after
    else:
        for key in ("policy_name", "error_type", "request_id"):
            common.pop(key, None)
    return cls(**common)


# ---- reading HubSpot's error JSON ---------------------------------------------------------------


def _read_error_body(status: int, document: dict[str, Any]) -> dict[str, Any] | None:
    """The error's fields from HubSpot's JSON: through the generated model when the body fits it,
    leniently otherwise; None when the JSON is not an error body at all."""
    fields: dict[str, Any] | None
    try:
        if status == 429:
            fields = _from_rate_limit_model(RateLimitBody.from_dict(document))
        else:
            fields = _from_error_model(ErrorBody.from_dict(document))
    except (KeyError, ValueError, TypeError, AttributeError):
        fields = None  # e.g. a correlationId that is not a UUID, a missing category
    if fields is not None:
        return fields
    if not (_text(document.get("message")) is not None or _text(document.get("category"))):
        return None
    return _lenient(document)


def _from_error_model(body: ErrorBody) -> dict[str, Any] | None:
    if not isinstance(body.message, str) or not isinstance(body.category, str):
        return None  # from_dict does not check types; let the lenient reading decide
    context = {} if isinstance(body.context, Unset) else body.context.additional_properties
    details = [] if isinstance(body.errors, Unset) else body.errors
    links = {} if isinstance(body.links, Unset) else body.links.additional_properties
    return {
        "message": body.message,
        "category": body.category,
        "sub_category": _unset_to_none(body.sub_category),
        "correlation_id": str(body.correlation_id),
        "context": _context(context),
        "errors": [
            HubSpotErrorDetail(
                message=_text(d.message) or "",
                in_=_text(_unset_to_none(d.in_)),
                code=_text(_unset_to_none(d.code)),
                sub_category=_text(_unset_to_none(d.sub_category)),
                context=_context({} if isinstance(d.context, Unset) else d.context.additional_properties),
            )
            for d in details
        ],
        "links": _links(links),
    }


def _from_rate_limit_model(body: RateLimitBody) -> dict[str, Any] | None:
    if not isinstance(body.message, str):
        return None
    correlation = _unset_to_none(body.correlation_id)
    return {
        "message": body.message,
        "category": _text(_unset_to_none(body.category)),
        "sub_category": None,
        "correlation_id": None if correlation is None else str(correlation),
        "context": {},
        "errors": [],
        "links": {},
        "policy_name": _text(_unset_to_none(body.policy_name)),
        "error_type": _text(_unset_to_none(body.error_type)),
        "request_id": _text(_unset_to_none(body.request_id)),
    }


def _lenient(document: dict[str, Any]) -> dict[str, Any]:
    return {
        "message": _text(document.get("message")) or "",
        "category": _text(document.get("category")),
        "sub_category": _text(document.get("subCategory")),
        "correlation_id": _text(document.get("correlationId")),
        "context": _context(document.get("context")),
        "errors": _details(document.get("errors")),
        "links": _links(document.get("links")),
        "policy_name": _text(document.get("policyName")),
        "error_type": _text(document.get("errorType")),
        "request_id": _text(document.get("requestId")),
    }


def _unset_to_none(value: Any) -> Any:
    return None if isinstance(value, Unset) else value


def _json_object(raw: bytes) -> dict[str, Any] | None:
    try:
        document = json.loads(raw)
    except (ValueError, TypeError):
        return None
    return document if isinstance(document, dict) else None


def _content_of(response: httpx.Response) -> bytes:
    try:
        return response.content
    except httpx.ResponseNotRead:
        pass
    try:
        return response.read()
    except Exception:  # an async stream, a dropped connection, a bad encoding: no body
        return b""


def _json_class(status: int) -> type[HubSpotAPIError]:
    if status in _BY_STATUS:
        return _BY_STATUS[status]
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


def _compact(value: Any) -> str:
    try:
        return json.dumps(value, separators=(",", ":"))
    except (TypeError, ValueError):
        return str(value)


def _strings(value: Any) -> list[str]:
    if isinstance(value, list):
        return [v if isinstance(v, str) else _compact(v) for v in value]
    if value is None:
        return []
    return [value if isinstance(value, str) else _compact(value)]


def _context(value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        return {}
    return {str(key): _strings(item) for key, item in value.items()}


def _links(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): v if isinstance(v, str) else _compact(v) for k, v in value.items()}


def _details(value: Any) -> list[HubSpotErrorDetail]:
    if not isinstance(value, list):
        return []
    details = []
    for item in value:
        if not isinstance(item, dict):
            text = item if isinstance(item, str) else _compact(item)
            details.append(HubSpotErrorDetail(message=text))
            continue
        details.append(
            HubSpotErrorDetail(
                message=_text(item.get("message")) or "",
                in_=_text(item.get("in")),
                code=_text(item.get("code")),
                sub_category=_text(item.get("subCategory")),
                context=_context(item.get("context")),
            )
        )
    return details


def _redacted_detail(detail: HubSpotErrorDetail, secrets: Sequence[str]) -> HubSpotErrorDetail:
    if not secrets:
        return detail
    return HubSpotErrorDetail(
        message=redact(detail.message, secrets),
        in_=detail.in_,
        code=detail.code,
        sub_category=detail.sub_category,
        context={k: [redact(v, secrets) for v in vs] for k, vs in detail.context.items()},
    )


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
