"""The command as a user runs it: a subprocess against the mock served on a real port."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx
from bulk_testing import TOKEN, ServedMock, cli, cli_env, read_results

from commprefs_kit.bulk.exitcodes import ExitCode

MESSY = (
    b"\xef\xbb\xbfName,Email,Note\n"
    b"Ann,Ann@Example.COM,hi\n"
    b"\n"
    b'Bob," bob@example.com ","said ""hi"""\n'
    b"Bob again,BOB@EXAMPLE.COM,same contact\n"
    b'Broken,"carl@example.com,never closed\n'
    b"Dan,dan@example.com,after the broken line\n"
    b"Eve,not-an-email,x\n"
    b"Fay\n"
    b"  Gus  ,  gus@example.com  ,spaces\n"
)


def text(result: subprocess.CompletedProcess[bytes]) -> str:
    return result.stdout.decode() + result.stderr.decode()


def test_messy_csv_end_to_end(tmp_path: Path, serve_mock: Callable[..., ServedMock]) -> None:
    mock = serve_mock("--fault-rate", "0.2", "--seed", "5", "--latency-ms", "10")
    (tmp_path / "optouts.csv").write_bytes(MESSY)
    run = cli("optouts.csv", "--base-url", mock.url, "--rate", "off", cwd=tmp_path)
    assert run.returncode == ExitCode.INVALID_INPUT, text(run)
    rows = read_results(tmp_path / "optouts.results.jsonl")
    contacts = [r for r in rows if r["outcome"] != "invalid"]
    assert sorted(r["address"] for r in contacts) == [
        "ann@example.com",
        "bob@example.com",
        "dan@example.com",
        "gus@example.com",
    ]
    assert all(r["outcome"] == "unsubscribed" for r in contacts)
    assert next(r for r in contacts if r["address"] == "bob@example.com")["duplicates"] == 1
    invalid = {r["line"]: r for r in rows if r["outcome"] == "invalid"}
    assert sorted(invalid) == [6, 8, 9]
    assert invalid[8]["content"] == "Eve,not-an-email,x"
    assert invalid[8]["error"]["message"] == "no @"
    assert mock.opted_out() == {r["address"] for r in contacts}
    out = text(run)
    assert "Malformed lines (3" in out and "unbalanced quote" in out
    assert TOKEN not in out
    for path in tmp_path.iterdir():
        assert TOKEN.encode() not in path.read_bytes(), path


def test_dry_run_sends_nothing(tmp_path: Path, serve_mock: Callable[..., ServedMock]) -> None:
    mock = serve_mock()
    lines = "\n".join(f"user{i}@example.com" for i in range(2_500)) + "\nUSER1@example.com\n"
    (tmp_path / "list.txt").write_text(lines)
    run = cli(
        "list.txt",
        "--dry-run",
        "--base-url",
        mock.url,
        "--rate",
        "100/10s",
        "--verify",
        cwd=tmp_path,
        token=None,
    )
    out = text(run)
    assert run.returncode == 0, out
    assert "2,500 distinct (1 duplicates)" in out
    assert "25 batch(es)" in out and "50 (without retries)" in out
    assert "estimated time" in out and "dry run: nothing was sent" in out
    assert mock.state()["requestCount"] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["list.txt"]


def test_wrong_scope_is_refused_before_sending(
    tmp_path: Path, serve_mock: Callable[..., ServedMock]
) -> None:
    mock = serve_mock("--token", "weak=communication_preferences.read", "--token", f"{TOKEN}")
    (tmp_path / "list.txt").write_text("\n".join(f"u{i}@example.com" for i in range(2_000)))
    run = cli("list.txt", "--base-url", mock.url, "--rate", "off", cwd=tmp_path, token="weak")
    err = run.stderr.decode()
    assert run.returncode == ExitCode.SCOPES, err
    assert len(err.splitlines()) == 1 and "communication_preferences.statuses.batch.write" in err
    assert mock.state()["requestCount"] == 1  # the preflight's empty batch, nothing else
    assert sorted(p.name for p in tmp_path.iterdir()) == ["list.txt"]


