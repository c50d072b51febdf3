"""The promise end to end: `scripts/unsubscribe-all --rate 100/10s` against a mock that throttles
at 100/10 (as HubSpot does) gets no 429, even while lost answers make it retry.

The mock's access log is the judge: one line per request with its status and, for a fault,
`via=...`. Lost responses (the change was made, the answer is a 5xx or a dropped connection)
force retries, which must be paced like first attempts. ~15 s: more than one full window.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from bulk_testing import ServedMock, cli, read_results

from commprefs_kit.bulk.exitcodes import ExitCode

BUDGET = "100/10"
WINDOW = 10.0
CONTACTS = 140  # one request each: more than the budget of one window


def _api_lines(log: Path) -> list[tuple[datetime, str, str]]:
    """(time, status, rest) of every API request in the access log."""
    lines = []
    for line in log.read_text(encoding="utf-8").splitlines():
        fields = line.split(" ")
        if len(fields) < 4 or "/communication-preferences/" not in fields[2]:
            continue
        lines.append((datetime.fromisoformat(fields[0]), fields[3], " ".join(fields[4:])))
    return lines


def _most_in_any_window(times: list[datetime]) -> int:
    seconds = sorted(t.timestamp() for t in times)
    most, start = 0, 0
    for end, t in enumerate(seconds):
        while seconds[start] <= t - WINDOW:
            start += 1
        most = max(most, end - start + 1)
    return most


@pytest.mark.slow
def test_a_run_at_the_budget_gets_no_429_of_its_own(
    serve_mock: Callable[..., ServedMock], tmp_path: Path
) -> None:
    log = tmp_path / "access.log"
    mock = serve_mock(
        "--rate-limit",
        BUDGET,
        "--lost-response-rate",
        "0.1",
        "--seed",
        "11",
        "--access-log",
        str(log),
    )
    (tmp_path / "list.txt").write_text("\n".join(f"p{i}@example.com" for i in range(CONTACTS)))
    run = cli(
        "list.txt",
        "--base-url",
        mock.url,
        "--rate",
        f"{BUDGET}s",
        "--batch-size",
        "1",
        "--quiet",
        cwd=tmp_path,
    )
    assert run.returncode == ExitCode.OK, run.stdout.decode() + run.stderr.decode()
    rows = read_results(tmp_path / "list.results.jsonl")
    assert len(rows) == CONTACTS
    assert {r["outcome"] for r in rows} <= {"unsubscribed", "already_unsubscribed"}
    assert len(mock.opted_out()) == CONTACTS

    requests = _api_lines(log)
    lost = [r for r in requests if "via=lost-response" in r[2]]
    refused = [r for r in requests if r[1] == "429"]
    assert lost, "no answer was lost: the run made no retries, the test proves nothing"
    assert len(requests) >= CONTACTS + len(lost) - 1  # every lost answer was sent again
    assert refused == [], refused
    # The run did use its budget: a full window held nearly 100 requests.
    assert 90 <= _most_in_any_window([t for t, _, _ in requests]) <= 100
