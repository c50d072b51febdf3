"""Rendering a contract run: the operations x checks table, failures with curl, the report file.

Every text that leaves the run passes `Target.redact` first, and every curl command names the
token as `$HUBSPOT_ACCESS_TOKEN`, so a report can be shared as it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from commprefs_kit.contract.checks import CUSTOM_CHECKS, WORKFLOW_CHECKS
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
    "object_level_authorization",
)
CHECK_ORDER = (*BUILT_IN_ORDER, *CUSTOM_CHECKS, *WORKFLOW_CHECKS)


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
    """Checks that ran, in report order; this project's own checks always get a row (all ·
    when nothing they judge happened, e.g. no 429 without a rate limit)."""
    present = set(names) | set(CUSTOM_CHECKS) | set(WORKFLOW_CHECKS)
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


# Column titles for the operations (the legend under the table spells them out).
SHORT_OPERATIONS = {
    "get_definitions": "defs",
    "get_statuses": "get",
    "update_status": "set",
    "get_unsubscribe_all_status": "get-all",
    "unsubscribe_all": "unsub",
    "batch_get_statuses": "b:get",
    "batch_update_statuses": "b:set",
    "batch_unsubscribe_all": "b:unsub",
    "batch_get_unsubscribe_all_statuses": "b:get-all",
    "generate_links": "links",
    ANY_OPERATION: "API",
}
# Row groups of the table, by where a check comes from.
GROUPS = (
    ("Schemathesis", lambda name: name in BUILT_IN_ORDER or name == "object_level_authorization"),
    ("HubSpot checks", lambda name: name in CUSTOM_CHECKS),
    ("workflows", lambda name: name in WORKFLOW_CHECKS),
    ("client", lambda name: name.startswith("client")),
)


def _group_of(check: str) -> str:
    return next((title for title, member in GROUPS if member(check)), "other")


def check_table(results: ContractResults, spec_operations: Iterable[str]) -> Table:
    """Checks (rows, grouped) x operations (columns): ✓ passed, ✗ n failed n times, · not run."""
    operations = ordered_operations(results, spec_operations)
    table = Table(header_style="bold", pad_edge=False, collapse_padding=True)
    table.add_column("check", no_wrap=True)
    for operation in operations:
        table.add_column(SHORT_OPERATIONS.get(operation, operation), justify="center")
    checks = ordered_checks(results.checks)
    for group in [title for title, _ in GROUPS] + ["other"]:
        members = [check for check in checks if _group_of(check) == group]
        if not members:
            continue
        table.add_row(Text(group, style="bold cyan"), *["" for _ in operations])
        for check in members:
            row: list[Text | str] = [f"  {check}"]
            for operation in operations:
                value = cell(results, operation, check)
                text = f"✗ {value.failed}" if value.failed else ("✓" if value.passed else "·")
                row.append(Text(text, style=value.style))
            table.add_row(*row)
    return table


def legend(operations: Iterable[str]) -> str:
    names = [f"{SHORT_OPERATIONS.get(op, op)}={op}" for op in operations if op != ANY_OPERATION]
    return (
        "✓ passed every time  ✗ n failed n times  · not run for this operation;  "
        + ", ".join(names)
        + ", API=whole API"
    )


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
    console.print(check_table(results, operations))
    console.print(legend(ordered_operations(results, operations)), style="dim")
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
        "## Checks x operations",
        "",
        "✓ n: the check passed n times; ✗ n: it failed n times; ·: not run for this operation.",
        "",
        "| check | " + " | ".join(SHORT_OPERATIONS.get(op, op) for op in operations) + " |",
        "|---|" + "---|" * len(operations),
    ]
    for check in checks:
        cells = [cell(results, operation, check).text for operation in operations]
        lines.append(f"| {check} ({_group_of(check)}) | " + " | ".join(cells) + " |")
    lines += ["", legend(operations)]
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
        "",
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


def json_report(results: ContractResults, elapsed: float) -> str:
    """The results for tools: verdict, failed checks, tallies and distinct failures."""
    data = {
        "ok": results.ok,
        "elapsed_seconds": round(elapsed, 2),
        "failed_checks": sorted(results.caught_by()),
        "tests": {
            outcome: sum(1 for test in results.tests if test.outcome == outcome)
            for outcome in ("passed", "failed", "skipped")
        },
        "tallies": [
            {"operation": op, "check": check, "passed": t.passed, "failed": t.failed}
            for (op, check), t in sorted(results.tallies.items())
        ],
        "failures": [
            {
                "operation": f.operation,
                "check": f.check,
                "title": f.title,
                "message": f.message,
                "curl": f.curl,
                "test": f.test,
            }
            for f in sorted(results.failures.values(), key=lambda f: f.key)
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
