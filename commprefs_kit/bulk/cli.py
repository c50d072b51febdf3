"""`unsubscribe-all`: the command line over `unsubscribe_all` (typer + rich progress).

Phases: read the input into the journal (once; checked again on a resume), show the
plan (--dry-run stops here), send what is not confirmed yet, optionally read every
contact back (--verify), then write the result file from the journal, atomically.
"""

from __future__ import annotations

import asyncio
import os
import signal
import tempfile
import time
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from hubspot_communication_preferences import (
    DEFAULT_BASE_URL,
    AuthenticatedClient,
    RetryPolicy,
    make_client,
)
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from commprefs_kit.bulk.engine import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_ATTEMPTS,
    unsubscribe_all,
)
from commprefs_kit.bulk.exitcodes import ExitCode
from commprefs_kit.bulk.inputs import (
    Address,
    InputError,
    InputFormat,
    Malformed,
    ReadStats,
    open_input,
    read_records,
    resolve_format,
)
from commprefs_kit.bulk.journal import (
    IngestStats,
    Journal,
    JournalCounts,
    JournalError,
    journal_path_for,
    remove_journal,
)
from commprefs_kit.bulk.ratelimit import PacedTransport, Rate
from commprefs_kit.bulk.results import (
    ErrorInfo,
    jsonl_chunks,
    write_atomically,
    write_results_atomically,
)
from commprefs_kit.bulk.sender import RunStopped, StopKind
from commprefs_kit.bulk.verify import verify_opted_out

TOKEN_ENV = "HUBSPOT_ACCESS_TOKEN"
BASE_URL_ENV = "HUBSPOT_BASE_URL"
SHOW_MALFORMED = 20
NORMALISATION = "lowercase-all/1"  # part of the job identity: a change means a new journal

app = typer.Typer(add_completion=False, no_args_is_help=False, rich_markup_mode=None)
err = Console(stderr=True, highlight=False)


class UsageError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Settings:
    input: Path | None
    fmt: InputFormat
    column: str | None
    output: Path
    journal: Path
    batch_size: int
    rate: Rate | None
    concurrency: int
    business_unit_id: int | None
    base_url: str
    verify: bool
    verify_only: bool
    quiet: bool
    retry_attempts: int


def _read_token(token_file: Path | None) -> str:
    if token_file is not None:
        try:
            token = token_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise UsageError(f"cannot read --token-file {token_file}: {exc.strerror}") from exc
        if not token:
            raise UsageError(f"--token-file {token_file} is empty")
        return token
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise UsageError(
            f"no token: set {TOKEN_ENV} or pass --token-file (a private app or OAuth access "
            "token with the scope communication_preferences.statuses.batch.write)"
        )
    return token


def _default_output(input_path: Path | None) -> Path:
    if input_path is None or str(input_path) == "-":
        return Path("unsubscribe-all.results.jsonl")
    return input_path.with_name(input_path.stem + ".results.jsonl")


def _job(settings: Settings) -> dict[str, object]:
    source = "-" if settings.input is None else str(settings.input.resolve())
    return {
        "input": source,
        "format": settings.fmt.value,
        "column": settings.column,
        "businessUnitId": settings.business_unit_id,
        "baseUrl": settings.base_url.rstrip("/"),
        "normalisation": NORMALISATION,
    }


def _ingest(journal: Journal, settings: Settings) -> tuple[IngestStats, ReadStats, list[Malformed]]:
    stats = ReadStats()
    shown: list[Malformed] = []

    def records() -> Iterator[Address | Malformed]:
        for record in read_records(stream, settings.fmt, settings.column, stats):
            if isinstance(record, Malformed) and len(shown) < SHOW_MALFORMED:
                shown.append(record)
            yield record

    stream = open_input(settings.input)
    try:
        ingest = journal.ingest(records())
    finally:
        if settings.input is not None:
            stream.close()
    return ingest, stats, shown


