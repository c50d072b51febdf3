"""What happened to one contact, and how it is written to the result file."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import orjson


class Outcome(StrEnum):
    UNSUBSCRIBED = "unsubscribed"  # HubSpot reported UNSUBSCRIBE_FROM_ALL_OCCURRED
    ALREADY_UNSUBSCRIBED = "already_unsubscribed"  # HubSpot reported NO_STATUS_CHANGE
    FAILED = "failed"  # not confirmed; `error` says why; a rerun retries it
    INVALID = "invalid"  # not an email address; never sent

    @property
    def confirmed(self) -> bool:
        return self in (Outcome.UNSUBSCRIBED, Outcome.ALREADY_UNSUBSCRIBED)


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """Why a contact was not confirmed: HubSpot's error fields, or ours for local causes."""

    category: str
    message: str
    correlation_id: str | None = None
    http_status: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"category": self.category, "message": self.message}
        if self.correlation_id:
            data["correlationId"] = self.correlation_id
        if self.http_status is not None:
            data["httpStatus"] = self.http_status
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ErrorInfo:
        return cls(
            category=str(data.get("category", "")),
            message=str(data.get("message", "")),
            correlation_id=data.get("correlationId"),
            http_status=data.get("httpStatus"),
        )


@dataclass(frozen=True, slots=True)
class StatusInfo:
    """One subscription status HubSpot returned for the contact (verbose=true)."""

    subscription_id: int
    status: str
    reason: str | None = None
    name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"subscriptionId": self.subscription_id, "status": self.status}
        if self.reason is not None:
            data["setStatusSuccessReason"] = self.reason
        if self.name is not None:
            data["subscriptionName"] = self.name
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StatusInfo:
        return cls(
            subscription_id=int(data["subscriptionId"]),
            status=str(data["status"]),
            reason=data.get("setStatusSuccessReason"),
            name=data.get("subscriptionName"),
        )


@dataclass(frozen=True, slots=True)
class ContactResult:
    """The outcome for one distinct address (or one malformed input line)."""

    address: str
    outcome: Outcome
    statuses: tuple[StatusInfo, ...] = ()
    error: ErrorInfo | None = None
    attempts: int = 0
    line: int | None = None  # first input line (CLI) or position (library)
    content: str | None = None  # the raw input, for invalid lines only
    from_journal: bool = False  # confirmed by an earlier run, not sent again
    verified: bool | None = None  # read back by --verify: opted out or not
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"address": self.address, "outcome": self.outcome.value}
        if self.line is not None:
            data["line"] = self.line
        if self.content is not None:
            data["content"] = self.content
        if self.statuses:
            data["statuses"] = [s.to_dict() for s in self.statuses]
        if self.error is not None:
            data["error"] = self.error.to_dict()
        if self.attempts:
            data["attempts"] = self.attempts
        if self.verified is not None:
            data["verified"] = self.verified
        data.update(self.extra)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ContactResult:
        known = {"address", "outcome", "line", "content", "statuses", "error", "attempts"}
        known.add("verified")
        return cls(
            address=str(data["address"]),
            outcome=Outcome(data["outcome"]),
            statuses=tuple(StatusInfo.from_dict(s) for s in data.get("statuses", ())),
            error=ErrorInfo.from_dict(data["error"]) if data.get("error") else None,
            attempts=int(data.get("attempts", 0)),
            line=data.get("line"),
            content=data.get("content"),
            verified=data.get("verified"),
            extra={k: v for k, v in data.items() if k not in known},
        )

    def to_json(self) -> bytes:
        return orjson.dumps(self.to_dict())


#: What a secret is replaced with (the client's typed errors use the same text).
REDACTED = "[redacted]"


def client_secrets(client: object) -> tuple[str, ...]:
    """The secrets a client sends (its token), to keep out of everything we write."""
    token = getattr(client, "token", None)
    return (token,) if isinstance(token, str) and token else ()


def redact_text(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def _redact_value(value: Any, secrets: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        return redact_text(value, secrets)
    if isinstance(value, Mapping):
        return {k: _redact_value(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(v, secrets) for v in value]
    return value


def redact_result(result: ContactResult, secrets: Iterable[str]) -> ContactResult:
    """`result` with every secret taken out of the texts that came from HubSpot's answer.

    HubSpot's error messages, per-input errors and subscription names are copied into the
    result file; an answer that echoes the request's token must not put it there (README:
    the token never appears in a log line, an error message or a report).
    """
    found = tuple(s for s in secrets if s)
    if not found:
        return result
    error = result.error
    if error is not None:
        error = ErrorInfo(
            redact_text(error.category, found),
            redact_text(error.message, found),
            redact_text(error.correlation_id, found) if error.correlation_id else None,
            error.http_status,
        )
    statuses = tuple(
        StatusInfo(s.subscription_id, s.status, s.reason, redact_text(s.name, found))
        if s.name
        else s
        for s in result.statuses
    )
    return ContactResult(
        address=result.address,
        outcome=result.outcome,
        statuses=statuses,
        error=error,
        attempts=result.attempts,
        line=result.line,
        content=result.content,
        from_journal=result.from_journal,
        verified=result.verified,
        extra=_redact_value(result.extra, found) if result.extra else result.extra,
    )


CSV_FIELDS = (
    "address",
    "outcome",
    "line",
    "reason",
    "error_category",
    "error_message",
    "correlation_id",
    "http_status",
    "statuses",
    "verified",
    "content",
)


def csv_row(result: ContactResult) -> list[str]:
    """A flat row: `reason` is HubSpot's setStatusSuccessReason(s) or the invalid-line reason."""
    reasons = sorted({s.reason for s in result.statuses if s.reason})
    err = result.error
    statuses = (
        orjson.dumps([s.to_dict() for s in result.statuses]).decode() if result.statuses else ""
    )
    return [
        result.address,
        result.outcome.value,
        "" if result.line is None else str(result.line),
        ";".join(reasons) if reasons else (err.message if err and result.content else ""),
        err.category if err else "",
        err.message if err else "",
        (err.correlation_id or "") if err else "",
        "" if err is None or err.http_status is None else str(err.http_status),
        statuses,
        "" if result.verified is None else str(result.verified).lower(),
        result.content or "",
    ]


def jsonl_chunks(documents: Iterable[Mapping[str, Any]]) -> Iterator[bytes]:
    """JSON Lines, a few hundred records per chunk."""
    lines: list[bytes] = []
    for document in documents:
        lines.append(orjson.dumps(document))
        if len(lines) >= 512:
            yield b"\n".join(lines) + b"\n"
            lines = []
    if lines:
        yield b"\n".join(lines) + b"\n"


def csv_chunks(results: Iterable[ContactResult]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for result in results:
        writer.writerow(csv_row(result))
        if buffer.tell() > 1 << 16:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def write_results_atomically(path: Path, results: Iterable[ContactResult]) -> int:
    """JSON Lines, or CSV for a .csv path, written atomically; returns the record count."""
    count = 0

    def counted() -> Iterator[ContactResult]:
        nonlocal count
        for result in results:
            count += 1
            yield result

    if path.suffix.lower() == ".csv":
        write_atomically(path, csv_chunks(counted()))
    else:
        write_atomically(path, jsonl_chunks(r.to_dict() for r in counted()))
    return count


def write_atomically(path: Path, chunks: Iterable[bytes]) -> None:
    """Write to a temporary file beside `path`, fsync, rename over it, fsync the folder.

    A reader never sees a half-written result file: it is the old one or the new one.
    """
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as raw:
            for chunk in chunks:
                raw.write(chunk)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
