"""In-memory state: statuses per subscriber and subscription, wide opt-outs per business unit.

Callers hold ``Store.lock`` around each request's reads and writes, so that a request sees
and leaves a consistent state even when a server runs handlers on several threads.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from mock_server import semantics as sem
from mock_server.fixtures import Definition, Fixtures


@dataclass(slots=True)
class StatusRecord:
    """One subscription's status; never changed once made (a change makes a new record)."""

    status: str
    source: str
    legal_basis: str | None
    explanation: str | None
    timestamp: str
    json: bytes | None = None  # encoded fields, filled in by serialize.StatusJson


@dataclass(slots=True)
class WideRecord:
    wide_type: str
    timestamp: str


class Store:
    def __init__(self, fixtures: Fixtures) -> None:
        self.lock = threading.Lock()
        self.fixtures = fixtures
        # subscriber key -> subscription id -> record
        self.statuses: dict[str, dict[int, StatusRecord]] = {}
        # business unit id -> subscriber key -> wide opt-out (unit first: a batch asks one unit)
        self.wide: dict[int, dict[str, WideRecord]] = {}

    def replace(self, fixtures: Fixtures) -> None:
        """New definitions; all statuses are forgotten (they named the old definitions)."""
        self.fixtures = fixtures
        self.statuses.clear()
        self.wide.clear()

    # -- reads -----------------------------------------------------------------------------
    def statuses_in_unit(self, key: str, unit: int) -> list[tuple[Definition, StatusRecord | None]]:
        records = self.statuses.get(key, {})
        return [(d, records.get(d.id)) for d in self.fixtures.units.get(unit, ())]

    def wide_status(self, key: str, unit: int) -> WideRecord | None:
        return self.wide.get(unit, {}).get(key)

    # -- writes ----------------------------------------------------------------------------
    def write(
        self,
        key: str,
        definition: Definition,
        wanted: str,
        legal_basis: str | None,
        explanation: str | None,
        now: str,
    ) -> tuple[StatusRecord | None, str]:
        """Set one subscription's status; returns the record (None: never set) and the reason."""
        records = self.statuses.setdefault(key, {})
        current = records.get(definition.id)
        reason = sem.success_reason(current.status if current else sem.NOT_SPECIFIED, wanted)
        if reason == sem.NO_STATUS_CHANGE:
            return current, reason
        record = StatusRecord(wanted, sem.SOURCE_API, legal_basis, explanation, now)
        records[definition.id] = record
        if sem.RESUBSCRIBE_ENDS_WIDE_OPT_OUT and wanted != sem.UNSUBSCRIBED:
            self.wide.get(definition.business_unit_id, {}).pop(key, None)
        return record, reason

    def unsubscribe_all(
        self, key: str, unit: int, now: str, *, details: bool
    ) -> list[tuple[Definition, StatusRecord, str]]:
        """Opt ``key`` out of every subscription of ``unit`` and record the wide status.

        Returns each subscription with its reason when ``details`` is set (else an empty list).
        While a wide opt-out is on record every subscription of the unit is UNSUBSCRIBED, so a
        repeat without details is answered without touching the records.
        """
        wide = self.wide.setdefault(unit, {})
        definitions = self.fixtures.units.get(unit, ())
        if key in wide:
            if not details:
                return []
            done = self.statuses[key]
            return [(d, done[d.id], sem.NO_STATUS_CHANGE) for d in definitions]
        records = self.statuses.setdefault(key, {})
        out: list[tuple[Definition, StatusRecord, str]] = []
        for definition in definitions:
            record = records.get(definition.id)
            if record is not None and record.status == sem.UNSUBSCRIBED:
                reason = sem.NO_STATUS_CHANGE
            else:
                record = StatusRecord(sem.UNSUBSCRIBED, sem.SOURCE_UNSUBSCRIBE_ALL, None, None, now)
                records[definition.id] = record
                reason = sem.UNSUBSCRIBE_FROM_ALL_OCCURRED
            if details:
                out.append((definition, record, reason))
        if key not in wide:
            wide[key] = WideRecord(sem.wide_status_type(unit), now)
        return out

    def unsubscribe_all_quiet(self, emails: list[str], unit: int, now: str) -> None:
        """``unsubscribe_all`` without details for many subscribers (the hot batch path)."""
        # Set arithmetic in C: only subscribers not yet opted out need any work.
        pending = set(map(sem.subscriber_key, emails)) - self.wide.get(unit, {}).keys()
        for key in pending:
            self.unsubscribe_all(key, unit, now, details=False)

    # -- test hook ---------------------------------------------------------------------------
    def dump(self) -> dict[str, Any]:
        subscribers: dict[str, Any] = {}
        wide_by_key: dict[str, dict[int, WideRecord]] = {}
        for unit, records in self.wide.items():
            for key, record in records.items():
                wide_by_key.setdefault(key, {})[unit] = record
        for key in sorted(set(self.statuses) | set(wide_by_key)):
            statuses = self.statuses.get(key, {})
            wide = wide_by_key.get(key, {})
            if not statuses and not wide:
                continue
            subscribers[key] = {
                "statuses": {
                    str(sub_id): {
                        "status": r.status,
                        "source": r.source,
                        "legalBasis": r.legal_basis,
                        "legalBasisExplanation": r.explanation,
                        "timestamp": r.timestamp,
                        "businessUnitId": self.fixtures.by_id[sub_id].business_unit_id,
                    }
                    for sub_id, r in sorted(statuses.items())
                },
                "wideStatuses": {
                    str(unit): {"wideStatusType": w.wide_type, "timestamp": w.timestamp}
                    for unit, w in sorted(wide.items())
                },
            }
        return {
            "businessUnits": {
                str(unit): [d.api for d in defs] for unit, defs in self.fixtures.units.items()
            },
            "subscribers": subscribers,
        }
