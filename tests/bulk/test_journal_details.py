"""Details of the resume journal that the results file, a resume and a failure show (found by
mutation testing): file modes and locking, job identity, the input digest, admission of earlier
results, read-back records, paging, counts and the result documents."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import orjson
import pytest

from commprefs_kit.bulk.inputs import Address, Malformed
from commprefs_kit.bulk.journal import (
    Admission,
    Journal,
    JournalCounts,
    JournalError,
    journal_path_for,
    remove_journal,
)
from commprefs_kit.bulk.results import ContactResult, ErrorInfo, Outcome, StatusInfo

RECORDS = [
    Address(2, "a@example.com"),
    Malformed(3, "junk", "no @"),
    Address(4, "b@example.com"),
    Address(5, "a@example.com"),
]
NOT_CONFIRMED = ErrorInfo("NOT_CONFIRMED", "not confirmed", "corr-1", 503)
STATUS = StatusInfo(7, "UNSUBSCRIBED", "UNSUBSCRIBE_FROM_ALL_OCCURRED", "Newsletter")


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


# --- the file, its lock, and failing to open it -----------------------------------------------


def test_the_journal_and_its_lock_are_private_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "j"
    with Journal(path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(Path(f"{path}.lock").stat().st_mode) == 0o600
        with sqlite3.connect(path) as other:
            assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_lock_is_released_on_close_and_close_twice_is_harmless(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j")
    journal.close()
    journal.close()
    with pytest.raises(sqlite3.ProgrammingError):
        journal.counts()  # the connection is closed too
    with Journal(tmp_path / "j") as again:  # not "another run"
        assert again.counts().distinct == 0


def test_without_the_lock_two_journals_may_share_a_file(tmp_path: Path) -> None:
    with Journal(tmp_path / "j"), Journal(tmp_path / "j", lock=False) as reader:
        assert reader.counts().distinct == 0
    assert not Path(f"{tmp_path / 'k'}.lock").exists()
    with Journal(tmp_path / "k", lock=False):
        assert not Path(f"{tmp_path / 'k'}.lock").exists()


def test_a_refused_lock_leaks_no_file_descriptor(tmp_path: Path) -> None:
    with Journal(tmp_path / "j"):
        before = _open_fds()
        for _ in range(3):
            with pytest.raises(JournalError) as refused:
                Journal(tmp_path / "j")
        assert _open_fds() == before
    assert str(refused.value) == f"another run is using the journal {tmp_path / 'j'}"


def test_an_unreadable_journal_is_refused_and_releases_its_lock(tmp_path: Path) -> None:
    path = tmp_path / "j"
    path.write_bytes(b"this is not an SQLite database, just some text " * 100)
    before = _open_fds()
    for _ in range(2):  # the second try is refused for the same reason, not "another run"
        with pytest.raises(JournalError, match=r"^cannot use journal ") as refused:
            Journal(path)
        assert str(path) in str(refused.value)
        assert isinstance(refused.value.__cause__, sqlite3.DatabaseError)
    assert _open_fds() == before


def test_a_journal_that_cannot_be_created_is_refused_and_releases_its_lock(tmp_path: Path) -> None:
    path = tmp_path / "j"
    path.mkdir()  # a folder where the file should be
    for _ in range(2):  # the second try is refused for the same reason, not "another run"
        with pytest.raises(JournalError, match=r"^cannot use journal ") as refused:
            Journal(path)
        assert isinstance(refused.value.__cause__, IsADirectoryError)


def test_a_journal_can_be_used_from_another_thread(tmp_path: Path) -> None:
    with Journal(tmp_path / "j") as journal:
        journal.ingest(RECORDS)
        with ThreadPoolExecutor(1) as pool:
            counts = pool.submit(journal.counts).result()
    assert counts.distinct == 2


# --- job identity -----------------------------------------------------------------------------


def test_the_same_job_is_accepted_again_and_another_is_refused_naming_what_differs(
    tmp_path: Path,
) -> None:
    job = {"input": "a.csv", "businessUnitId": None, "column": "email"}
    with Journal(tmp_path / "j") as journal:
        assert journal.meta("job") is None
        journal.bind_job(job)
        stored = journal.meta("job")
        assert stored is not None and orjson.loads(stored) == {"schema": "1", **job}
        journal.bind_job(dict(reversed(job.items())))  # key order does not matter
        with pytest.raises(JournalError) as refused:
            journal.bind_job({"input": "b.csv", "businessUnitId": 5, "extra": True})
    assert str(refused.value) == (
        f"the journal {tmp_path / 'j'} belongs to another job "
        "(differs in: businessUnitId, column, extra, input); rerun with the same arguments, "
        "pass --fresh to start over, or use another --output"
    )


def test_a_journal_of_another_schema_is_refused_naming_the_schema(tmp_path: Path) -> None:
    job = {"input": "a.csv"}
    with Journal(tmp_path / "j") as journal:
        journal._set_meta("job", orjson.dumps({"schema": "0", **job}).decode())
        with pytest.raises(JournalError, match=r"\(differs in: schema\);"):
            journal.bind_job(job)


# --- ingest -----------------------------------------------------------------------------------


def _digest(*parts: bytes) -> str:
    return hashlib.sha256(b"".join(parts)).hexdigest()


def test_the_input_digest_is_stable_across_versions(tmp_path: Path) -> None:
    """A resume compares the digest with the one an earlier run (maybe an earlier version of
    this tool) stored: its format must not change."""
    with Journal(tmp_path / "j") as journal:
        stats = journal.ingest(RECORDS)
        assert journal.ingest_complete and journal.meta("ingest_digest") == stats.digest
    assert stats.digest == _digest(
        b"A2\0a@example.com\n", b"M3\0junk\n", b"A4\0b@example.com\n", b"A5\0a@example.com\n"
    )
    assert (stats.valid_lines, stats.distinct, stats.duplicates, stats.invalid) == (3, 2, 1, 1)


@pytest.mark.parametrize(
    "changed",
    [
        [Address(2, "a@example.com"), Malformed(3, "junk", "no @"), Address(4, "b@example.com")],
        [*RECORDS[:3], Address(6, "a@example.com")],  # same address, another line
        [RECORDS[0], Malformed(3, "junk!", "no @"), *RECORDS[2:]],  # another malformed line
    ],
)
def test_a_resume_with_an_input_that_differs_in_any_line_is_refused(
    tmp_path: Path, changed: list[Address | Malformed]
) -> None:
    with Journal(tmp_path / "j") as journal:
        journal.ingest(RECORDS)
    with Journal(tmp_path / "j") as journal:
        resumed = journal.ingest(RECORDS)
        assert (resumed.valid_lines, resumed.invalid) == (3, 1)
        with pytest.raises(JournalError) as refused:
            journal.ingest(changed)
        assert journal.counts().invalid == 1 and journal.counts().distinct == 2
    assert str(refused.value) == (
        f"the input differs from the one the journal {tmp_path / 'j'} was made from; "
        "rerun with the same input, pass --fresh to start over, or use another --output"
    )


def test_after_a_failed_ingest_the_same_journal_ingests_again(tmp_path: Path) -> None:
    def dying() -> Any:
        yield RECORDS[0]
        raise KeyboardInterrupt

    with Journal(tmp_path / "j") as journal:
        with pytest.raises(KeyboardInterrupt):
            journal.ingest(dying())
        assert not journal.ingest_complete and journal.counts().distinct == 0
        journal.ingest(RECORDS)  # no transaction was left open
        assert journal.ingest_complete and journal.counts().distinct == 2


def test_an_ingest_keeps_the_first_line_of_each_address(tmp_path: Path) -> None:
    with Journal(tmp_path / "j") as journal:
        journal.ingest(RECORDS)
        lines = {d["address"]: d["line"] for d in journal.result_documents(NOT_CONFIRMED)}
    assert lines == {"a@example.com": 2, "": 3, "b@example.com": 4}


# --- admission and records --------------------------------------------------------------------


def test_a_confirmed_contact_is_admitted_with_its_statuses_and_attempts(tmp_path: Path) -> None:
    earlier = ContactResult(
        "a@example.com", Outcome.ALREADY_UNSUBSCRIBED, statuses=(STATUS,), attempts=2, line=9
    )
    with Journal(tmp_path / "j") as journal:
        journal.record([earlier])
        journal.begin_run()
        admitted = journal.admit("a@example.com")
    assert admitted == ContactResult(
        "a@example.com",
        Outcome.ALREADY_UNSUBSCRIBED,
        statuses=(STATUS,),
        attempts=2,
        from_journal=True,
    )


def test_a_new_run_forgets_what_the_last_run_saw(tmp_path: Path) -> None:
    with Journal(tmp_path / "j") as journal:
        journal.begin_run()
        assert journal.admit("a@example.com") is Admission.NEW
        assert journal.admit("a@example.com") is Admission.DUPLICATE
        journal.begin_run()
        assert journal.admit("a@example.com") is Admission.NEW


def test_invalid_and_journal_results_are_not_recorded(tmp_path: Path) -> None:
    with Journal(tmp_path / "j") as journal:
        journal.record(
            [
                ContactResult("", Outcome.INVALID, line=3, content="junk"),
                ContactResult("a@example.com", Outcome.UNSUBSCRIBED, from_journal=True),
            ]
        )
        journal.record([])
        assert journal.counts().distinct == 0
        journal.record([ContactResult("b@example.com", Outcome.FAILED)])
        journal.record([ContactResult("b@example.com", Outcome.UNSUBSCRIBED, attempts=2)])
        assert list(journal.all_addresses()) == ["b@example.com"]
        assert journal.counts().unsubscribed == 1 and journal.counts().failed == 0


class _FailingWrites:
    """The journal's connection, whose batch writes fail after writing (a full disk, say)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __getattr__(self, name: str) -> Any:
        return getattr(self.db, name)

    def executemany(self, sql: str, rows: Any) -> None:
        self.db.executemany(sql, rows)
        raise sqlite3.OperationalError("database or disk is full")


