"""The resume journal: atomic ingest, job identity, durable outcomes, ordered results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from commprefs_kit.bulk.inputs import Address, Malformed
from commprefs_kit.bulk.journal import Admission, Journal, JournalError
from commprefs_kit.bulk.results import ContactResult, ErrorInfo, Outcome, write_results_atomically

RECORDS = [
    Address(2, "a@example.com"),
    Malformed(3, "junk", "no @"),
    Address(4, "b@example.com"),
    Address(5, "a@example.com"),
]
NOT_CONFIRMED = ErrorInfo("NOT_CONFIRMED", "not confirmed")


def test_ingest_dedupes_and_keeps_malformed_lines(tmp_path: Path) -> None:
    with Journal(tmp_path / "j") as journal:
        stats = journal.ingest(RECORDS)
        counts = journal.counts()
        assert (stats.valid_lines, stats.distinct, stats.duplicates, stats.invalid) == (3, 2, 1, 1)
        assert list(journal.unconfirmed()) == ["a@example.com", "b@example.com"]
        assert counts.pending == 2 and counts.invalid == 1


def test_a_crash_during_ingest_leaves_nothing_half_read(tmp_path: Path) -> None:
    def dying() -> object:
        yield RECORDS[0]
        raise KeyboardInterrupt

    with Journal(tmp_path / "j") as journal, pytest.raises(KeyboardInterrupt):
        journal.ingest(dying())  # type: ignore[arg-type]
    with Journal(tmp_path / "j") as journal:
        assert not journal.ingest_complete and journal.counts().distinct == 0
        journal.ingest(RECORDS)
        assert journal.counts().distinct == 2


def test_a_resume_with_a_different_input_or_job_is_refused(tmp_path: Path) -> None:
    with Journal(tmp_path / "j") as journal:
        journal.bind_job({"input": "a.csv", "businessUnitId": None})
        journal.ingest(RECORDS)
    with Journal(tmp_path / "j") as journal:
        journal.bind_job({"input": "a.csv", "businessUnitId": None})
        journal.ingest(RECORDS)  # same input: accepted, nothing added
        assert journal.counts().duplicates == 1
        with pytest.raises(JournalError, match="input differs"):
            journal.ingest([*RECORDS, Address(9, "c@example.com")])
        assert journal.counts().distinct == 2
    with Journal(tmp_path / "j") as journal, pytest.raises(JournalError, match="businessUnitId"):
        journal.bind_job({"input": "a.csv", "businessUnitId": 5})


def test_one_run_at_a_time(tmp_path: Path) -> None:
    with Journal(tmp_path / "j"), pytest.raises(JournalError, match="another run"):
        Journal(tmp_path / "j")


def test_outcomes_are_durable_and_confirmed_contacts_are_not_sent_again(tmp_path: Path) -> None:
    with Journal(tmp_path / "j") as journal:
        journal.ingest(RECORDS)
        journal.record(
            [
                ContactResult("a@example.com", Outcome.UNSUBSCRIBED, attempts=1),
                ContactResult(
                    "b@example.com", Outcome.FAILED, error=ErrorInfo("X", "boom"), attempts=2
                ),
            ]
        )
    with Journal(tmp_path / "j") as journal:
        assert list(journal.unconfirmed()) == ["b@example.com"]  # failed ones are retried
        journal.begin_run()
        earlier = journal.admit("a@example.com")
        assert isinstance(earlier, ContactResult) and earlier.from_journal
        assert journal.admit("a@example.com") is Admission.DUPLICATE
        assert journal.admit("b@example.com") is Admission.NEW
        assert journal.admit("new@example.com") is Admission.NEW


def test_results_file_has_every_contact_once_in_input_order(tmp_path: Path) -> None:
    with Journal(tmp_path / "j") as journal:
        journal.ingest(RECORDS)
        journal.record([ContactResult("b@example.com", Outcome.ALREADY_UNSUBSCRIBED)])
        written = write_results_atomically(tmp_path / "out.jsonl", journal.results(NOT_CONFIRMED))
        assert write_results_atomically(tmp_path / "out.csv", journal.results(NOT_CONFIRMED)) == 3
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert written == 3
    assert [(r["line"], r["address"], r["outcome"]) for r in rows] == [
        (2, "a@example.com", "failed"),  # never answered: failed, not silently dropped
        (3, "", "invalid"),
        (4, "b@example.com", "already_unsubscribed"),
    ]
    assert rows[0]["duplicates"] == 1 and rows[0]["error"]["category"] == "NOT_CONFIRMED"
    assert rows[1]["content"] == "junk" and rows[1]["error"]["message"] == "no @"
    header = (tmp_path / "out.csv").read_text().splitlines()[0]
    assert header.startswith("address,outcome,line,reason,error_category")
    assert not list(tmp_path.glob(".out*.tmp"))
