"""Rendering a contract run: the operations x checks table, failures with curl, the report file.

Every text that leaves the run passes `Target.redact` first, and every curl command names the
token as `$HUBSPOT_ACCESS_TOKEN`, so a report can be shared as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from commprefs_kit.contract.checks import CUSTOM_CHECKS
from commprefs_kit.contract.results import ANY_OPERATION, ContractResults, FailureRecord
from commprefs_kit.contract.target import TOKEN_PLACEHOLDER, Target

# Where a failure found in-process can be replayed: `scripts/mock` serves the same app there.
MOCK_REPLAY_URL = "http://127.0.0.1:8080"
# Hosts Schemathesis and httpx use for in-process requests.
_IN_PROCESS_ORIGINS = re.compile(r"https?://(?:testserver|localhost|mock\.local)(?=[/'\"])")
_FILTERED_AUTH = re.compile(r"-H '[Aa]uthorization: (?:Bearer )?\[Filtered\]'")
_ANY_AUTH = re.compile(r"-H '[Aa]uthorization: [^']*'")
# Headers requests/Schemathesis add that a reader does not need to replay a failure.
_NOISE = re.compile(
    r" -H '(?:User-Agent|user-agent|Accept-Encoding|Connection|Accept|X-Schemathesis-TestCaseId)"
    r": [^']*'"
)

# Column order of the table: Schemathesis' response checks, then this project's checks, then
# the client-side and workflow checks the tests tag themselves with.
BUILT_IN_ORDER = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "positive_data_acceptance",
    "negative_data_rejection",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
    "ignored_auth",
    "use_after_free",
    "ensure_resource_availability",
)
CHECK_ORDER = (*BUILT_IN_ORDER, *CUSTOM_CHECKS)
# Short column titles keep the table inside a terminal.
SHORT_NAMES = {
    "not_a_server_error": "no 5xx",
    "status_code_conformance": "status",
    "content_type_conformance": "content-type",
    "response_schema_conformance": "body schema",
    "response_headers_conformance": "headers",
    "positive_data_acceptance": "valid accepted",
    "negative_data_rejection": "invalid rejected",
    "missing_required_header": "req. header",
    "unsupported_method": "bad method",
    "allow_header_conformance": "Allow",
    "ignored_auth": "auth enforced",
    "use_after_free": "use after free",
    "ensure_resource_availability": "resource avail.",
    "batch_result_per_input": "1 result/input",
    "hubspot_error_body": "error body",
    "correlation_id_header": "correlation hdr",
    "rate_limit_guidance": "429 guidance",
    "unsubscribe_all_visible": "unsub-all visible",
    "status_write_visible": "write visible",
}


def reproduction(curl: str, target: Target) -> str:
    """A curl command a user can paste: the token as $HUBSPOT_ACCESS_TOKEN, in-process requests
    pointed at the mock served by `scripts/mock`, and no transport noise."""
    command = curl.split("\n\n", 1)[0]
    command = _FILTERED_AUTH.sub(f'-H "Authorization: Bearer {TOKEN_PLACEHOLDER}"', command)
    command = _ANY_AUTH.sub(f'-H "Authorization: Bearer {TOKEN_PLACEHOLDER}"', command)
    command = _NOISE.sub("", command)
    if target.in_process:
        command = _IN_PROCESS_ORIGINS.sub(MOCK_REPLAY_URL, command)
    return target.redact(command)


def ordered_checks(names: Iterable[str]) -> list[str]:
    present = set(names)
    known = [name for name in CHECK_ORDER if name in present]
    return known + sorted(present - set(known))


def ordered_operations(results: ContractResults, spec_operations: Iterable[str]) -> list[str]:
    present = set(results.operations)
    listed = [op for op in spec_operations if op in present]
    return (
        listed
        + sorted(present - set(listed) - {ANY_OPERATION})
        + ([ANY_OPERATION] if ANY_OPERATION in present else [])
    )


@dataclass(frozen=True)
class Cell:
    passed: int
    failed: int

    @property
    def text(self) -> str:
        if self.failed:
            return f"✗ {self.failed}"
        if self.passed:
            return f"✓ {self.passed}"
        return "·"

    @property
    def style(self) -> str:
        return "bold red" if self.failed else ("green" if self.passed else "dim")


def cell(results: ContractResults, operation: str, check: str) -> Cell:
    tally = results.tallies.get((operation, check))
    return Cell(tally.passed, tally.failed) if tally else Cell(0, 0)


def _split_checks(checks: list[str], width: int) -> list[list[str]]:
    return [checks[i : i + width] for i in range(0, len(checks), width)] or [[]]


def check_tables(
    results: ContractResults, spec_operations: Iterable[str], *, columns_per_table: int = 8
) -> list[Table]:
    """The operations x checks table, split into several when it would be too wide."""
    operations = ordered_operations(results, spec_operations)
    checks = ordered_checks(results.checks)
    tables = []
    for part in _split_checks(checks, columns_per_table):
        table = Table(title=None, show_lines=False, header_style="bold")
        table.add_column("operation", no_wrap=True)
        for check in part:
            table.add_column(SHORT_NAMES.get(check, check), justify="center")
        for operation in operations:
            row: list[Text | str] = [operation]
            for check in part:
                value = cell(results, operation, check)
                row.append(Text(value.text, style=value.style))
            table.add_row(*row)
        tables.append(table)
    return tables


def failure_lines(failure: FailureRecord) -> list[str]:
    lines = [f"{failure.operation} · {failure.check}: {failure.title}"]
    message = failure.message.strip()
    if message and message != failure.title:
        lines += ["    " + line for line in message.splitlines()[:12]]
    if failure.curl:
        lines += ["  reproduce:", f"    {failure.curl}"]
    lines.append(f"  test: {failure.test}")
    return lines


def print_summary(
    console: Console,
    results: ContractResults,
    spec_operations: Iterable[str],
    *,
    target: Target,
    elapsed: float,
    report_path: Path,
    junit_path: Path,
) -> None:
    operations = list(spec_operations)
    for table in check_tables(results, operations):
        console.print(table)
    console.print("✓ n: passed n times   ✗ n: failed n times   ·: not run for this operation")
    failures = sorted(results.failures.values(), key=lambda f: (f.operation, f.check, f.title))
    if failures:
        console.print(f"\n[bold red]{len(failures)} distinct failure(s)[/]")
        for failure in failures:
            console.print()
            console.print(Text(target.redact("\n".join(failure_lines(failure)))))
    passed = sum(1 for t in results.tests if t.outcome == "passed")
    failed = len(results.failed_tests)
    skipped = sum(1 for t in results.tests if t.outcome == "skipped")
    verdict = "[bold green]PASSED[/]" if results.ok else "[bold red]FAILED[/]"
    console.print(
        f"\n{verdict} against {target.label}: {passed} tests passed, {failed} failed, "
        f"{skipped} skipped in {elapsed:.1f} s"
    )
    console.print(f"report: {report_path}   junit: {junit_path}")


def markdown_report(
    results: ContractResults,
    spec_operations: Iterable[str],
    *,
    target: Target,
    elapsed: float,
    settings_line: str,
) -> str:
    operations = ordered_operations(results, list(spec_operations))
    checks = ordered_checks(results.checks)
    verdict = "PASSED" if results.ok else "FAILED"
    lines = [
        "# Contract report",
        "",
        f"- verdict: **{verdict}**",
        f"- target: {target.label}",
        f"- {settings_line}",
        f"- wall time: {elapsed:.1f} s",
        "",
        "## Operations x checks",
        "",
        "✓ n: the check passed n times; ✗ n: it failed n times; ·: it did not apply.",
        "",
        "| operation | " + " | ".join(checks) + " |",
        "|---|" + "---|" * len(checks),
    ]
    for operation in operations:
        cells = [cell(results, operation, check).text for check in checks]
        lines.append(f"| {operation} | " + " | ".join(cells) + " |")
    failures = sorted(results.failures.values(), key=lambda f: (f.operation, f.check, f.title))
    lines += ["", f"## Failures ({len(failures)})", ""]
    if not failures:
        lines.append("None.")
    for failure in failures:
        lines += [f"### {failure.operation} · {failure.check}: {failure.title}", ""]
        if failure.message.strip():
            lines += ["```text", failure.message.strip(), "```", ""]
        if failure.curl:
            lines += ["Reproduce:", "", "```sh", failure.curl, "```", ""]
        lines += [f"Test: `{failure.test}`", ""]
    lines += [
        "## Tests",
        "",
        "| group | passed | failed | skipped | seconds |",
        "|---|---|---|---|---|",
    ]
    groups: dict[str, list[int | float]] = {}
    for test in results.tests:
        row = groups.setdefault(test.group, [0, 0, 0, 0.0])
        index = {"passed": 0, "failed": 1, "skipped": 2}.get(test.outcome, 1)
        row[index] += 1
        row[3] += test.duration
    for group, (passed, failed, skipped, seconds) in sorted(groups.items()):
        lines.append(f"| {group} | {passed} | {failed} | {skipped} | {seconds:.1f} |")
    return target.redact("\n".join(lines) + "\n")
