"""HubSpot's error bodies: one exception type, one serializer.

The shapes follow HubSpot's public error-handling guide
(https://developers.hubspot.com/docs/api/error-handling); the mock's choices are listed in
mock_server/README.md ("Errors").

Every rejected request is answered with ``{status: "error", message, correlationId, category,
errors[]?, context?, links?, subCategory?}`` and ``content-type: application/json;charset=utf-8``.
The 429 body is HubSpot's different rate-limit shape (``errorType``, ``policyName``, ...).
"""

from __future__ import annotations

import http
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

JSON = dict[str, Any]

CONTENT_TYPE_JSON = (b"content-type", b"application/json;charset=utf-8")
CONTENT_TYPE_HTML = (b"content-type", b"text/html; charset=utf-8")

# HubSpot's error categories by status, for answers the mock is asked to give
# (``Prefer: code=NNN``, the answer queue, faults); other statuses fall back by class.
_CATEGORIES = {
    400: "VALIDATION_ERROR",
    401: "INVALID_AUTHENTICATION",
    403: "MISSING_SCOPES",
    404: "OBJECT_NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "VALIDATION_ERROR",
    415: "VALIDATION_ERROR",
    429: "RATE_LIMITS",
    500: "INTERNAL_ERROR",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}

_HTML_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>{status} {reason}</title></head>"
    "<body><h1>{status} {reason}</h1><p>The upstream server did not answer in time.</p>"
    "<hr><address>hubspot-mock-proxy</address></body></html>\n"
)


def category_for(status: int) -> str:
    """HubSpot's category for an error status (a generic one by class when unknown)."""
    return _CATEGORIES.get(status) or ("INTERNAL_ERROR" if status >= 500 else "BAD_REQUEST")


def html_page(status: int) -> str:
    """A proxy's error page, as a load balancer in front of HubSpot would send it."""
    try:
        reason = http.HTTPStatus(status).phrase
    except ValueError:
        reason = "Error"
    return _HTML_PAGE.format(status=status, reason=reason)


SCOPES_URL = "https://developers.hubspot.com/scopes"
AUTH_MESSAGE = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and "
    "you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)
SCOPES_MESSAGE = (
    "This app hasn't been granted all required scopes to make this call. "
    f"Read more about required scopes here: {SCOPES_URL}."
)


class ApiError(Exception):
    """A request HubSpot would reject; the app turns it into HubSpot's error answer."""

    def __init__(
        self,
        status: int,
        category: str,
        message: str,
        *,
        errors: Sequence[JSON] = (),
        context: Mapping[str, list[str]] | None = None,
        links: Mapping[str, str] | None = None,
        sub_category: str | None = None,
        headers: Sequence[tuple[bytes, bytes]] = (),
    ) -> None:
        super().__init__(message)
        self.status = status
        self.category = category
        self.message = message
        self.errors = list(errors)
        self.context = context
        self.links = links
        self.sub_category = sub_category
        self.headers = list(headers)

    def body(self, correlation_id: str) -> bytes:
        payload: JSON = {
            "status": "error",
            "message": self.message,
            "correlationId": correlation_id,
            "category": self.category,
        }
        if self.sub_category is not None:
            payload["subCategory"] = self.sub_category
        if self.errors:
            payload["errors"] = self.errors
        if self.context is not None:
            payload["context"] = dict(self.context)
        if self.links is not None:
            payload["links"] = dict(self.links)
        return orjson.dumps(payload)


def detail(
    message: str,
    *,
    in_: str | None = None,
    code: str | None = None,
    context: Mapping[str, list[str]] | None = None,
) -> JSON:
    """One ErrorDetail entry."""
    out: JSON = {"message": message}
    if code is not None:
        out["code"] = code
    if in_ is not None:
        out["in"] = in_
    if context is not None:
        out["context"] = dict(context)
    return out


def validation_error(message: str, errors: Sequence[JSON] = ()) -> ApiError:
    return ApiError(400, "VALIDATION_ERROR", message, errors=errors)


def object_not_found(message: str, errors: Sequence[JSON] = ()) -> ApiError:
    """A business unit or subscription type the account does not have (HubSpot's 404 category)."""
    return ApiError(404, "OBJECT_NOT_FOUND", message, errors=errors)


def unauthorized() -> ApiError:
    return ApiError(
        401,
        "INVALID_AUTHENTICATION",
        AUTH_MESSAGE,
        headers=[(b"x-hubspot-auth-failure", b"401 Unauthorized")],
    )


def missing_scopes(required: Sequence[str]) -> ApiError:
    context = {"requiredScopes": list(required), "requiredGranularScopes": list(required)}
    return ApiError(
        403,
        "MISSING_SCOPES",
        SCOPES_MESSAGE,
        errors=[detail("One or more of the following scopes are required.", context=context)],
        links={"scopes": SCOPES_URL},
    )


def not_found(method: str, path: str) -> ApiError:
    return ApiError(404, "OBJECT_NOT_FOUND", f"No API operation at {method} {path}")


def method_not_allowed(method: str, allowed: Sequence[str]) -> ApiError:
    return ApiError(
        405,
        "METHOD_NOT_ALLOWED",
        f"Method {method} is not allowed here; use {', '.join(allowed)}",
        headers=[(b"allow", ", ".join(allowed).encode())],
    )


def unsupported_media_type(got: str) -> ApiError:
    return ApiError(
        415,
        "VALIDATION_ERROR",
        f"Unsupported content type {got or '(none)'!r}; send application/json",
        errors=[detail("Content-Type must be application/json", in_="Content-Type")],
    )


def payload_too_large(limit: int) -> ApiError:
    return ApiError(
        413, "VALIDATION_ERROR", f"The request body is larger than the limit of {limit} bytes"
    )


def internal_error() -> ApiError:
    return ApiError(500, "INTERNAL_ERROR", "internal error")


def rate_limit_body(correlation_id: str, message: str, policy_name: str, request_id: str) -> bytes:
    return orjson.dumps(
        {
            "status": "error",
            "message": message,
            "errorType": "RATE_LIMIT",
            "correlationId": correlation_id,
            "policyName": policy_name,
            "requestId": request_id,
        }
    )