def test_scope_lost_mid_run_stops_at_once_then_a_rerun_resumes(
    tmp_path: Path, serve_mock: Callable[..., ServedMock]
) -> None:
    mock = serve_mock()
    # The preflight's empty batch is served as usual; the first real batch gets a 403.
    httpx.post(
        f"{mock.url}/_mock/queue",
        json={
            "operationId": "batch_unsubscribe_all",
            "answers": [{"status": 200}, {"status": 403}],
        },
    ).raise_for_status()
    (tmp_path / "list.txt").write_text("\n".join(f"u{i}@example.com" for i in range(2_000)))
    args = ["list.txt", "--base-url", mock.url, "--rate", "off", "--concurrency", "1"]
    run = cli(*args, cwd=tmp_path)
    out = text(run)
    assert run.returncode == ExitCode.SCOPES, out
    assert out.count("stopped:") == 1
    assert "communication_preferences.statuses.batch.write" in out
    assert mock.state()["requestCount"] == 2  # preflight and the refused batch: not 20 batches
    rows = read_results(tmp_path / "list.results.jsonl")
    assert len(rows) == 2_000
    assert {r["error"]["category"] for r in rows} == {"NOT_CONFIRMED"}

    again = cli(*args, cwd=tmp_path)
    assert again.returncode == ExitCode.OK, text(again)
    rows = read_results(tmp_path / "list.results.jsonl")
    assert len(rows) == 2_000 and {r["outcome"] for r in rows} == {"unsubscribed"}


def test_bad_or_missing_token(tmp_path: Path, serve_mock: Callable[..., ServedMock]) -> None:
    mock = serve_mock()
    (tmp_path / "list.txt").write_text("a@example.com\n")
    run = cli("list.txt", "--base-url", mock.url, cwd=tmp_path, token="not-a-known-token")
    assert run.returncode == ExitCode.AUTHENTICATION, text(run)
    assert "not-a-known-token" not in text(run)
    run = cli("list.txt", "--base-url", mock.url, cwd=tmp_path, token=None)
    assert run.returncode == ExitCode.USAGE
    assert "HUBSPOT_ACCESS_TOKEN" in text(run)
    (tmp_path / "token").write_text(f"{TOKEN}\n")
    run = cli("list.txt", "--base-url", mock.url, "--token-file", "token", cwd=tmp_path, token=None)
    assert run.returncode == ExitCode.OK, text(run)


def test_stdin_csv_output_and_verify(tmp_path: Path, serve_mock: Callable[..., ServedMock]) -> None:
    mock = serve_mock()
    data = b"email\n" + b"".join(b"p%d@example.com\n" % i for i in range(300))
    run = cli(
        "-",
        "--output",
        "out.csv",
        "--base-url",
        mock.url,
        "--rate",
        "off",
        "--verify",
        cwd=tmp_path,
        stdin=data,
    )
    assert run.returncode == ExitCode.OK, text(run)
    lines = (tmp_path / "out.csv").read_text().splitlines()
    assert len(lines) == 301 and lines[1].startswith("p0@example.com,unsubscribed,2,")
    assert all(line.split(",")[-2:] == ["true", ""] for line in lines[1:])

    # Someone resubscribes a contact afterwards: --verify-only reports it.
    httpx.post(
        f"{mock.url}/communication-preferences/2026-03/statuses/p7@example.com",
        headers={"Authorization": f"Bearer {TOKEN}"},
        json={
            "channel": "EMAIL",
            "statusState": "SUBSCRIBED",
            "subscriptionId": 100001,
            "legalBasis": "CONSENT_WITH_NOTICE",
            "legalBasisExplanation": "asked again",
        },
    ).raise_for_status()
    check = cli(
        "-",
        "--output",
        "out.csv",
        "--base-url",
        mock.url,
        "--verify-only",
        cwd=tmp_path,
        stdin=data,
    )
    assert check.returncode == ExitCode.NOT_OPTED_OUT, text(check)
    rows = {line.split(",")[0]: line for line in (tmp_path / "out.csv").read_text().splitlines()}
    assert rows["p7@example.com"].split(",")[-2] == "false"
    assert re.search(r"NOT opted out / unreadable\s+1\b", text(check))


def test_journal_of_another_job_is_refused(
    tmp_path: Path, serve_mock: Callable[..., ServedMock]
) -> None:
    mock = serve_mock()
    (tmp_path / "list.txt").write_text("a@example.com\n")
    assert cli("list.txt", "--base-url", mock.url, cwd=tmp_path).returncode == 0
    run = cli("list.txt", "--base-url", mock.url, "--business-unit-id", "1", cwd=tmp_path)
    assert run.returncode == ExitCode.USAGE and "another job" in text(run)
    (tmp_path / "list.txt").write_text("a@example.com\nb@example.com\n")
    run = cli("list.txt", "--base-url", mock.url, cwd=tmp_path)
    assert run.returncode == ExitCode.USAGE and "input differs" in text(run)
    run = cli("list.txt", "--base-url", mock.url, "--fresh", cwd=tmp_path)
    assert run.returncode == ExitCode.OK, text(run)