def _plan_table(
    settings: Settings, stats: ReadStats, ingest: IngestStats, counts: JournalCounts
) -> Table:
    table = Table(title="Plan", show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("input", Text("stdin" if settings.input is None else str(settings.input)))
    if stats.column:
        table.add_row("email column", Text(stats.column))
    table.add_row("lines read", f"{stats.lines:,} ({stats.blank:,} blank)")
    table.add_row("malformed lines", f"{ingest.invalid:,}")
    table.add_row(
        "addresses",
        f"{ingest.valid_lines:,} valid, {counts.distinct:,} distinct "
        f"({counts.duplicates:,} duplicates)",
    )
    table.add_row("confirmed earlier", f"{counts.confirmed:,} (from the journal)")
    batches = -(-counts.to_send // settings.batch_size)
    table.add_row(
        "to send",
        f"{counts.to_send:,} contacts in {batches:,} batch(es) of <= {settings.batch_size}",
    )
    verify_batches = -(-counts.distinct // settings.batch_size) if settings.verify else 0
    requests = (0 if settings.verify_only else batches) + verify_batches
    table.add_row("requests", f"{requests:,} (without retries)")
    if settings.rate is None:
        table.add_row("budget", f"no limit, {settings.concurrency} concurrent requests")
    else:
        rate = settings.rate
        table.add_row(
            "budget",
            f"{rate} (paced at {rate.per_second:.1f} req/s), "
            f"{settings.concurrency} concurrent requests",
        )
        table.add_row("estimated time", f"{_duration(requests / rate.per_second)} at the budget")
    table.add_row("result file", Text(str(settings.output)))
    table.add_row("journal", Text(str(settings.journal)))
    return table


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min {secs} s"


def _show_malformed(shown: list[Malformed], total: int) -> None:
    if not shown:
        return
    table = Table(title=f"Malformed lines ({total:,}; not sent)", title_justify="left")
    table.add_column("line", justify="right")
    table.add_column("content", overflow="fold")
    table.add_column("reason")
    for record in shown:
        table.add_row(str(record.line_no), Text(record.content), Text(record.reason))
    err.print(table)
    if total > len(shown):
        err.print(f"... and {total - len(shown):,} more (all are in the result file)")


def _progress(quiet: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[speed]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TextColumn("[red]{task.fields[errors]}"),
        console=err,
        disable=quiet or not err.is_terminal,
        transient=False,
    )


class _Meter:
    """Contacts per second since the phase started, for the progress line and summary."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.done = 0
        self.failed = 0

    def speed(self) -> str:
        elapsed = max(time.monotonic() - self.start, 1e-9)
        return f"{self.done / elapsed:,.0f}/s"


async def _send(
    journal: Journal, settings: Settings, client: AuthenticatedClient, todo: int
) -> None:
    meter = _Meter()
    with _progress(settings.quiet) as progress:
        task = progress.add_task("opting out", total=todo, speed="", errors="")
        async for result in unsubscribe_all(
            journal.unconfirmed(),
            client=client,
            batch_size=settings.batch_size,
            rate=None,  # the client's transport paces every attempt, retries included
            concurrency=settings.concurrency,
            business_unit_id=settings.business_unit_id,
            journal=journal,
            prepared=True,  # distinct, normalised and unconfirmed: straight from the journal
        ):
            meter.done += 1
            if not result.outcome.confirmed:
                meter.failed += 1
            progress.update(
                task,
                advance=1,
                speed=meter.speed(),
                errors=f"{meter.failed:,} failed" if meter.failed else "",
            )
    if not settings.quiet:
        err.print(f"sent {meter.done:,} contacts at {meter.speed()} ({meter.failed:,} failed)")


async def _verify(
    journal: Journal, settings: Settings, client: AuthenticatedClient, total: int
) -> None:
    meter = _Meter()
    pending: list[tuple[str, bool | None, str | None]] = []
    with _progress(settings.quiet) as progress:
        task = progress.add_task("verifying", total=total, speed="", errors="")
        try:
            async for item in verify_opted_out(
                journal.all_addresses(),
                client=client,
                batch_size=settings.batch_size,
                rate=None,
                concurrency=settings.concurrency,
                business_unit_id=settings.business_unit_id,
            ):
                pending.append((item.address, item.opted_out, item.note))
                meter.done += 1
                if item.opted_out is not True:
                    meter.failed += 1
                if len(pending) >= settings.batch_size:
                    journal.record_verified(pending)
                    pending = []
                progress.update(
                    task,
                    advance=1,
                    speed=meter.speed(),
                    errors=f"{meter.failed:,} not opted out" if meter.failed else "",
                )
        finally:
            if pending:
                journal.record_verified(pending)


def _paced_client(token: str, settings: Settings) -> AuthenticatedClient:
    inner: httpx.AsyncBaseTransport = httpx.AsyncHTTPTransport(
        limits=httpx.Limits(max_connections=settings.concurrency * 2)
    )
    if settings.rate is not None:
        inner = PacedTransport(inner, settings.rate.limiter())
    try:
        return make_client(
            token,
            base_url=settings.base_url,
            retry=RetryPolicy(max_attempts=settings.retry_attempts),
            async_transport=inner,
            headers={"User-Agent": "commprefs-kit-unsubscribe-all/0.1"},
        )
    except ValueError as exc:  # a malformed token (the message does not repeat it)
        raise UsageError(str(exc)) from None


async def _network_phases(
    journal: Journal, settings: Settings, token: str, counts: JournalCounts
) -> None:
    client = _paced_client(token, settings)
    async with client:
        if not settings.verify_only and counts.to_send:
            await _send(journal, settings, client, counts.to_send)
        if settings.verify or settings.verify_only:
            await _verify(journal, settings, client, journal.counts().distinct)


def _run_async(coro: Coroutine[Any, Any, None]) -> None:
    """Run the network phases; SIGTERM cancels them like Ctrl-C (progress is journaled)."""

    async def main() -> None:
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        if task is not None:
            loop.add_signal_handler(signal.SIGTERM, task.cancel)
        try:
            await coro
        finally:
            loop.remove_signal_handler(signal.SIGTERM)

    asyncio.run(main())


def _exit_code(counts: JournalCounts, stop: RunStopped | None, settings: Settings) -> ExitCode:
    if stop is not None:
        return {
            StopKind.AUTHENTICATION: ExitCode.AUTHENTICATION,
            StopKind.SCOPES: ExitCode.SCOPES,
        }.get(stop.kind, ExitCode.STOPPED)
    if not settings.verify_only and (counts.failed or counts.pending):
        return ExitCode.FAILED
    if (settings.verify or settings.verify_only) and counts.verified_ok < counts.distinct:
        return ExitCode.NOT_OPTED_OUT
    if counts.invalid:
        return ExitCode.INVALID_INPUT
    return ExitCode.OK


def _summary(counts: JournalCounts, settings: Settings, written: int) -> None:
    table = Table(title="Result", show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("unsubscribed", f"{counts.unsubscribed:,}")
    table.add_row("already unsubscribed", f"{counts.already_unsubscribed:,}")
    table.add_row("failed", f"{counts.failed + counts.pending:,}")
    table.add_row("invalid lines", f"{counts.invalid:,}")
    table.add_row("duplicates dropped", f"{counts.duplicates:,}")
    if settings.verify or settings.verify_only:
        table.add_row("verified opted out", f"{counts.verified_ok:,}")
        not_ok = counts.distinct - counts.verified_ok
        table.add_row("NOT opted out / unreadable", f"{not_ok:,}")
    err.print(table)
    err.print(f"{written:,} records written to {settings.output}")


def run(settings: Settings, token_file: Path | None, dry_run: bool, fresh: bool) -> ExitCode:
    token = "" if dry_run else _read_token(token_file)
    if fresh and not dry_run:
        remove_journal(settings.journal)
    with _journal_for(settings, dry_run) as journal:
        journal.bind_job(_job(settings))
        ingest, stats, shown = _ingest(journal, settings)
        counts = journal.counts()
        if dry_run or not settings.quiet:
            err.print(_plan_table(settings, stats, ingest, counts))
            _show_malformed(shown, ingest.invalid)
        if dry_run:
            err.print("dry run: nothing was sent")
            return ExitCode.OK
        stop: RunStopped | None = None
        interrupted = False
        try:
            _run_async(_network_phases(journal, settings, token, counts))
        except RunStopped as exc:
            stop = exc
        except (KeyboardInterrupt, asyncio.CancelledError):
            interrupted = True
        reason = _not_confirmed_reason(stop, interrupted)
        written = _write_results(journal, settings.output, reason)
        counts = journal.counts()
        if not settings.quiet:
            _summary(counts, settings, written)
        if stop is not None:
            err.print(f"[bold red]stopped:[/] {stop}")
            err.print("contacts confirmed so far are journaled; rerun the same command to resume")
        if interrupted:
            err.print("interrupted: progress is journaled; rerun the same command to resume")
            return ExitCode.INTERRUPTED
        return _exit_code(counts, stop, settings)


def _write_results(journal: Journal, output: Path, reason: ErrorInfo) -> int:
    """The result file, from the journal, replaced atomically."""
    if output.suffix.lower() == ".csv":
        return write_results_atomically(output, journal.results(reason))
    count = 0

    def counted() -> Iterator[dict[str, object]]:
        nonlocal count
        for document in journal.result_documents(reason):
            count += 1
            yield document

    write_atomically(output, jsonl_chunks(counted()))
    return count


def _not_confirmed_reason(stop: RunStopped | None, interrupted: bool) -> ErrorInfo:
    if stop is not None:
        return ErrorInfo(
            "NOT_CONFIRMED",
            f"not sent or not confirmed: the run stopped ({stop.error.category}); rerun to resume",
            stop.error.correlation_id,
            stop.error.http_status,
        )
    if interrupted:
        return ErrorInfo("NOT_CONFIRMED", "not confirmed: the run was interrupted; rerun to resume")
    return ErrorInfo("NOT_CONFIRMED", "not confirmed")


@contextmanager
def _journal_for(settings: Settings, dry_run: bool) -> Iterator[Journal]:
    """The job's journal; a dry run without one uses a throw-away journal."""
    if dry_run and not settings.journal.exists():
        with (
            tempfile.TemporaryDirectory(prefix="unsubscribe-all-") as tmp,
            Journal(Path(tmp) / "plan.journal") as journal,
        ):
            yield journal
        return
    settings.journal.parent.mkdir(parents=True, exist_ok=True)
    with Journal(settings.journal) as journal:
        yield journal


def _parse_rate(text: str) -> Rate | None:
    if text.strip().lower() in {"off", "none", "0"}:
        return None
    try:
        return Rate.parse(text)
    except ValueError as exc:
        raise UsageError(f"--rate: {exc}") from None


@app.command()
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
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Result file (.jsonl, or .csv). Default: INPUT.results.jsonl."
        ),
    ] = None,
    journal: Annotated[
        Path | None, typer.Option(help="Resume journal. Default: OUTPUT.journal.")
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
        str, typer.Option(envvar=BASE_URL_ENV, help="API base URL (a mock for tests).")
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
) -> None:
    """Opt contacts out of all email (HubSpot batch unsubscribe-all), resumably.

    Exit status: 0 all confirmed; 1 some failed; 2 usage error; 3 all confirmed but
    malformed lines; 4 token refused (401); 5 missing scope (403); 6 --verify found
    contacts not opted out; 7 wrong base URL or HubSpot unavailable; 130 interrupted.
    """
    try:
        parsed_rate = _parse_rate(rate)
        source = None if input is None or str(input) == "-" else input
        out = output or _default_output(source)
        settings = Settings(
            input=source,
            fmt=resolve_format(fmt, source, column),
            column=column,
            output=out,
            journal=journal or journal_path_for(out),
            batch_size=batch_size,
            rate=parsed_rate,
            concurrency=concurrency,
            business_unit_id=business_unit_id,
            base_url=base_url,
            verify=verify,
            verify_only=verify_only,
            quiet=quiet,
            retry_attempts=retry_attempts,
        )
        code = run(settings, token_file, dry_run, fresh)
    except (UsageError, InputError, JournalError) as exc:
        err.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(ExitCode.USAGE) from None
    raise typer.Exit(int(code))


__all__ = ["DEFAULT_MAX_ATTEMPTS", "app", "main"]
