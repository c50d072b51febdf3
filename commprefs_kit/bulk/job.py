"""The bulk job behind `unsubscribe-all`, without a command line or a terminal.

Phases (commprefs_kit/bulk/README.md):

1. checks that need no network and write nothing: the input, the output paths, the
   token and the base URL;
2. preflight: empty batches prove the base URL, the token and its scopes (skipped by
   --dry-run);
3. read the input into the journal (once; checked again on a resume) and refuse input
   without work; a journal this run created is removed again when it stops here;
4. the plan (--dry-run stops here), send what is not confirmed yet, optionally read every
   contact back (--verify), then write the result file from the journal, atomically, and
   the summary (--summary-json).

What is shown, and how, is the caller's: it passes a `JobUI` (cli.py renders it with rich).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import tempfile
import time
from collections.abc import Coroutine, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import httpx
import orjson
from hubspot_communication_preferences import (
    AuthenticatedClient,
    ClientConfigurationError,
    RetryPolicy,
    make_client,
)

from commprefs_kit.bulk.engine import unsubscribe_all
from commprefs_kit.bulk.exitcodes import ExitCode
from commprefs_kit.bulk.inputs import (
    LEGACY_ENCODING_HINT,
    Address,
    InputError,
    InputFormat,
    Malformed,
    ReadStats,
    check_input_path,
    open_input,
    read_records,
    suggest_reading,
)
from commprefs_kit.bulk.journal import (
    IngestStats,
    Journal,
    JournalCounts,
    JournalError,
    remove_journal,
)
from commprefs_kit.bulk.preflight import (
    PreflightError,
    check_base_url,
    check_token,
    check_writable,
    probe,
)
from commprefs_kit.bulk.ratelimit import PacedTransport, Rate
from commprefs_kit.bulk.results import (
    ErrorInfo,
    jsonl_chunks,
    write_atomically,
    write_results_atomically,
)
from commprefs_kit.bulk.sender import RunStopped, StopKind
from commprefs_kit.bulk.spec_facts import SEND_OPERATION, scopes_text
from commprefs_kit.bulk.verify import verify_opted_out

TOKEN_ENV = "HUBSPOT_ACCESS_TOKEN"
BASE_URL_ENV = "HUBSPOT_BASE_URL"
SHOW_MALFORMED = 20
NORMALISATION = "lowercase-all/1"  # part of the job identity: a change means a new journal
USER_AGENT = "commprefs-kit-unsubscribe-all/0.1"
#: Preflight retries: enough for a passing 429 or 503, short for a host that is not there.
PREFLIGHT_RETRY = RetryPolicy(max_attempts=3, backoff_base=0.5, max_total_wait=30.0)


class UsageError(Exception):
    """Bad arguments or input: exit status 2, nothing sent, no file left behind."""


@dataclass(frozen=True, slots=True)
class Settings:
    input: Path | None  # None: stdin
    fmt: InputFormat  # resolved (never AUTO)
    fmt_guessed: bool  # the format came from the file name, not from --format/--column
    column: str | None
    encoding: str | None  # None: UTF-8 (BOMs followed)
    output: Path | None  # None: the results go to stdout
    journal: Path
    batch_size: int
    rate: Rate | None
    concurrency: int
    business_unit_id: int | None
    base_url: str
    verify: bool
    verify_only: bool
    retry_attempts: int
    dry_run: bool = False
    fresh: bool = False
    token_file: Path | None = None
    summary_json: Path | None = None


def default_output(input_path: Path | None) -> Path:
    if input_path is None:
        return Path("unsubscribe-all.results.jsonl")
    return input_path.with_name(input_path.stem + ".results.jsonl")


# --- what the caller shows -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plan:
    input_name: str
    column: str | None
    lines: int
    blank: int
    invalid: int
    valid_lines: int
    distinct: int
    duplicates: int
    confirmed: int
    to_send: int
    batches: int
    requests: int
    batch_size: int
    rate: Rate | None
    concurrency: int
    output_name: str
    journal_name: str
    malformed: list[Malformed] = field(default_factory=list)  # the first SHOW_MALFORMED

    @property
    def estimated_seconds(self) -> float | None:
        return None if self.rate is None else self.requests / self.rate.per_second


@dataclass(frozen=True, slots=True)
class Report:
    code: ExitCode
    counts: JournalCounts
    written: int
    output_name: str
    verified: bool  # --verify or --verify-only ran
    stop: RunStopped | None = None
    interrupted: bool = False


class Phase(Protocol):
    def advance(self, ok: bool) -> None: ...


class JobUI(Protocol):
    """What the job tells its caller; every method returns quickly."""

    def plan(self, plan: Plan, dry_run: bool) -> None: ...

    def warn(self, text: str) -> None: ...

    def phase(self, name: str, total: int) -> AbstractContextManager[Phase]: ...

    def waiting(self, seconds: float, reason: str) -> None: ...

    def report(self, report: Report) -> None: ...


# --- checks before anything is sent or written ---------------------------------------


def _token_source(settings: Settings) -> str:
    return f"--token-file {settings.token_file}" if settings.token_file else TOKEN_ENV


def read_token(settings: Settings) -> str:
    if settings.token_file is not None:
        path = settings.token_file
        try:
            token = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "not UTF-8 text"
            raise UsageError(f"cannot read --token-file {path}: {reason}") from None
        if not token:
            raise UsageError(f"--token-file {path} is empty")
    else:
        token = os.environ.get(TOKEN_ENV, "").strip()
        if not token:
            raise UsageError(
                f"no token: set {TOKEN_ENV} or pass --token-file (a private app or OAuth access "
                f"token with the scope {scopes_text(SEND_OPERATION)})"
            )
    try:
        check_token(token, _token_source(settings))
    except PreflightError as exc:
        raise UsageError(str(exc)) from None
    return token


def _check_paths(settings: Settings) -> None:
    if settings.input is not None:
        check_input_path(settings.input, settings.encoding)
    targets: list[tuple[Path, str]] = []
    if settings.output is not None:
        if settings.input is not None and _same_file(settings.output, settings.input):
            raise UsageError(
                f"--output {settings.output} is the input file; give another result file"
            )
        if not settings.dry_run:
            targets.append((settings.output, "the result file"))
    if not settings.dry_run:
        targets.append((settings.journal, "the journal"))
    if settings.summary_json is not None:
        targets.append((settings.summary_json, "the summary"))
    for path, what in targets:
        try:
            check_writable(path, what)
        except PreflightError as exc:
            raise UsageError(str(exc)) from None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


# --- the job ---------------------------------------------------------------------------


class _Job:
    def __init__(self, settings: Settings, ui: JobUI) -> None:
        self.settings = settings
        self.ui = ui
        self.last_status: int | None = None
        self.sending = False  # once True, the journal holds progress and is never removed
        self.preflight_done: float | None = None  # time.monotonic() of its last request

    def job_identity(self) -> dict[str, object]:
        s = self.settings
        source = "-" if s.input is None else str(s.input.resolve())
        return {
            "input": source,
            "format": s.fmt.value,
            "column": s.column,
            "businessUnitId": s.business_unit_id,
            "baseUrl": s.base_url.rstrip("/"),
            "normalisation": NORMALISATION,
        }

    # -- clients ----------------------------------------------------------------------

    async def _sleep(self, seconds: float) -> None:
        """The client's retry wait, shown by the caller (a 429's Retry-After, or backoff)."""
        if seconds > 0:
            reason = (
                "HubSpot answered 429 (rate limit)"
                if self.last_status == 429
                else "retrying after an error"
            )
            self.ui.waiting(seconds, reason)
        await asyncio.sleep(seconds)

    def client(self, token: str, retry: RetryPolicy) -> AuthenticatedClient:
        s = self.settings
        inner: httpx.AsyncBaseTransport = _Observed(
            httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=s.concurrency * 2)),
            self,
        )
        if s.rate is not None:
            inner = PacedTransport(inner, s.rate.limiter())  # one per event loop
        try:
            return make_client(
                token,
                base_url=s.base_url,
                retry=retry,
                async_transport=inner,
                headers={"User-Agent": USER_AGENT},
            )
        except ClientConfigurationError as exc:  # the message never repeats the token
            raise UsageError(str(exc)) from None

    def run_retry(self) -> RetryPolicy:
        return RetryPolicy(max_attempts=self.settings.retry_attempts, async_sleep=self._sleep)

    # -- input ------------------------------------------------------------------------

    def ingest(self, journal: Journal) -> tuple[IngestStats, ReadStats, list[Malformed]]:
        s = self.settings
        stats = ReadStats()
        shown: list[Malformed] = []

        def records() -> Iterator[Address | Malformed]:
            for record in read_records(stream, s.fmt, s.column, stats):
                if isinstance(record, Malformed) and len(shown) < SHOW_MALFORMED:
                    shown.append(record)
                yield record

        stream = open_input(s.input, s.encoding)
        try:
            ingest = journal.ingest(records())
        finally:
            if s.input is not None:
                stream.close()
        return ingest, stats, shown

    def check_work(self, stats: ReadStats, ingest: IngestStats) -> None:
        """Refuse input without an address, or input most likely read the wrong way."""
        s = self.settings
        name = "stdin" if s.input is None else str(s.input)
        encoding_hint = ""
        if stats.undecodable and s.encoding is None:
            encoding_hint = (
                f"{stats.undecodable:,} line(s) hold bytes that are not UTF-8 (first: line "
                f"{stats.first_undecodable}); if it is a Windows or Latin-1 export, pass "
                f"--encoding {LEGACY_ENCODING_HINT} (or latin-1)"
            )
        reading = suggest_reading(stats.sample, s.fmt, s.column)
        if ingest.valid_lines == 0:
            if ingest.invalid == 0:
                if stats.header is not None:
                    raise UsageError(
                        f"{name} has a header row ({stats.header.strip()!r}) but no address: "
                        "there is nothing to opt out"
                    )
                raise UsageError(f"{name} holds no address (empty or blank lines only)")
            problem = (
                f"no address found in {name}: all {ingest.invalid:,} non-blank line(s) are "
                "malformed"
            )
            if reading:
                raise UsageError(f"{problem}; it looks like CSV: pass {reading}")
            if encoding_hint:
                raise UsageError(f"{problem}; {encoding_hint}")
            raise UsageError(f"{problem} (see them with --dry-run)")
        if reading and s.fmt_guessed and ingest.invalid > ingest.valid_lines:
            other = "--format lines" if s.fmt is InputFormat.LINES else "--format csv"
            raise UsageError(
                f"{ingest.invalid:,} of {ingest.invalid + ingest.valid_lines:,} lines of {name} "
                f"are malformed; it looks like CSV: pass {reading} (or {other} to send the "
                f"{ingest.valid_lines:,} address(es) read as they are)"
            )
        if encoding_hint:
            self.ui.warn(encoding_hint)

    def plan(
        self, stats: ReadStats, ingest: IngestStats, counts: JournalCounts, shown: list[Malformed]
    ) -> Plan:
        s = self.settings
        batches = -(-counts.to_send // s.batch_size)
        verify_batches = -(-counts.distinct // s.batch_size) if s.verify or s.verify_only else 0
        requests = (0 if s.verify_only else batches) + verify_batches
        return Plan(
            input_name="stdin" if s.input is None else str(s.input),
            column=stats.column,
            lines=stats.lines,
            blank=stats.blank,
            invalid=ingest.invalid,
            valid_lines=ingest.valid_lines,
            distinct=counts.distinct,
            duplicates=counts.duplicates,
            confirmed=counts.confirmed,
            to_send=counts.to_send,
            batches=batches,
            requests=requests,
            batch_size=s.batch_size,
            rate=s.rate,
            concurrency=s.concurrency,
            output_name="stdout" if s.output is None else str(s.output),
            journal_name=str(s.journal),
            malformed=shown,
        )

    # -- network ----------------------------------------------------------------------

    async def send(self, journal: Journal, client: AuthenticatedClient, todo: int) -> None:
        s = self.settings
        with self.ui.phase("opting out", todo) as phase:
            async for result in unsubscribe_all(
                journal.unconfirmed(),
                client=client,
                batch_size=s.batch_size,
                rate=None,  # the client's transport paces every attempt, retries included
                concurrency=s.concurrency,
                business_unit_id=s.business_unit_id,
                journal=journal,
                prepared=True,  # distinct, normalised and unconfirmed: straight from the journal
            ):
                phase.advance(result.outcome.confirmed)

    async def verify(self, journal: Journal, client: AuthenticatedClient, total: int) -> None:
        s = self.settings
        pending: list[tuple[str, bool | None, str | None]] = []
        with self.ui.phase("verifying", total) as phase:
            try:
                async for item in verify_opted_out(
                    journal.all_addresses(),
                    client=client,
                    batch_size=s.batch_size,
                    rate=None,
                    concurrency=s.concurrency,
                    business_unit_id=s.business_unit_id,
                ):
                    pending.append((item.address, item.opted_out, item.note))
                    if len(pending) >= s.batch_size:
                        journal.record_verified(pending)
                        pending = []
                    phase.advance(item.opted_out is True)
            finally:
                if pending:
                    journal.record_verified(pending)

    async def network(self, journal: Journal, token: str, counts: JournalCounts) -> None:
        s = self.settings
        if s.rate is not None and self.preflight_done is not None:
            # The preflight counts against the budget: the first request of the run comes
            # at least one pacing interval after its last one, as if paced by one limiter.
            await asyncio.sleep(self.preflight_done + s.rate.interval - time.monotonic())
        async with self.client(token, self.run_retry()) as client:
            if not s.verify_only and counts.to_send:
                await self.send(journal, client, counts.to_send)
            if s.verify or s.verify_only:
                await self.verify(journal, client, journal.counts().distinct)

    async def preflight(self, token: str) -> None:
        s = self.settings
        async with self.client(token, PREFLIGHT_RETRY) as client:
            await probe(
                client,
                s.base_url,
                send=not s.verify_only,
                read_back=s.verify or s.verify_only,
                business_unit_id=s.business_unit_id,
                token_source=_token_source(s),
            )
        self.preflight_done = time.monotonic()

    # -- the whole run ----------------------------------------------------------------

    def run(self) -> Report | None:
        """The report, or None after a dry run."""
        s = self.settings
        _check_paths(s)
        token = ""
        if not s.dry_run:
            token = read_token(s)
            self.client(token, PREFLIGHT_RETRY)  # the client's own checks, before any request
            _run_async(self.preflight(token))
        if s.fresh and not s.dry_run:
            remove_journal(s.journal)
        with self.open_journal() as journal:
            journal.bind_job(self.job_identity())
            ingest, stats, shown = self.ingest(journal)
            self.check_work(stats, ingest)
            counts = journal.counts()
            self.ui.plan(self.plan(stats, ingest, counts, shown), s.dry_run)
            if s.dry_run:
                self.write_summary(None, counts, dry_run=True)
                return None
            return self.network_phases(journal, token, counts)

    @contextmanager
    def open_journal(self) -> Iterator[Journal]:
        """The job's journal; a dry run without one (or --fresh) uses a throw-away journal.

        A journal this run created is removed again if the run stops before sending.
        """
        s = self.settings
        if s.dry_run and (s.fresh or not s.journal.exists()):
            with (
                tempfile.TemporaryDirectory(prefix="unsubscribe-all-") as tmp,
                Journal(Path(tmp) / "plan.journal") as journal,
            ):
                yield journal
            return
        lock = Path(f"{s.journal}.lock")
        created, lock_created = not s.journal.exists(), not lock.exists()
        journal = Journal(s.journal)
        try:
            yield journal
        except BaseException:
            journal.close()
            if created and not self.sending:
                remove_journal(s.journal)
                if lock_created:
                    lock.unlink(missing_ok=True)
            raise
        finally:
            journal.close()

    def network_phases(self, journal: Journal, token: str, counts: JournalCounts) -> Report:
        s = self.settings
        self.sending = True
        stop: RunStopped | None = None
        interrupted = False
        try:
            _run_async(self.network(journal, token, counts))
        except RunStopped as exc:
            stop = exc
        except (KeyboardInterrupt, asyncio.CancelledError):
            interrupted = True
        try:
            written = self.write_results(journal, _not_confirmed_reason(stop, interrupted))
        except OSError as exc:
            where = "stdout" if s.output is None else str(s.output)
            raise JobFailed(
                ExitCode.FAILED,
                f"cannot write the results to {where}: {exc.strerror or exc}; every outcome is "
                f"kept in the journal {s.journal}: rerun the same command to write them",
            ) from None
        counts = journal.counts()
        code = ExitCode.INTERRUPTED if interrupted else _exit_code(counts, stop, s)
        report = Report(
            code=code,
            counts=counts,
            written=written,
            output_name="stdout" if s.output is None else str(s.output),
            verified=s.verify or s.verify_only,
            stop=stop,
            interrupted=interrupted,
        )
        self.write_summary(report, counts, dry_run=False)
        self.ui.report(report)
        return report

    def write_results(self, journal: Journal, reason: ErrorInfo) -> int:
        """The result file (or stdout), from the journal; a file is replaced atomically."""
        output = self.settings.output
        if output is not None and output.suffix.lower() == ".csv":
            return write_results_atomically(output, journal.results(reason))
        count = 0

        def counted() -> Iterator[dict[str, object]]:
            nonlocal count
            for document in journal.result_documents(reason):
                count += 1
                yield document

        if output is None:
            sink = sys.stdout.buffer
            try:
                for chunk in jsonl_chunks(counted()):
                    sink.write(chunk)
                sink.flush()
            except BrokenPipeError:  # `... -o - | head`: the reader left; the journal has all
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        else:
            write_atomically(output, jsonl_chunks(counted()))
        return count

    def write_summary(self, report: Report | None, counts: JournalCounts, dry_run: bool) -> None:
        s = self.settings
        if s.summary_json is None:
            return
        document: dict[str, Any] = {
            "exitStatus": 0 if report is None else int(report.code),
            "outcome": "dry_run" if report is None else report.code.name.lower(),
            "dryRun": dry_run,
            "input": "-" if s.input is None else str(s.input),
            "resultFile": None if dry_run else ("-" if s.output is None else str(s.output)),
            "journal": None if dry_run else str(s.journal),
            "baseUrl": s.base_url,
            "businessUnitId": s.business_unit_id,
            "counts": {
                "distinct": counts.distinct,
                "unsubscribed": counts.unsubscribed,
                "alreadyUnsubscribed": counts.already_unsubscribed,
                "failed": counts.failed + counts.pending,
                "invalidLines": counts.invalid,
                "duplicates": counts.duplicates,
                "confirmed": counts.confirmed,
            },
        }
        if s.verify or s.verify_only:
            document["counts"]["verifiedOptedOut"] = counts.verified_ok
            document["counts"]["verifiedNotOptedOut"] = counts.distinct - counts.verified_ok
        if report is not None:
            document["recordsWritten"] = report.written
            document["interrupted"] = report.interrupted
            document["stopped"] = (
                None
                if report.stop is None
                else {
                    "kind": report.stop.kind.value,
                    "message": str(report.stop),
                    **report.stop.error.to_dict(),
                }
            )
        body = orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"
        write_atomically(s.summary_json, [body])


class _Observed(httpx.AsyncBaseTransport):
    """Remembers the last status seen under the retries, to say why a retry waits."""

    def __init__(self, inner: httpx.AsyncBaseTransport, job: _Job) -> None:
        self._inner = inner
        self._job = job

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        self._job.last_status = response.status_code
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


def _run_async(coro: Coroutine[Any, Any, Any]) -> None:
    """Run network work; SIGTERM cancels it like Ctrl-C (progress is journaled)."""

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


class JobFailed(Exception):
    """The job could not start: one line for stderr and the exit status."""

    def __init__(self, code: ExitCode, message: str) -> None:
        self.code = code
        super().__init__(message)


def run_job(settings: Settings, ui: JobUI) -> ExitCode:
    """Run the whole job; `JobFailed` (one line, an exit status) when it cannot start."""
    try:
        settings = replace(settings, base_url=check_base_url(settings.base_url))
        report = _Job(settings, ui).run()
    except (UsageError, InputError, JournalError) as exc:
        raise JobFailed(ExitCode.USAGE, str(exc)) from None
    except PreflightError as exc:
        raise JobFailed(exc.code, str(exc)) from None
    return ExitCode.OK if report is None else report.code


__all__ = [
    "BASE_URL_ENV",
    "TOKEN_ENV",
    "JobFailed",
    "JobUI",
    "Phase",
    "Plan",
    "Report",
    "Settings",
    "UsageError",
    "default_output",
    "run_job",
]