def _confirmed_in(journal: Path) -> int:
    if not journal.exists():
        return 0
    try:
        with sqlite3.connect(journal, timeout=1) as db:
            (count,) = db.execute(
                "SELECT COUNT(*) FROM contacts WHERE outcome IS NOT NULL"
            ).fetchone()
            return int(count)
    except sqlite3.Error:
        return 0


def test_kill_9_at_two_moments_then_resume(
    tmp_path: Path, serve_mock: Callable[..., ServedMock]
) -> None:
    """SIGKILL mid-run, twice; the third run finishes: every contact exactly once, all out."""
    mock = serve_mock(
        "--fault-rate",
        "0.1",
        "--seed",
        "9",
        "--latency-ms",
        "20",
        "--lost-response-rate",
        "0.05",
        "--retry-after",
        "0",
    )
    count = 3_000
    (tmp_path / "list.txt").write_text("\n".join(f"k{i}@example.com" for i in range(count)))
    args = ["list.txt", "--base-url", mock.url, "--rate", "60/1s", "--batch-size", "20"]
    journal = tmp_path / "list.results.jsonl.journal"
    for kill_after in (400, 1_400):
        process = subprocess.Popen(
            [sys.executable, "-m", "commprefs_kit.bulk", *args],
            cwd=tmp_path,
            env=cli_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while _confirmed_in(journal) < kill_after and time.monotonic() < deadline:
            assert process.poll() is None, "the run ended before it could be killed"
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        assert process.returncode == -signal.SIGKILL
        assert not (tmp_path / "list.results.jsonl").exists()
        assert _confirmed_in(journal) >= kill_after

    done_before = _confirmed_in(journal)
    requests_before = mock.state()["requestCount"]
    final = cli(*args[:-4], "--rate", "off", "--batch-size", "20", cwd=tmp_path)
    assert final.returncode == ExitCode.OK, text(final)
    rows = read_results(tmp_path / "list.results.jsonl")
    assert len(rows) == count
    assert Counter(r["address"] for r in rows).most_common(1)[0][1] == 1
    assert {r["outcome"] for r in rows} <= {"unsubscribed", "already_unsubscribed"}
    assert mock.opted_out() == {f"k{i}@example.com" for i in range(count)}
    # The resume sent only what was not confirmed (plus retries of injected faults).
    sent = mock.state()["requestCount"] - requests_before
    assert sent < ((count - done_before) // 20 + 1) * 1.6
    assert json.loads((tmp_path / "list.results.jsonl").read_text().splitlines()[0])["line"] == 1


def test_sigterm_keeps_progress_and_the_rerun_finishes(
    tmp_path: Path, serve_mock: Callable[..., ServedMock]
) -> None:
    mock = serve_mock()
    (tmp_path / "list.txt").write_text("\n".join(f"t{i}@example.com" for i in range(1_500)))
    args = ["list.txt", "--base-url", mock.url, "--rate", "40/1s", "--batch-size", "10"]
    process = subprocess.Popen(
        [sys.executable, "-m", "commprefs_kit.bulk", *args],
        cwd=tmp_path,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    journal = tmp_path / "list.results.jsonl.journal"
    deadline = time.monotonic() + 60
    while _confirmed_in(journal) < 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == ExitCode.INTERRUPTED, stderr.decode()
    assert "rerun the same command to resume" in stderr.decode()
    rows = read_results(tmp_path / "list.results.jsonl")
    assert len(rows) == 1_500 and len({r["address"] for r in rows}) == 1_500
    pending = [r for r in rows if r["outcome"] == "failed"]
    assert pending and {r["error"]["category"] for r in pending} == {"NOT_CONFIRMED"}
    final = cli(*args[:3], "--batch-size", "10", "--rate", "off", cwd=tmp_path)
    assert final.returncode == ExitCode.OK, text(final)
    rows = read_results(tmp_path / "list.results.jsonl")
    assert len(rows) == 1_500
    # In-flight batches HubSpot applied before the signal come back as already_unsubscribed.
    assert {r["outcome"] for r in rows} <= {"unsubscribed", "already_unsubscribed"}
