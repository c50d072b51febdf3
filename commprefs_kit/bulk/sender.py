"""One HTTP call through the generated client, and what its failure means for the run.

Retries are NOT made here: the client's transport (``make_client``) already
retried 429/5xx/dropped connections for these retry-safe operations before an error
reaches us. Here an error is only sorted:

- STOP: nothing later can succeed (401 bad token, 403 missing scopes, a non-HubSpot
  4xx page or a 404/405: wrong base URL) -> stop the run at once, keep what is done;
- SPLIT: HubSpot rejected the batch as a whole (400/413/422...): the inputs it names
  fail, the rest are sent again in smaller batches to isolate the bad one;
- FAIL: the batch could not be confirmed (after the transport's retries): its
  contacts are reported failed with HubSpot's category, message and correlationId.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Generic, TypeVar

import httpx
from hubspot_communication_preferences import (
    AuthenticationError,
    ClientError,
    HubSpotAPIError,
    MissingScopesError,
    NotFoundError,
    RateLimitExceededError,
    UnexpectedResponseError,
)
from hubspot_communication_preferences.lib.error_parsing import error_from_response
from hubspot_communication_preferences.types import Response

from commprefs_kit.bulk.results import ContactResult, ErrorInfo
from commprefs_kit.bulk.spec_facts import READ_BACK_OPERATION, SEND_OPERATION, scopes_text

T = TypeVar("T")


class Verdict(Enum):
    OK = "ok"
    STOP = "stop"
    SPLIT = "split"
    FAIL = "fail"


class StopKind(Enum):
    AUTHENTICATION = "authentication"  # 401
    SCOPES = "scopes"  # 403
    ENDPOINT = "endpoint"  # the base URL does not serve this API
    UNAVAILABLE = "unavailable"  # too many batches in a row failed


class RunStopped(Exception):
    """The run cannot go on; contacts not yet confirmed stay to do for a rerun."""

    def __init__(
        self,
        kind: StopKind,
        error: ErrorInfo,
        hint: str = "",
        results: Sequence[ContactResult] = (),
    ) -> None:
        self.kind = kind
        self.error = error
        self.hint = hint
        # Results settled by the batch that tripped the stop (already journaled).
        self.results = list(results)
        text = f"{error.message}"
        if error.correlation_id and error.correlation_id not in text:
            text += f" (correlationId {error.correlation_id})"
        super().__init__(f"{text} {hint}".strip())


@dataclass(slots=True)
class Answer(Generic[T]):
    verdict: Verdict
    parsed: T | None = None
    error: ErrorInfo | None = None
    named: dict[str, ErrorInfo] = field(default_factory=dict)  # inputs a 4xx blamed


def info_of(error: HubSpotAPIError) -> ErrorInfo:
    return ErrorInfo(
        category=error.category or _category_of(error),
        message=str(error),
        correlation_id=error.correlation_id,
        http_status=error.status_code,
    )


def _category_of(error: HubSpotAPIError) -> str:
    if isinstance(error, UnexpectedResponseError):
        return "UNEXPECTED_RESPONSE"
    if isinstance(error, RateLimitExceededError):
        return "RATE_LIMIT"
    return f"HTTP_{error.status_code}"


def _scope_hint() -> str:
    """Which scopes to grant, from the spec's security of the two operations used."""
    return (
        f"Grant the private app or OAuth app the scope {scopes_text(SEND_OPERATION)} "
        f"(and {scopes_text(READ_BACK_OPERATION)} for --verify)."
    )


_AUTH_HINT = "Check HUBSPOT_ACCESS_TOKEN / --token-file: HubSpot did not accept the token."
_ENDPOINT_HINT = "Check --base-url: it did not answer like HubSpot's API."


def _blamed(error: HubSpotAPIError, inputs: Sequence[str]) -> dict[str, ErrorInfo]:
    """Inputs a whole-batch 4xx names in its details (context values or messages)."""
    wanted = {a.lower(): a for a in inputs}
    named: dict[str, ErrorInfo] = {}
    for detail in error.errors:
        values = [v for vs in detail.context.values() for v in vs]
        hits = [wanted[v.strip().lower()] for v in values if v.strip().lower() in wanted]
        for address in hits:
            named.setdefault(
                address,
                ErrorInfo(
                    error.category or "VALIDATION_ERROR",
                    detail.message or error.message,
                    error.correlation_id,
                    error.status_code,
                ),
            )
    return named


def judge_error(error: HubSpotAPIError, inputs: Sequence[str]) -> Answer[Any]:
    info = info_of(error)
    if isinstance(error, AuthenticationError):
        raise RunStopped(StopKind.AUTHENTICATION, info, _AUTH_HINT)
    if isinstance(error, MissingScopesError):
        raise RunStopped(StopKind.SCOPES, info, _scope_hint())
    if isinstance(error, RateLimitExceededError):
        return Answer(Verdict.FAIL, error=info)
    if isinstance(error, ClientError) and (
        isinstance(error, UnexpectedResponseError | NotFoundError) or error.status_code == 405
    ):
        raise RunStopped(StopKind.ENDPOINT, info, _ENDPOINT_HINT)
    if isinstance(error, ClientError):
        return Answer(Verdict.SPLIT, error=info, named=_blamed(error, inputs))
    return Answer(Verdict.FAIL, error=info)


def _transport_info(error: httpx.TransportError) -> ErrorInfo:
    category = "TIMEOUT" if isinstance(error, httpx.TimeoutException) else "CONNECTION_ERROR"
    return ErrorInfo(category, str(error) or type(error).__name__)


async def call(
    request: Callable[[], Awaitable[Response[Any]]],
    expected: tuple[type[T], ...],
    inputs: Sequence[str],
    pacer: AbstractAsyncContextManager[Any] | None = None,
) -> Answer[T]:
    """Make one call (paced when a pacer is given) and sort its outcome."""
    try:
        async with pacer or nullcontext():
            response = await request()
    except HubSpotAPIError as exc:
        return judge_error(exc, inputs)
    except httpx.TransportError as exc:
        return Answer(Verdict.FAIL, error=_transport_info(exc))
    except (ValueError, KeyError, TypeError) as exc:
        # A 2xx whose body is not the documented JSON (plain client without the kit transport).
        return Answer(
            Verdict.FAIL,
            error=ErrorInfo("UNPARSEABLE_RESPONSE", f"HubSpot's answer could not be read: {exc}"),
        )
    if isinstance(response.parsed, expected) and 200 <= response.status_code < 300:
        return Answer(Verdict.OK, parsed=response.parsed)
    # A client without the kit's transport returns errors instead of raising them.
    rebuilt = httpx.Response(
        int(response.status_code), content=response.content, headers=response.headers
    )
    return judge_error(error_from_response(rebuilt), inputs)