def test_a_failed_record_writes_nothing_and_leaves_no_transaction_open(tmp_path: Path) -> None:
    with Journal(tmp_path / "j") as journal:
        journal.ingest(RECORDS)
        real = journal._db
        journal._db = _FailingWrites(real)  # type: ignore[assignment]
        with pytest.raises(sqlite3.OperationalError, match="disk is full"):
            journal.record([ContactResult("a@example.com", Outcome.UNSUBSCRIBED)])
        with pytest.raises(sqlite3.OperationalError, match="disk is full"):
            journal.record_verified([("a@example.com", True, None)])
        journal._db = real
        assert not real.in_transaction
        assert journal.counts().unsubscribed == 0 and journal.counts().verified_ok == 0
        journal.record([ContactResult("a@example.com", Outcome.UNSUBSCRIBED)])
        journal.record_verified([("a@example.com", True, None)])
        assert journal.counts().unsubscribed == 1 and journal.counts().verified_ok == 1


# --- reading ----------------------------------------------------------------------------------


def test_paging_loses_and_repeats_nothing_while_rows_change(tmp_path: Path) -> None:
    addresses = [f"u{i}@example.com" for i in range(7)]
    with Journal(tmp_path / "j") as journal:
        journal.ingest(Address(n, a) for n, a in enumerate(addresses, start=1))
        seen = []
        for address in journal.unconfirmed(chunk=2):
            seen.append(address)
            journal.record([ContactResult(address, Outcome.UNSUBSCRIBED)])  # leaves the query
        assert seen == addresses
        assert list(journal.all_addresses(chunk=3)) == addresses
        assert list(journal.unconfirmed(chunk=1)) == []


