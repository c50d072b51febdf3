"""Checks made before anything is sent or written (commprefs_kit/bulk/README.md, "Preflight").

- `check_base_url`: an http(s) URL with a host, without the API's version path;
- `check_token`: a token an Authorization header can carry (never echoed);
- `check_writable`: a result file, journal or summary can be created where asked;
- `probe`: one request per operation the run will use, with an empty batch (it names no
  contact, so it changes nothing), proving that the base URL answers like this API, that
  the token is accepted and that it carries the operation's scopes. HubSpot checks the
  token and the scopes before it reads the body, so an empty batch it refuses as invalid
  (400 with its JSON error) proves them as well as a 200 does.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from hubspot_communication_preferences import (
    DEFAULT_BASE_URL,
    AuthenticatedClient,
    AuthenticationError,
    BadRequestError,
    HubSpotAPIError,
    HubSpotConnectionError,
    HubSpotError,
    HubSpotTimeoutError,
    MissingScopesError,
    NotFoundError,
    RateLimitExceededError,
    ServerError,
    UnexpectedResponseError,
)
from hubspot_communication_preferences.api.batch import (
    batch_get_unsubscribe_all_statuses,
    batch_unsubscribe_all,
)
from hubspot_communication_preferences.models.batch_input_string import BatchInputString
from hubspot_communication_preferences.models.channel import Channel
from hubspot_communication_preferences.types import UNSET, Response, Unset

from commprefs_kit.bulk.exitcodes import ExitCode
from commprefs_kit.bulk.spec_facts import (
    READ_BACK_OPERATION,
    SEND_OPERATION,
    scopes_text,
    version_prefix,
)

_TOKEN_CHARS = re.compile(r"[!-~]+")  # visible ASCII: what an Authorization header can carry
EXAMPLE_MOCK_URL = "http://127.0.0.1:8080"


class PreflightError(Exception):
    """The run cannot start; one line saying what is wrong and what to do, and its exit status."""

    def __init__(self, code: ExitCode, message: str) -> None:
        self.code = code
        super().__init__(message)


def _usage(message: str) -> PreflightError:
    return PreflightError(ExitCode.USAGE, message)


def check_base_url(base_url: str) -> str:
    """The base URL without a trailing slash; PreflightError (usage) when it cannot be one."""
    text = base_url.strip()
    shown = repr(base_url)
    if not text:
        raise _usage(f"--base-url is empty; use {DEFAULT_BASE_URL} or e.g. {EXAMPLE_MOCK_URL}")
    if "://" not in text:
        raise _usage(f"--base-url {shown} has no scheme; write http://{text} (or https://{text})")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise _usage(f"--base-url {shown} is not a valid URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise _usage(
            f"--base-url {shown} uses {parts.scheme}://; the API is served over https "
            f"(e.g. {DEFAULT_BASE_URL}) or http for a local mock (e.g. {EXAMPLE_MOCK_URL})"
        )
    if not parts.hostname:
        raise _usage(f"--base-url {shown} has no host; e.g. {DEFAULT_BASE_URL}")
    if port == 0:
        raise _usage(f"--base-url {shown} has port 0")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise _usage(
            f"--base-url {shown} has a query, fragment or user name; give scheme, host and "
            "port only (the token goes in HUBSPOT_ACCESS_TOKEN or --token-file)"
        )
    prefix = version_prefix()
    path = parts.path.rstrip("/")
    api_root = prefix.rsplit("/", 1)[0]  # /communication-preferences
    if prefix and (prefix in path or path.endswith(api_root) or f"{api_root}/" in path):
        at = path.find(api_root)
        base = f"{parts.scheme}://{parts.netloc}{path[:at]}"
        raise _usage(
            f"--base-url {shown} includes the API's path {path[at:]!r}; drop it and give "
            f"the base URL only: {base}"
        )
    return text.rstrip("/")


def check_token(token: str, source: str) -> None:
    """A token that can go in an Authorization header; the message never repeats it."""
    if not _TOKEN_CHARS.fullmatch(token):
        raise _usage(
            f"the token in {source} contains spaces, control or non-ASCII characters; "
            "copy the access token again (it is one word of visible ASCII characters)"
        )


def check_writable(path: Path, what: str) -> None:
    """`path` can be created or replaced (a temporary file in its folder, then renamed)."""
    if path.is_dir():
        raise _usage(f"{what} {path} is a folder; give a file name")
    folder = path.parent
    if not folder.exists():
        raise _usage(f"cannot write {what} {path}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise _usage(f"cannot write {what} {path}: {folder} is not a folder")
    if path.exists() and not os.access(path, os.W_OK):
        raise _usage(f"cannot write {what} {path}: permission denied")
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=folder)
    except OSError as exc:
        raise _usage(f"cannot write {what} {path}: {exc.strerror or exc}") from None
    os.close(fd)
    Path(probe).unlink(missing_ok=True)


@dataclass(frozen=True, slots=True)
class _Probe:
    operation_id: str
    call: Callable[..., Awaitable[Response[Any]]]
    purpose: str


_SEND = _Probe(SEND_OPERATION, batch_unsubscribe_all.asyncio_detailed, "opting contacts out")
_READ = _Probe(READ_BACK_OPERATION, batch_get_unsubscribe_all_statuses.asyncio_detailed, "--verify")


async def probe(
    client: AuthenticatedClient,
    base_url: str,
    *,
    send: bool,
    read_back: bool,
    business_unit_id: int | None,
    token_source: str,
) -> int:
    """Prove the base URL, token and scopes with empty batches; the number of requests made."""
    unit: int | Unset = UNSET if business_unit_id is None else business_unit_id
    made = 0
    for check in ([_SEND] if send else []) + ([_READ] if read_back else []):
        made += 1
        try:
            await check.call(
                client=client,
                body=BatchInputString(inputs=[]),
                channel=Channel.EMAIL,
                business_unit_id=unit,
            )
        except BadRequestError:
            continue  # HubSpot's JSON 400 for an empty batch: token and scopes were accepted
        except (HubSpotError, httpx.HTTPError) as exc:  # every failure becomes one line
            raise _explain(exc, check, base_url, token_source) from None
    return made


def _explain(exc: Exception, check: _Probe, base_url: str, token_source: str) -> PreflightError:
    if isinstance(exc, AuthenticationError):
        return PreflightError(
            ExitCode.AUTHENTICATION,
            f"{base_url} refused the token from {token_source} (401): it is unknown, revoked "
            "or expired; copy a current access token (nothing was sent)",
        )
    if isinstance(exc, MissingScopesError):
        return PreflightError(
            ExitCode.SCOPES,
            f"the token lacks the scope {scopes_text(check.operation_id)} needed for "
            f"{check.purpose} (403); grant it to the private app or OAuth app and copy the "
            "new token (nothing was sent)",
        )
    if isinstance(exc, RateLimitExceededError | ServerError):
        return PreflightError(
            ExitCode.STOPPED,
            f"{base_url} is unavailable (HTTP {exc.status_code} after retries"
            f"{_correlation(exc)}); try again later (nothing was sent)",
        )
    if isinstance(exc, UnexpectedResponseError) and not isinstance(exc, ServerError):
        return PreflightError(
            ExitCode.STOPPED,
            f"{base_url} does not answer like HubSpot's Communication Preferences API "
            f"(HTTP {exc.status_code}, not HubSpot's JSON); check --base-url: scheme, host "
            f"and port only, e.g. {DEFAULT_BASE_URL} (nothing was sent)",
        )
    if isinstance(exc, NotFoundError) and any(d.in_ == "businessUnitId" for d in exc.errors):
        return PreflightError(
            ExitCode.USAGE,
            f"{base_url} has no business unit by that id ({exc.message}); check "
            "--business-unit-id, or leave it out for the account's default (nothing was sent)",
        )
    if isinstance(exc, HubSpotAPIError):
        return PreflightError(
            ExitCode.STOPPED,
            f"{base_url} does not serve this API (HTTP {exc.status_code} "
            f"{exc.category or ''}{_correlation(exc)}); check --base-url: scheme, host and "
            f"port only, e.g. {DEFAULT_BASE_URL} (nothing was sent)".replace(" )", ")"),
        )
    if isinstance(exc, HubSpotConnectionError | HubSpotTimeoutError):
        why = _connection_reason(exc)
        return PreflightError(
            ExitCode.UNREACHABLE,
            f"cannot reach {base_url} ({why}); check --base-url and the network (nothing was sent)",
        )
    return PreflightError(
        ExitCode.STOPPED,
        f"{base_url} did not answer as expected ({type(exc).__name__}: {exc}); check "
        "--base-url (nothing was sent)",
    )


def _correlation(exc: HubSpotAPIError) -> str:
    return f", correlationId {exc.correlation_id}" if exc.correlation_id else ""


def _connection_reason(exc: Exception) -> str:
    cause = exc.__cause__ or exc
    text = str(cause).strip() or type(cause).__name__
    text = text.splitlines()[0]
    if isinstance(exc, HubSpotTimeoutError):
        return f"no answer in time: {text}"
    return text
