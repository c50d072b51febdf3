"""PublicStatus JSON from cached fragments.

A status record never changes once made (a change makes a new record), so the JSON of its
fields is encoded once and spliced into every answer that shows it; only the subscriber's
spelling and the write's reason differ per answer. Keys keep one order for all answers.
"""

from __future__ import annotations

from collections.abc import Iterable

import orjson

from mock_server import semantics as sem
from mock_server.fixtures import Definition
from mock_server.store import StatusRecord

_REASONS: dict[str | None, bytes] = {
    None: b"",
    **{
        reason: b',"setStatusSuccessReason":"%s"' % reason.encode()
        for reason in (
            sem.NO_STATUS_CHANGE,
            sem.REQUESTED_CHANGE_OCCURRED,
            sem.RESUBSCRIBE_OCCURRED,
            sem.UNSUBSCRIBE_FROM_ALL_OCCURRED,
        )
    },
}
_HEAD = b'{"subscriberIdString":'

Row = tuple[Definition, StatusRecord | None, str | None]


def _fields(d: Definition, record: StatusRecord | None) -> bytes:
    if record is None:
        out: dict[str, object] = {
            "channel": sem.CHANNEL,
            "source": sem.SOURCE_DEFAULT,
            "status": sem.NOT_SPECIFIED,
            "subscriptionId": d.id,
            "timestamp": d.created_at,
            "businessUnitId": d.business_unit_id,
            "subscriptionName": d.name,
        }
    else:
        out = {
            "channel": sem.CHANNEL,
            "source": record.source,
            "status": record.status,
            "subscriptionId": d.id,
            "timestamp": record.timestamp,
            "businessUnitId": d.business_unit_id,
            "subscriptionName": d.name,
        }
        if record.legal_basis is not None:
            out["legalBasis"] = record.legal_basis
        if record.explanation is not None:
            out["legalBasisExplanation"] = record.explanation
    return orjson.dumps(out)[1:-1]


class StatusJson:
    """Encodes PublicStatus items; holds the fragments of never-set statuses per definition."""

    def __init__(self) -> None:
        self._unset: dict[int, bytes] = {}

    def forget(self) -> None:
        """Definitions changed: drop the cached fragments of never-set statuses."""
        self._unset.clear()

    def _fragment(self, d: Definition, record: StatusRecord | None) -> bytes:
        if record is None:
            cached = self._unset.get(d.id)
            if cached is None:
                cached = self._unset[d.id] = _fields(d, None)
            return cached
        if record.json is None:
            record.json = _fields(d, record)
        return record.json

    def items(self, email: str, rows: Iterable[Row]) -> bytes:
        """A JSON array of PublicStatus items of one subscriber (one join, no per-item dict)."""
        fragment = self._fragment
        tails = [
            (r.json if r is not None and r.json is not None else fragment(d, r)) + _REASONS[why]
            for d, r, why in rows
        ]
        if not tails:
            return b"[]"
        head = _HEAD + orjson.dumps(email) + b","
        return b"[" + head + (b"}," + head).join(tails) + b"}]"

    def one(
        self, email: str, d: Definition, record: StatusRecord | None, reason: str | None
    ) -> bytes:
        return (
            _HEAD + orjson.dumps(email) + b"," + self._fragment(d, record) + _REASONS[reason] + b"}"
        )


def join(items: Iterable[bytes]) -> bytes:
    """A JSON array of already encoded items."""
    return b"[" + b",".join(items) + b"]"


def bulk_item(email: str, key: bytes, array: bytes) -> bytes:
    """``{"subscriberIdString": email, <key>: <array>}``."""
    return _HEAD + orjson.dumps(email) + b',"' + key + b'":' + array + b"}"
