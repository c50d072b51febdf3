"""Rendering of a contract run: curl reproductions, the checks x operations table, the report
files; every one of them free of the token."""

from __future__ import annotations

import json

from rich.console import Console

from commprefs_kit.contract.report import (
    check_table,
    json_report,
    markdown_report,
    reproduction,
)
from commprefs_kit.contract.results import ContractResults
from commprefs_kit.contract.target import TOKEN_PLACEHOLDER, Target

TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555"
IN_PROCESS = Target(base_url=None, token=TOKEN)
REMOTE = Target(base_url="https://api.hubapi.com", token=TOKEN)
OPERATIONS = ["get_definitions", "batch_unsubscribe_all"]


def failing_results() -> ContractResults:
    results = ContractResults()
    results.record_check("get_definitions", "not_a_server_error", passed=True)
    results.record_check("batch_unsubscribe_all", "not_a_server_error", passed=True)
    for _ in range(2):
        results.record_check(
            "batch_unsubscribe_all",
            "batch_result_per_input",
            passed=False,
            title="Custom check failed: `batch_result_per_input`",
            message=f"[200] 1 of 2 distinct inputs are missing (token {TOKEN})",
            curl=f'curl -X POST -H "Authorization: Bearer {TOKEN_PLACEHOLDER}" https://x',
            test="contract_tests/test_server.py::test_operation_conforms[POST /batch]",
        )
    return results


def test_curl_names_the_token_variable_and_the_replayable_mock() -> None:
    curl = (
        "curl -X POST -H 'Authorization: [Filtered]' -H 'User-Agent: python-requests/2.34' "
        "-H 'Content-Type: application/json' -d '{\"inputs\": []}' "
        "'http://testserver/communication-preferences/2026-03/statuses/batch/read?channel=EMAIL'"
    )
    shown = reproduction(curl, IN_PROCESS)
    assert f'-H "Authorization: Bearer {TOKEN_PLACEHOLDER}"' in shown
    assert "http://127.0.0.1:8080/communication-preferences" in shown
    assert "User-Agent" not in shown and "Content-Type: application/json" in shown


def test_curl_with_a_raw_token_is_redacted() -> None:
    curl = f"curl -X GET -H 'Authorization: Bearer {TOKEN}' 'https://api.hubapi.com/x'"
    shown = reproduction(curl, REMOTE)
    assert TOKEN not in shown
    assert f'"Authorization: Bearer {TOKEN_PLACEHOLDER}"' in shown
    assert "https://api.hubapi.com/x" in shown


def test_table_marks_failures_and_checks_that_did_not_run() -> None:
    console = Console(record=True, width=200)
    console.print(check_table(failing_results(), OPERATIONS))
    text = console.export_text()
    row = next(line for line in text.splitlines() if "batch_result_per_input" in line)
    assert "✗ 2" in row and "·" in row
    assert "rate_limit_guidance" in text  # the project's checks always have a row


def test_markdown_report_lists_failures_with_curl_and_no_token() -> None:
    report = markdown_report(
        failing_results(), OPERATIONS, target=REMOTE, elapsed=1.5, settings_line="seed 1"
    )
    assert "**FAILED**" in report
    assert "| batch_result_per_input (HubSpot checks) | · | ✗ 2 |" in report
    assert "```sh\ncurl -X POST" in report
    assert TOKEN not in report and TOKEN_PLACEHOLDER in report


def test_json_report_names_the_failed_checks() -> None:
    data = json.loads(json_report(failing_results(), 2.0))
    assert data["ok"] is False
    assert data["failed_checks"] == ["batch_result_per_input"]
    assert len(data["failures"]) == 1  # the same failure twice is one distinct failure


def test_a_run_without_tests_is_not_a_pass() -> None:
    assert not ContractResults().ok
