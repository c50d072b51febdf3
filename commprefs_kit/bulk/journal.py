"""The resume journal: one SQLite file (stdlib sqlite3, WAL mode, synchronous=NORMAL).

Why SQLite and not an append-only JSON Lines log:
- the journal IS the de-duplication set, on disk: memory stays flat at 10k or 10M
  contacts (an in-memory set of 10M addresses is ~1 GB);
- every batch's outcome is one transaction: it is in the file completely or not at
  all, whatever moment a kill -9 strikes, so a resume never sees half a batch and
  never needs to repair a torn last line;
- "what is left to do" and "write the result file in input order" are indexed
  queries instead of replaying a log.

Durability: in WAL mode a committed transaction survives the process being killed
(it is in the OS's cache); synchronous=NORMAL skips the fsync per commit, which cost
~10 ms per batch here and stalled the event loop. A power cut may lose the last few
commits: the journal can then only lag behind HubSpot, never run ahead of it (we
record only what HubSpot confirmed), so a resume re-sends those contacts, HubSpot
answers NO_STATUS_CHANGE, and they are reported already_unsubscribed. Nothing is
skipped. The result file itself is fsynced and renamed into place.

Rows in `contacts` are distinct normalised addresses. `outcome` NULL means "not yet
confirmed"; 'failed' means "tried and not confirmed" (a rerun tries it again);
'unsubscribed' / 'already_unsubscribed' are final and never sent again.
Malformed input lines are rows of `invalid`, keyed by line number.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import orjson

from commprefs_kit.bulk.inputs import Address, InputRecord, Malformed
from commprefs_kit.bulk.results import ContactResult, ErrorInfo, Outcome

SCHEMA_VERSION = "1"
_CONFIRMED = (Outcome.UNSUBSCRIBED.value, Outcome.ALREADY_UNSUBSCRIBED.value)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS contacts(
    seq INTEGER PRIMARY KEY,
    address TEXT NOT NULL UNIQUE,
    line_no INTEGER,
    duplicates INTEGER NOT NULL DEFAULT 0,
    outcome TEXT,
    result BLOB,
    verified INTEGER,
    verify_note TEXT
);
CREATE INDEX IF NOT EXISTS contacts_todo ON contacts(outcome, seq);
CREATE TABLE IF NOT EXISTS invalid(line_no INTEGER PRIMARY KEY, content TEXT, reason TEXT);
"""
# The statements, named. Outcomes are parameters: the words are `Outcome`'s, not repeated here.
_BEGIN, _COMMIT, _ROLLBACK = "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"
_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")
_CREATE_SEEN = "CREATE TEMP TABLE IF NOT EXISTS seen(address TEXT PRIMARY KEY)"
_GET_META = "SELECT value FROM meta WHERE key = ?"
_SET_META = "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)"
_INGEST_ADDRESS = (
    "INSERT INTO contacts(address, line_no) VALUES (?, ?) "
    "ON CONFLICT(address) DO UPDATE SET duplicates = duplicates + 1"
)
_INGEST_MALFORMED = "INSERT OR REPLACE INTO invalid(line_no, content, reason) VALUES (?, ?, ?)"
_FORGET_SEEN = "DELETE FROM temp.seen"
_SEE = "INSERT OR IGNORE INTO temp.seen(address) VALUES (?)"
_CONFIRMED_RESULT = (
    "SELECT result FROM contacts WHERE address = ? AND outcome IN (?, ?) AND result IS NOT NULL"
)
_RECORD = (
    "INSERT INTO contacts(address, outcome, result) VALUES (?, ?, ?) "
    "ON CONFLICT(address) DO UPDATE SET outcome = excluded.outcome, result = excluded.result"
)
_RECORD_VERIFIED = "UPDATE contacts SET verified = ?, verify_note = ? WHERE address = ?"
_PAGE = "SELECT seq, address FROM contacts WHERE seq > ? AND ({where}) ORDER BY seq LIMIT ?"
_UNCONFIRMED = "outcome IS NULL OR outcome = ?"
_ALL = "1"
_COUNTS = (
    "SELECT COUNT(*), COALESCE(SUM(outcome = ?), 0), COALESCE(SUM(outcome = ?), 0), "
    "COALESCE(SUM(outcome = ?), 0), COALESCE(SUM(outcome IS NULL), 0), "
    "COALESCE(SUM(duplicates), 0), COALESCE(SUM(verified = 1), 0), "
    "COALESCE(SUM(verified = 0), 0) FROM contacts"
)
_COUNT_INVALID = "SELECT COUNT(*) FROM invalid"
_IN_LINE_ORDER = (
    "SELECT k, address, outcome, result, duplicates, verified, verify_note, content, reason "
    "FROM ("
    " SELECT line_no AS k, seq, address, outcome, result, duplicates, verified, verify_note,"
    " NULL AS content, NULL AS reason FROM contacts"
    " UNION ALL"
    " SELECT line_no, 0, '', ?, NULL, 0, NULL, NULL, content, reason FROM invalid"
    ") ORDER BY k, seq"
)