def test_counts_of_every_kind(tmp_path: Path) -> None:
    with Journal(tmp_path / "j") as journal:
        assert journal.counts() == JournalCounts(0, 0, 0, 0, 0, 0, 0, 0, 0)
        stats = journal.ingest(
            [
                Address(1, "a@example.com"),
                Address(2, "b@example.com"),
                Address(3, "c@example.com"),
                Address(4, "d@example.com"),
                Address(5, "e@example.com"),
                Address(6, "a@example.com"),
                Address(7, "a@example.com"),
                Address(8, "b@example.com"),
                Malformed(9, "x", "no @"),
                Malformed(10, "y", "no @"),
            ]
        )
        journal.record(
            [
                ContactResult("a@example.com", Outcome.UNSUBSCRIBED),
                ContactResult("b@example.com", Outcome.ALREADY_UNSUBSCRIBED),
                ContactResult("c@example.com", Outcome.ALREADY_UNSUBSCRIBED),
                ContactResult("d@example.com", Outcome.FAILED),
            ]
        )
        journal.record_verified(
            [
                ("a@example.com", True, None),
                ("b@example.com", False, "x"),
                ("c@example.com", None, "y"),
            ]
        )
        counts = journal.counts()
    assert counts == JournalCounts(
        distinct=5,
        unsubscribed=1,
        already_unsubscribed=2,
        failed=1,
        pending=1,
        duplicates=3,
        invalid=2,
        verified_ok=1,
        verified_not=1,
    )
    assert (counts.confirmed, counts.to_send) == (3, 2)
    assert (stats.valid_lines, stats.distinct, stats.duplicates, stats.invalid) == (8, 5, 3, 2)


