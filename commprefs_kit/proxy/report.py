"""Reporting findings: one live line each (stderr), and on exit a Markdown table per operation x
kind with one redacted example each, JSON (findings in spec-diff's change vocabulary) and JUnit.

Used by the proxy and by `scripts/contract --traffic`. Everything written passes the redactor.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import orjson

from commprefs_kit.proxy.exchange import Exchange
from commprefs_kit.proxy.findings import KINDS, Finding
from commprefs_kit.proxy.redact import Redactor
from commprefs_kit.specdiff.model import Severity

SNIPPET = 400


@dataclass
class Group:
    """Every finding of one kind on one operation; the first one is the example."""

    first: Finding
    count: int = 0
    severity: Severity = Severity.SAFE


def _snippet(body: bytes, redactor: Redactor) -> str:
    text = redactor.data(body[: SNIPPET * 4]).decode("utf-8", "replace")
    text = redactor.text(text)
    return text if len(text) <= SNIPPET else text[: SNIPPET - 3] + "..."


def example_of(ex: Exchange, redactor: Redactor) -> dict[str, Any]:
    return {
        "request": redactor.text(f"{ex.method} {ex.target}"),
        "requestBody": _snippet(ex.request_body, redactor),
        "status": ex.status,
        "responseBody": _snippet(ex.response_body, redactor),
    }


class FindingLog:
    def __init__(self, redactor: Redactor, live: TextIO | None = None) -> None:
        self.redactor = redactor
        self.live = live
        self.exchanges: Counter[str] = Counter()
        self.groups: dict[tuple[str, str], Group] = {}
        self.notes: list[str] = []  # per-entry messages (traffic files)

    def add(self, operation: str, findings: Iterable[Finding], ex: Exchange) -> None:
        self.exchanges[operation] += 1
        for finding in findings:
            finding.detail = self.redactor.text(finding.detail)
            finding.where = self.redactor.text(finding.where)
            finding.advice = self.redactor.text(finding.advice)
            key = (finding.operation, finding.kind)
            group = self.groups.get(key)
            if group is None:
                finding.example = example_of(ex, self.redactor)
                group = self.groups[key] = Group(finding, severity=finding.severity)
            group.count += 1
            group.severity = max(group.severity, finding.severity)
            if self.live is not None:
                print(self.redactor.text(finding.one_line()), file=self.live, flush=True)

    def note(self, message: str) -> None:
        text = self.redactor.text(message)
        self.notes.append(text)
        if self.live is not None:
            print(text, file=self.live, flush=True)

    # ---- summaries --------------------------------------------------------------------
    @property
    def findings(self) -> list[Group]:
        return sorted(
            self.groups.values(), key=lambda g: (g.first.operation, -g.severity, g.first.kind)
        )

    def counts(self) -> dict[str, int]:
        tally: Counter[Severity] = Counter()
        for group in self.groups.values():
            tally[group.severity] += group.count
        return {s.label: tally[s] for s in sorted(Severity, reverse=True)}

    @property
    def total(self) -> int:
        return sum(g.count for g in self.groups.values())

    def summary_line(self) -> str:
        seen = sum(self.exchanges.values())
        if not self.groups:
            return f"{seen} exchanges, no findings"
        parts = ", ".join(f"{n} {label}" for label, n in self.counts().items() if n)
        return f"{seen} exchanges, {self.total} findings ({parts}) in {len(self.groups)} groups"

    # ---- renderings -------------------------------------------------------------------
    def markdown(self, title: str, lines: Iterable[str] = ()) -> str:
        out = [f"# {title}", "", *lines, "", self.summary_line(), ""]
        operations = sorted(set(self.exchanges) | {op for op, _ in self.groups})
        out += ["| operation | exchanges | findings |", "|---|---|---|"]
        for op in operations:
            n = sum(g.count for (o, _), g in self.groups.items() if o == op)
            out.append(f"| `{_cell(op)}` | {self.exchanges.get(op, 0)} | {n} |")
        out.append("")
        if self.groups:
            out += [
                "## Findings (operation x kind)",
                "",
                "| operation | kind | severity | spec-diff change | count | example | what to do |",
                "|---|---|---|---|---|---|---|",
            ]
            for group in self.findings:
                f = group.first
                example = (
                    f"`{_cell(f.example.get('request', ''))}` -> {f.example.get('status')}: "
                    f"{_cell(f.where)}: {_cell(f.detail)} (correlationId {f.correlation_id or '-'})"
                )
                out.append(
                    f"| `{_cell(f.operation)}` | {f.kind} | {group.severity.label} | "
                    f"{f.change or '-'} ({f.side.value}) | {group.count} | {example} | "
                    f"{_cell(f.advice)} |"
                )
            out.append("")
            out += ["## Kinds", ""]
            for kind in sorted({g.first.kind for g in self.groups.values()}):
                out.append(f"- `{kind}`: {KINDS[kind].meaning if kind in KINDS else kind}")
            out.append("")
        if self.notes:
            out += ["## Entries that could not be judged", ""]
            out += [f"- {_cell(n)}" for n in self.notes]
            out.append("")
        return self.redactor.text("\n".join(out))

    def as_json(self, **extra: Any) -> bytes:
        findings = []
        for group in self.findings:
            f = group.first
            change = f.as_change().as_json()
            change["severity"] = group.severity.label
            findings.append(
                {
                    "operation": f.operation,
                    "kind": f.kind,
                    "side": f.side.value,
                    "severity": group.severity.label,
                    "count": group.count,
                    "change": change,
                    "where": f.where,
                    "detail": f.detail,
                    "advice": f.advice,
                    "correlationId": f.correlation_id,
                    "example": f.example,
                }
            )
        data = {
            **extra,
            "summary": {**self.counts(), "total": self.total, "groups": len(self.groups)},
            "exchanges": dict(sorted(self.exchanges.items())),
            "findings": findings,
            "notes": self.notes,
        }
        text = orjson.dumps(data, option=orjson.OPT_INDENT_2).decode()
        return self.redactor.text(text).encode()

    def junit(self, suite_name: str) -> bytes:
        """One test case per operation seen (passes when it has no finding) and one per
        operation x kind found (a failure carrying the example and what to do)."""
        root = ET.Element("testsuites")
        cases: list[ET.Element] = []
        failures = 0
        ops_with_findings = {op for op, _ in self.groups}
        for op in sorted(set(self.exchanges) - ops_with_findings):
            case = ET.Element("testcase", classname=suite_name, name=f"{op} conforms")
            cases.append(case)
        for group in self.findings:
            f = group.first
            case = ET.Element("testcase", classname=suite_name, name=f"{f.operation} {f.kind}")
            cases.append(case)
            if group.severity is Severity.SAFE:
                # Safe drift is reported, not failed: the client copes with it.
                out = ET.SubElement(case, "system-out")
                out.text = self.redactor.text(f"[safe] {f.where}: {f.detail}\n{f.advice}")
                continue
            failure = ET.SubElement(
                case,
                "failure",
                message=self.redactor.text(f"[{group.severity.label}] {f.where}: {f.detail}"),
                type=f.kind,
            )
            failure.text = self.redactor.text(
                f"{group.count} x {f.kind} ({f.change or '-'}, {f.side.value})\n"
                f"example: {f.example.get('request')} -> {f.example.get('status')} "
                f"(correlationId {f.correlation_id or '-'})\nwhat to do: {f.advice}"
            )
            failures += 1
        suite = ET.SubElement(
            root, "testsuite", name=suite_name, tests=str(len(cases)), failures=str(failures)
        )
        suite.extend(cases)
        data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
        return data

    def write(
        self, directory: Path, stem: str, title: str, lines: Iterable[str] = ()
    ) -> list[Path]:
        directory.mkdir(parents=True, exist_ok=True)
        paths = [
            directory / f"{stem}.md",
            directory / f"{stem}.json",
            directory / f"{stem}-junit.xml",
        ]
        paths[0].write_text(self.markdown(title, lines), encoding="utf-8")
        paths[1].write_bytes(self.as_json(title=title))
        paths[2].write_bytes(self.junit(stem))
        return paths


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
