"""`unsubscribe-all`: the command line over the bulk job (commprefs_kit/bulk/job.py).

This layer only parses arguments, shows the plan, progress and summary, and maps the
job's outcome to an exit status. Plan, summary, warnings and errors are plain lines on
stderr (never wrapped, no colour); the progress bar is drawn only on a terminal. Help
and errors name the program `scripts/unsubscribe-all`, or `unsubscribe-all` when run as
that console script.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from hubspot_communication_preferences import DEFAULT_BASE_URL
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from commprefs_kit import verbs
from commprefs_kit.bulk.engine import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_ATTEMPTS,
)
from commprefs_kit.bulk.exitcodes import ExitCode
from commprefs_kit.bulk.inputs import InputError, InputFormat, check_encoding, resolve_format
from commprefs_kit.bulk.job import (
    BASE_URL_ENV,
    TOKEN_ENV,
    JobFailed,
    Plan,
    Report,
    Settings,
    default_output,
    run_job,
)
from commprefs_kit.bulk.journal import journal_path_for
from commprefs_kit.bulk.ratelimit import Rate

SCRIPT = "scripts/unsubscribe-all"
CONSOLE_SCRIPT = "unsubscribe-all"
#: Off a terminal, at most one "waiting" line per this many seconds.
WAIT_NOTE_EVERY = 10.0

_typer = typer.Typer(
    add_completion=False,
    no_args_is_help=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def program_name(argv0: str | None = None) -> str:
    """`unsubscribe-all` when run as that console script, else `scripts/unsubscribe-all`."""
    return verbs.program_name(SCRIPT, CONSOLE_SCRIPT, argv0)


def _say(text: str) -> None:
    """One plain line on stderr: never wrapped, never coloured."""
    print(text, file=sys.stderr, flush=True)


class UsageProblem(Exception):
    pass


# --- what the job shows ------------------------------------------------------------------


class _Phase:
    def __init__(self, progress: Progress, task: TaskID, failure_word: str) -> None:
        self.progress = progress
        self.task = task
        self.failure_word = failure_word
        self.start = time.monotonic()
        self.done = 0
        self.failed = 0

    def speed(self) -> str:
        elapsed = max(time.monotonic() - self.start, 1e-9)
        return f"{self.done / elapsed:,.0f}/s"

    def advance(self, ok: bool) -> None:
        self.done += 1
        if not ok:
            self.failed += 1
        self.progress.update(
            self.task,
            advance=1,
            speed=self.speed(),
            errors=f"{self.failed:,} {self.failure_word}" if self.failed else "",
            note="",
        )

    def note(self, text: str) -> None:
        self.progress.update(self.task, note=text)


class ConsoleUI:
    """Renders the job: plain lines on stderr, a rich progress bar on a terminal."""

    def __init__(self, prog: str, quiet: bool) -> None:
        self.prog = prog
        self.quiet = quiet
        self.console = Console(stderr=True, highlight=False)
        self.current: _Phase | None = None
        self._last_wait_note = 0.0

    @property
    def live(self) -> bool:
        return not self.quiet and self.console.is_terminal

    def plan(self, plan: Plan, dry_run: bool) -> None:
        if self.quiet and not dry_run:
            return
        rows = [("input", plan.input_name)]
        if plan.column:
            rows.append(("email column", plan.column))
        rows += [
            ("lines read", f"{plan.lines:,} ({plan.blank:,} blank)"),
            ("malformed lines", f"{plan.invalid:,}"),
            (
                "addresses",
                f"{plan.valid_lines:,} valid, {plan.distinct:,} distinct "
                f"({plan.duplicates:,} duplicates)",
            ),
            ("confirmed earlier", f"{plan.confirmed:,} (from the journal)"),
            (
                "to send",
                f"{plan.to_send:,} contacts in {plan.batches:,} batch(es) of <= {plan.batch_size}",
            ),
            ("requests", f"{plan.requests:,} (without retries)"),
        ]
        if plan.rate is None:
            rows.append(("budget", f"no limit, {plan.concurrency} concurrent requests"))
        else:
            rows.append(
                (
                    "budget",
                    f"{plan.rate} (paced at {plan.rate.per_second:.1f} req/s), "
                    f"{plan.concurrency} concurrent requests",
                )
            )
            estimate = _duration(plan.estimated_seconds or 0)
            rows.append(("estimated time", f"{estimate} at the budget"))
        if not dry_run:
            rows += [("result file", plan.output_name), ("journal", plan.journal_name)]
        _say("Plan")
        for key, value in rows:
            _say(f"  {key:<20} {value}")
        if plan.malformed:
            _say(f"Malformed lines ({plan.invalid:,}; not sent)")
            for record in plan.malformed:
                _say(f"  line {record.line_no}: {record.content!r}: {record.reason}")
            if plan.invalid > len(plan.malformed):
                more = plan.invalid - len(plan.malformed)
                where = "the plan only" if dry_run else "all are in the result file"
                _say(f"  ... and {more:,} more ({where})")
        if dry_run:
            _say("dry run: nothing was sent")

    def warn(self, text: str) -> None:
        _say(f"{self.prog}: warning: {text}")

    @contextmanager
    def phase(self, name: str, total: int) -> Iterator[_Phase]:
        failure_word = "not opted out" if name == "verifying" else "failed"
        progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[speed]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("[red]{task.fields[errors]}"),
            TextColumn("[yellow]{task.fields[note]}"),
            console=self.console,
            disable=not self.live,
            transient=False,
        )
        with progress:
            task = progress.add_task(name, total=total, speed="", errors="", note="")
            self.current = _Phase(progress, task, failure_word)
            try:
                yield self.current
            finally:
                phase, self.current = self.current, None
        if not self.quiet and name == "opting out":
            _say(f"sent {phase.done:,} contacts at {phase.speed()} ({phase.failed:,} failed)")

    def waiting(self, seconds: float, reason: str) -> None:
        text = f"waiting {seconds:.1f} s: {reason}"
        if self.live and self.current is not None:
            self.current.note(text)
            return
        now = time.monotonic()
        if not self.quiet and now - self._last_wait_note >= WAIT_NOTE_EVERY:
            self._last_wait_note = now
            _say(text)

    def report(self, report: Report) -> None:
        counts = report.counts
        if not self.quiet:
            rows = [
                ("unsubscribed", counts.unsubscribed),
                ("already unsubscribed", counts.already_unsubscribed),
                ("failed", counts.failed + counts.pending),
                ("invalid lines", counts.invalid),
                ("duplicates dropped", counts.duplicates),
            ]
            if report.verified:
                rows += [
                    ("verified opted out", counts.verified_ok),
                    ("NOT opted out / unreadable", counts.distinct - counts.verified_ok),
                ]
            _say("Result")
            for key, value in rows:
                _say(f"  {key:<28} {value:>10,}")
            _say(f"{report.written:,} records written to {report.output_name}")
        if report.stop is not None:
            _say(f"stopped: {report.stop}")
            _say("contacts confirmed so far are journaled; rerun the same command to resume")
        if report.interrupted:
            _say("interrupted: progress is journaled; rerun the same command to resume")


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min {secs} s"


# --- arguments ---------------------------------------------------------------------------


def _parse_rate(text: str) -> Rate | None:
    if text.strip().lower() in {"off", "none", "0"}:
        return None
    try:
        return Rate.parse(text)
    except ValueError as exc:
        raise UsageProblem(f"--rate: {exc}") from None


def _version(value: bool) -> None:
    if value:
        print(verbs.version_line(program_name()))
        raise typer.Exit(0)


@_typer.command()
def main(
    input: Annotated[
        Path | None,
        typer.Argument(help="CSV or text file of addresses; '-' or nothing reads stdin."),
    ] = None,
    column: Annotated[
        str | None,
        typer.Option("--column", "-c", help="CSV column (name or 1-based number); default: auto."),
    ] = None,
    fmt: Annotated[
        InputFormat,
        typer.Option("--format", help="auto: CSV for .csv/.tsv or with --column, else lines."),
    ] = InputFormat.AUTO,
    encoding: Annotated[
        str | None,
        typer.Option(
            help="Input encoding, e.g. cp1252 or latin-1 for Windows exports; default UTF-8 "
            "(a UTF-8/UTF-16 BOM is followed)."
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Result file (.jsonl, or .csv); '-' writes JSON Lines to stdout. "
            "Default: INPUT.results.jsonl.",
        ),
    ] = None,
    journal: Annotated[
        Path | None, typer.Option(help="Resume journal. Default: OUTPUT.journal.")
    ] = None,
    summary_json: Annotated[
        Path | None,
        typer.Option(help="Also write the run's counts and exit status as JSON to this file."),
    ] = None,
    batch_size: Annotated[
        int, typer.Option(min=1, max=1000, help="Addresses per request (limit unconfirmed).")
    ] = DEFAULT_BATCH_SIZE,
    rate: Annotated[
        str,
        typer.Option(help="HubSpot request budget, e.g. 100/10s or 190/10s; 'off' for none."),
    ] = "100/10s",
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="Requests in flight.")] = (
        DEFAULT_CONCURRENCY
    ),
    business_unit_id: Annotated[
        int | None, typer.Option(help="Brand (business unit) id; default: the account.")
    ] = None,
    base_url: Annotated[
        str,
        typer.Option(
            envvar=BASE_URL_ENV,
            help="API base URL: scheme, host and port (a mock's, e.g. http://127.0.0.1:8080).",
        ),
    ] = DEFAULT_BASE_URL,
    token_file: Annotated[
        Path | None, typer.Option(help=f"File holding the token; default: ${TOKEN_ENV}.")
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="Show the plan; send nothing.")] = False,
    verify: Annotated[bool, typer.Option(help="Afterwards, read every contact back.")] = False,
    verify_only: Annotated[bool, typer.Option(help="Only read every contact back.")] = False,
    fresh: Annotated[bool, typer.Option(help="Discard the journal and start over.")] = False,
    retry_attempts: Annotated[
        int, typer.Option(min=1, max=20, help="Attempts per request (429/5xx/connection).")
    ] = 6,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No plan, progress or summary.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> int:
    """Opt contacts out of all email (HubSpot batch unsubscribe-all), resumably.

    Before anything is sent or written it checks the input, the output paths, the base URL,
    the token and its scopes. Exit status: 0 all confirmed; 1 some failed; 2 usage error;
    3 all confirmed but malformed lines; 4 token refused (401); 5 missing scope (403);
    6 --verify found contacts not opted out; 7 base URL is not this API, or HubSpot
    unavailable; 8 base URL unreachable; 130 interrupted. Docs: commprefs_kit/bulk/README.md
    """
    prog = program_name()
    ui = ConsoleUI(prog, quiet)
    try:
        source = None if input is None or str(input) == "-" else input
        to_stdout = output is not None and str(output) == "-"
        out = None if to_stdout else (output or default_output(source))
        settings = Settings(
            input=source,
            fmt=resolve_format(fmt, source, column),
            fmt_guessed=fmt is InputFormat.AUTO and column is None,
            column=column,
            encoding=check_encoding(encoding),
            output=out,
            journal=journal or journal_path_for(out or default_output(source)),
            batch_size=batch_size,
            rate=_parse_rate(rate),
            concurrency=concurrency,
            business_unit_id=business_unit_id,
            base_url=base_url,
            verify=verify,
            verify_only=verify_only,
            retry_attempts=retry_attempts,
            dry_run=dry_run,
            fresh=fresh,
            token_file=token_file,
            summary_json=summary_json,
        )
        return int(run_job(settings, ui))
    except (UsageProblem, InputError) as exc:
        _say(f"{prog}: error: {exc}")
        return int(ExitCode.USAGE)
    except JobFailed as exc:
        _say(f"{prog}: error: {exc}")
        return int(exc.code)


def app(argv: list[str] | None = None) -> None:
    """The console script `unsubscribe-all` and `python -m commprefs_kit.bulk`."""
    prog = program_name()
    command = typer.main.get_command(_typer)
    try:
        code = command.main(
            args=sys.argv[1:] if argv is None else argv, prog_name=prog, standalone_mode=False
        )
    except typer.Exit as exc:
        code = exc.exit_code
    except typer.Abort:
        _say(f"{prog}: interrupted")
        code = ExitCode.INTERRUPTED
    except typer.TyperException as exc:  # typer's (click's) usage errors: one line, status 2
        text = getattr(exc, "format_message", exc.__str__)()
        message = " ".join(str(text).split())
        _say(f"{prog}: error: {message} (see {prog} --help)")
        code = ExitCode.USAGE
    except (KeyboardInterrupt, asyncio.CancelledError):  # Ctrl-C or SIGTERM before sending
        _say(f"{prog}: interrupted")
        code = ExitCode.INTERRUPTED
    sys.exit(int(code or 0))


__all__ = ["DEFAULT_MAX_ATTEMPTS", "app", "main", "program_name"]