def test_result_documents_in_input_order_with_their_read_back(tmp_path: Path) -> None:
    with Journal(tmp_path / "j") as journal:
        journal.ingest(
            [
                Address(2, "a@example.com"),
                Malformed(3, "junk", "no @"),
                Address(4, "b@example.com"),
                Address(5, "c@example.com"),
                Address(6, "a@example.com"),
            ]
        )
        journal.record(
            [
                # The engine's line is the position in its input; the journal's is the file's.
                ContactResult(
                    "a@example.com",
                    Outcome.UNSUBSCRIBED,
                    statuses=(STATUS,),
                    attempts=1,
                    line=99,
                    verified=False,
                ),
                ContactResult("b@example.com", Outcome.FAILED, error=ErrorInfo("X", "boom")),
                # Sent by the library, never ingested: no line, first in the file.
                ContactResult("z@example.com", Outcome.UNSUBSCRIBED),
            ]
        )
        journal.record_verified(
            [("a@example.com", True, "read back"), ("b@example.com", False, "")]
        )
        documents = list(journal.result_documents(NOT_CONFIRMED))
        results = list(journal.results(NOT_CONFIRMED))
    assert documents == [
        {"address": "z@example.com", "outcome": "unsubscribed"},
        {
            "address": "a@example.com",
            "outcome": "unsubscribed",
            "line": 2,
            "statuses": [STATUS.to_dict()],
            "attempts": 1,
            "duplicates": 1,
            "verified": True,
            "verifyNote": "read back",
        },
        {
            "address": "",
            "outcome": "invalid",
            "line": 3,
            "content": "junk",
            "error": {"category": "INVALID_INPUT", "message": "no @"},
        },
        {
            "address": "b@example.com",
            "outcome": "failed",
            "line": 4,
            "error": {"category": "X", "message": "boom"},
            "verified": False,
        },
        {
            "address": "c@example.com",
            "outcome": "failed",
            "line": 5,
            "error": {
                "category": "NOT_CONFIRMED",
                "message": "not confirmed",
                "correlationId": "corr-1",
                "httpStatus": 503,
            },
        },
    ]
    assert [r.to_dict() for r in results] == documents
    assert results[1].statuses == (STATUS,) and results[1].verified is True


# --- paths ------------------------------------------------------------------------------------


def test_the_journal_sits_beside_the_output_and_is_removed_with_its_wal(tmp_path: Path) -> None:
    output = tmp_path / "out" / "results.jsonl"
    assert journal_path_for(output) == tmp_path / "out" / "results.jsonl.journal"
    path = tmp_path / "j"
    for name in ("j", "j-wal", "j-shm", "j.lock", "jx"):
        (tmp_path / name).write_text("")
    remove_journal(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["j.lock", "jx"]
    remove_journal(path)  # already gone: fine
