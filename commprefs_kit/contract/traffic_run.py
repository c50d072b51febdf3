"""`scripts/contract --traffic FILE`: judge a traffic file and write the usual report files.

The Markdown report goes to `--report`, JUnit to `--junit`, JSON to `--json` (and to stdout
with `--format json`), each listing findings per operation x kind with one redacted example
and what to do, in spec-diff's vocabulary (commprefs_kit/proxy/findings.py). Exit 0 when no
finding is breaking or potentially breaking, 1 otherwise, 2 when the file cannot be read.
Entries that cannot be judged are listed but do not fail the run by themselves.
"""

from __future__ import annotations

import argparse
import os
import sys

from rich.console import Console

from commprefs_kit.contract.target import ENV_TOKEN
from commprefs_kit.contract.traffic import TrafficError, judge_traffic
from commprefs_kit.proxy.redact import Redactor
from commprefs_kit.proxy.report import FindingLog
from commprefs_kit.specdiff.model import Severity
from commprefs_kit.verbs import error

EXIT_FAILED = 1
EXIT_UNUSABLE = 2


def run_traffic(args: argparse.Namespace, prog: str) -> int:
    path = args.traffic
    quiet = args.format == "json"
    token = os.environ.get(ENV_TOKEN, "")
    log = FindingLog(Redactor((token,) if token else ()), live=None if quiet else sys.stderr)
    try:
        run = judge_traffic(path, log)
    except TrafficError as exc:
        return error(prog, log.redactor.text(str(exc)), EXIT_UNUSABLE)
    title = f"Recorded traffic: {path.name}"
    lines = [
        f"{run.format}, {run.entries} entries, {run.judged} judged against the pinned spec.",
        "Findings are classified as `scripts/spec-diff` classifies the change that would make "
        "the spec describe them.",
    ]
    report = args.report.resolve()
    junit = args.junit.resolve()
    for target in (report, junit):
        target.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(log.markdown(title, lines), encoding="utf-8")
    junit.write_bytes(log.junit("traffic"))
    data = log.as_json(title=title, format=run.format, entries=run.entries, judged=run.judged)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_bytes(data)
    if quiet:
        sys.stdout.write(data.decode() + "\n")
    else:
        console = Console(highlight=False)
        console.print(f"{title}: {lines[0]}", markup=False, soft_wrap=True)
        for group in log.findings:
            f = group.first
            console.print(
                f"  [{group.severity.label}] {f.operation} {f.kind} x{group.count}: {f.where}: "
                f"{f.detail}\n    what to do: {f.advice}",
                markup=False,
                soft_wrap=True,
            )
        if log.notes:
            console.print(f"{len(log.notes)} entries could not be judged (see the report)")
        console.print(log.summary_line(), markup=False)
        console.print(f"report: {report}  junit: {junit}", markup=False, soft_wrap=True)
    failing = any(g.severity > Severity.SAFE for g in log.groups.values())
    return EXIT_FAILED if failing else 0
