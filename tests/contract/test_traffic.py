"""`scripts/contract --traffic FILE`: recorded exchanges judged with the proxy's checks.

Fixtures in tests/contract/traffic/: clean.har (a full round of the ten operations through the
proxy in front of the mock, recorded and saved as HAR), violations.har (the same with faults
written in, plus entries that cannot be judged) and truncated.har (clean.har cut off mid-entry).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from commprefs_kit import paths
from commprefs_kit.contract.traffic import CASSETTE, HAR, RECORD, TrafficError, judge_traffic
from commprefs_kit.proxy.redact import Redactor
from commprefs_kit.proxy.report import FindingLog
from mock_server import serve_in_subprocess

FIXTURES = Path(__file__).with_name("traffic")


def judged(path: Path) -> tuple[FindingLog, str]:
    log = FindingLog(Redactor())
    run = judge_traffic(path, log)
    return log, run.format


def kinds(log: FindingLog) -> dict[tuple[str, str], str]:
    return {key: group.severity.label for key, group in log.groups.items()}


def contract(*args: str, cwd: Path = paths.ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "HUBSPOT_ACCESS_TOKEN"}
    return subprocess.run(
        [sys.executable, "-m", "commprefs_kit.contract", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_clean_har_has_no_finding() -> None:
    log, kind = judged(FIXTURES / "clean.har")
    assert kind == HAR
    assert sum(log.exchanges.values()) == 12
    assert len(log.exchanges) == 10  # every operation of the spec
    assert log.groups == {} and log.notes == []


def test_violations_are_found_and_classified() -> None:
    log, _ = judged(FIXTURES / "violations.har")
    assert kinds(log) == {
        ("get_definitions", "undeclared-status"): "potentially-breaking",
        ("get_statuses", "unknown-field"): "safe",
        ("get_statuses", "unknown-enum-value"): "potentially-breaking",
        ("get_statuses", "missing-required-field"): "potentially-breaking",
        ("get_statuses", "wrong-type"): "breaking",
        ("get_unsubscribe_all_status", "content-type"): "potentially-breaking",
        ("generate_links", "correlation-id"): "potentially-breaking",
        ("batch_get_statuses", "request-schema"): "breaking",
    }
    unknown = log.groups[("get_statuses", "unknown-field")].first
    assert unknown.change == "property-added"
    assert "newField" in unknown.detail and "update-spec" in unknown.advice
    assert log.groups[("get_statuses", "unknown-enum-value")].first.change == "enum-widened"
    # Entries that cannot be judged are named, one message each, and the run went on.
    notes = "\n".join(log.notes)
    assert "entry 13: GET /crm/v3/objects/contacts is not an operation" in notes
    assert "entry 14: response.status is 0" in notes
    assert "entry 15: request.url is missing" in notes
    assert "entry 16: get_statuses: the recorded response body is truncated" in notes
    assert len(log.notes) == 4


def test_truncated_har_is_read_as_far_as_it_goes() -> None:
    log, kind = judged(FIXTURES / "truncated.har")
    assert kind == HAR
    assert sum(log.exchanges.values()) >= 5  # the entries before the cut
    assert log.groups == {}
    assert len(log.notes) == 1 and "truncated" in log.notes[0]


@pytest.mark.parametrize(
    ("text", "words"),
    [("", "empty"), ("hello", "neither a HAR"), ('{"log": {}}', "no log.entries")],
)
def test_unreadable_files_are_one_error(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "x.har"
    path.write_text(text)
    with pytest.raises(TrafficError, match=words):
        judge_traffic(path, FindingLog(Redactor()))


def test_cli_json_report_and_exit_codes(tmp_path: Path) -> None:
    report, junit = tmp_path / "r.md", tmp_path / "j.xml"
    common = ["--report", str(report), "--junit", str(junit)]
    clean = contract("--traffic", str(FIXTURES / "clean.har"), *common)
    assert clean.returncode == 0, clean.stderr
    bad = contract("--traffic", str(FIXTURES / "violations.har"), "--format", "json", *common)
    assert bad.returncode == 1
    data = json.loads(bad.stdout)
    assert data["summary"]["breaking"] == 2
    change = next(f["change"] for f in data["findings"] if f["kind"] == "unknown-field")
    assert change["kind"] == "property-added" and change["severity"] == "safe"
    assert "| `get_statuses` | unknown-field | safe |" in report.read_text()
    assert "<failure" in junit.read_text()
    missing = contract("--traffic", str(tmp_path / "nope.har"), *common)
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1 and "cannot read" in missing.stderr
    assert "Traceback" not in missing.stderr + bad.stderr + clean.stderr


def test_proxy_record_is_read(tmp_path: Path) -> None:
    har = json.loads((FIXTURES / "clean.har").read_text())
    record = tmp_path / "traffic.jsonl"
    lines = [json.dumps({"commprefsProxyRecord": 1})]
    lines += [json.dumps(entry) for entry in har["log"]["entries"]]
    record.write_text("\n".join(lines) + "\n" + '{"request": {"meth')  # killed mid-write
    log, kind = judged(record)
    assert kind == RECORD
    assert sum(log.exchanges.values()) == 12 and log.groups == {}
    assert len(log.notes) == 1 and "truncated" in log.notes[0]


def test_cassette_written_by_schemathesis(tmp_path: Path) -> None:
    cassette = tmp_path / "cassette.yaml"
    with serve_in_subprocess() as mock:
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "run",
                str(paths.SPEC_PATH),
                "--url",
                mock.url,
                "-H",
                "Authorization: Bearer test-token",
                "--phases",
                "examples,fuzzing",
                "--mode",
                "positive",
                "--max-examples",
                "3",
                "--seed",
                "1",
                "--checks",
                "not_a_server_error",
                "--report",
                "vcr",
                "--report-vcr-path",
                str(cassette),
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert cassette.exists(), run.stdout + run.stderr
    log, kind = judged(cassette)
    assert kind == CASSETTE
    assert len(log.exchanges) == 10 and log.notes == []
    # Positive requests are schema-valid; the mock's answers conform. Schemathesis adds
    # fields the spec does not name (allowed: the schemas are open), which are safe.
    assert {g.severity.label for g in log.groups.values()} <= {"safe"}
    assert {kind for _, kind in log.groups} <= {"request-schema"}
    assert "test-token" not in log.markdown("t")