class _Transaction:
    """One write transaction: committed whole, or rolled back on any exception (also
    KeyboardInterrupt, or a COMMIT that fails); a kill -9 leaves it out of the file."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute(_BEGIN)

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        try:
            if kind is None:
                self.db.execute(_COMMIT)
        finally:
            if self.db.in_transaction:
                self.db.execute(_ROLLBACK)


class JournalError(Exception):
    """The journal cannot be used for this run (other job, locked, unreadable)."""


class Admission(Enum):
    NEW = "new"  # send it
    DUPLICATE = "duplicate"  # already seen in this run: drop it


@dataclass(frozen=True, slots=True)
class IngestStats:
    valid_lines: int
    distinct: int
    duplicates: int
    invalid: int
    digest: str


@dataclass(frozen=True, slots=True)
class JournalCounts:
    distinct: int
    unsubscribed: int
    already_unsubscribed: int
    failed: int
    pending: int
    duplicates: int
    invalid: int
    verified_ok: int
    verified_not: int

    @property
    def confirmed(self) -> int:
        return self.unsubscribed + self.already_unsubscribed

    @property
    def to_send(self) -> int:
        return self.failed + self.pending


class Journal:
    """Durable per-contact state of one bulk job; see the module docstring."""

    def __init__(self, path: Path, *, lock: bool = True) -> None:
        self.path = path
        self._lock_fd: int | None = None
        if lock:
            self._take_lock()
        try:
            # Created 0600, like the lock and the result file: it holds email addresses
            # (SQLite gives the -wal and -shm files the same mode).
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            for pragma in _PRAGMAS:
                self._db.execute(pragma)
            self._db.executescript(_SCHEMA)
            # Per-run "seen" set for the library call; temp storage is never fsynced.
            self._db.execute(_CREATE_SEEN)
        except (sqlite3.DatabaseError, OSError) as exc:
            self.close()
            raise JournalError(f"cannot use journal {path}: {exc}") from exc

    def _take_lock(self) -> None:
        fd = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            raise JournalError(f"another run is using the journal {self.path}") from exc
        self._lock_fd = fd

    def close(self) -> None:
        db = getattr(self, "_db", None)
        if db is not None:
            db.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- job identity ---------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self._db.execute(_GET_META, (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, key: str, value: str) -> None:
        self._db.execute(_SET_META, (key, value))

    def bind_job(self, job: Mapping[str, Any]) -> None:
        """Tie the journal to one job; refuse a journal written for another one."""
        wanted = orjson.dumps({"schema": SCHEMA_VERSION, **job}, option=orjson.OPT_SORT_KEYS)
        current = self.meta("job")
        if current is None:
            self._set_meta("job", wanted.decode())
        elif current != wanted.decode():
            theirs = orjson.loads(current)
            diff = sorted(
                k for k in {**theirs, **orjson.loads(wanted)} if theirs.get(k) != job.get(k)
            )
            diff = [k for k in diff if k != "schema"] or ["schema"]
            raise JournalError(
                f"the journal {self.path} belongs to another job (differs in: {', '.join(diff)}); "
                "rerun with the same arguments, pass --fresh to start over, or use another --output"
            )

    @property
    def ingest_complete(self) -> bool:
        return self.meta("ingest_digest") is not None

    # --- ingest (CLI) ---------------------------------------------------------------

    def ingest(self, records: Iterable[InputRecord]) -> IngestStats:
        """Store the whole input in one transaction (a kill leaves nothing half-read).

        On a resume the input is read again and must give the same digest.
        """
        if self.ingest_complete:
            valid, invalid, digest = self._read_input(records, store=False)
            if self.meta("ingest_digest") != digest:
                raise JournalError(
                    f"the input differs from the one the journal {self.path} was made from; "
                    "rerun with the same input, pass --fresh to start over, or use another --output"
                )
        else:
            with _Transaction(self._db):
                valid, invalid, digest = self._read_input(records, store=True)
                self._set_meta("ingest_digest", digest)
        counts = self.counts()
        return IngestStats(valid, counts.distinct, counts.duplicates, invalid, digest)

    def _read_input(self, records: Iterable[InputRecord], *, store: bool) -> tuple[int, int, str]:
        """Count and digest the input; with `store`, write it too (in the caller's transaction)."""
        digest = hashlib.sha256()
        valid = invalid = 0
        for record in records:
            if isinstance(record, Address):
                valid += 1
                digest.update(b"A%d\0%s\n" % (record.line_no, record.address.encode()))
                if store:
                    self._db.execute(_INGEST_ADDRESS, (record.address, record.line_no))
            else:
                invalid += 1
                digest.update(b"M%d\0%s\n" % (record.line_no, record.content.encode()))
                if store:
                    self._db.execute(
                        _INGEST_MALFORMED, (record.line_no, record.content, record.reason)
                    )
        return valid, invalid, digest.hexdigest()

    # --- the library's journal protocol ---------------------------------------------

    def begin_run(self) -> None:
        self._db.execute(_FORGET_SEEN)

    def admit(self, address: str) -> ContactResult | Admission:
        """NEW (send it), DUPLICATE (seen in this run) or its confirmed earlier result."""
        if self._db.execute(_SEE, (address,)).rowcount == 0:
            return Admission.DUPLICATE
        row = self._db.execute(_CONFIRMED_RESULT, (address, *_CONFIRMED)).fetchone()
        if row is not None:
            stored = ContactResult.from_dict(orjson.loads(row[0]))
            return ContactResult(
                address=stored.address,
                outcome=stored.outcome,
                statuses=stored.statuses,
                attempts=stored.attempts,
                from_journal=True,
            )
        return Admission.NEW

    def record(self, results: Sequence[ContactResult]) -> None:
        """Make one batch's outcomes durable, all or nothing."""
        rows = [
            (r.address, r.outcome.value, r.to_json())
            for r in results
            if r.outcome is not Outcome.INVALID and not r.from_journal
        ]
        if not rows:
            return
        with _Transaction(self._db):
            self._db.executemany(_RECORD, rows)

    def record_verified(self, rows: Sequence[tuple[str, bool | None, str | None]]) -> None:
        """Store read-back results: (address, opted out?, note)."""
        with _Transaction(self._db):
            self._db.executemany(
                _RECORD_VERIFIED,
                [(None if ok is None else int(ok), note, address) for address, ok, note in rows],
            )

    # --- reading --------------------------------------------------------------------

    def _addresses(self, where: str, chunk: int, *params: str) -> Iterator[str]:
        """Keyset-paged, so rows updated while we iterate are neither lost nor repeated."""
        query = _PAGE.format(where=where)
        last = 0
        while True:
            rows = self._db.execute(query, (last, *params, chunk)).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            for _, address in rows:
                yield address

    def unconfirmed(self, chunk: int = 1000) -> Iterator[str]:
        """Addresses still to send: never confirmed, or failed in an earlier run."""
        return self._addresses(_UNCONFIRMED, chunk, Outcome.FAILED.value)

    def all_addresses(self, chunk: int = 1000) -> Iterator[str]:
        return self._addresses(_ALL, chunk)

    def counts(self) -> JournalCounts:
        row = self._db.execute(_COUNTS, (*_CONFIRMED, Outcome.FAILED.value)).fetchone()
        (invalid,) = self._db.execute(_COUNT_INVALID).fetchone()
        return JournalCounts(
            distinct=row[0],
            unsubscribed=row[1],
            already_unsubscribed=row[2],
            failed=row[3],
            pending=row[4],
            duplicates=row[5],
            invalid=invalid,
            verified_ok=row[6],
            verified_not=row[7],
        )

    def results(self, not_confirmed: ErrorInfo) -> Iterator[ContactResult]:
        """Every contact once, then every malformed line, in input-line order.

        Contacts never answered (the run stopped) come out as failed with `not_confirmed`.
        """
        for document in self.result_documents(not_confirmed):
            yield ContactResult.from_dict(document)

    def result_documents(self, not_confirmed: ErrorInfo) -> Iterator[dict[str, Any]]:
        """`results()` as the dicts of the JSON Lines file (no dataclass round trip)."""
        missing = {"outcome": Outcome.FAILED.value, "error": not_confirmed.to_dict()}
        cursor = self._db.execute(_IN_LINE_ORDER, (Outcome.INVALID.value,))
        for line, address, outcome, blob, dupes, verified, note, content, reason in cursor:
            if outcome == Outcome.INVALID.value:
                yield {
                    "address": "",
                    "outcome": outcome,
                    "line": line,
                    "content": content,
                    "error": {"category": "INVALID_INPUT", "message": reason},
                }
                continue
            stored: dict[str, Any] = missing if blob is None else orjson.loads(blob)
            document: dict[str, Any] = {"address": address, "outcome": stored["outcome"]}
            if line is not None:
                document["line"] = line
            document.update((k, v) for k, v in stored.items() if k not in _OWN_KEYS)
            if dupes:
                document["duplicates"] = dupes
            if verified is not None:
                document["verified"] = bool(verified)
            if note:
                document["verifyNote"] = note
            yield document


_OWN_KEYS = frozenset({"address", "outcome", "line", "verified"})


def journal_path_for(output: Path) -> Path:
    return output.with_name(output.name + ".journal")


def remove_journal(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


__all__ = [
    "Admission",
    "IngestStats",
    "Journal",
    "JournalCounts",
    "JournalError",
    "Malformed",
    "journal_path_for",
    "remove_journal",
]
