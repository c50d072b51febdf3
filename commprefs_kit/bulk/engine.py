"""`unsubscribe_all`: the bulk opt-out as an async library call (the CLI is a thin layer).

    async for result in unsubscribe_all(addresses, client=make_client(token)):
        ...  # one ContactResult per distinct address (and per invalid input)

Guarantees:
- every distinct (normalised) address is yielded exactly once per call: confirmed
  (unsubscribed / already_unsubscribed), failed with a reason, or taken from the
  journal when an earlier run confirmed it; invalid inputs are yielded as invalid;
- a contact is confirmed only when HubSpot's 200 answer names it; contacts the answer
  leaves out are sent again (`max_attempts`), then reported failed;
- with a journal, each batch's outcomes are durable before they are yielded;
- a 401, 403 or a base URL that is not HubSpot's raises `RunStopped` at once (after
  yielding what is finished) instead of failing every remaining batch.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Protocol

from aiolimiter import AsyncLimiter
from hubspot_communication_preferences import AuthenticatedClient
from hubspot_communication_preferences.api.batch import batch_unsubscribe_all
from hubspot_communication_preferences.models.batch_input_string import BatchInputString
from hubspot_communication_preferences.models.batch_response_public_bulk_opt_out_from_all_response import (  # noqa: E501
    BatchResponsePublicBulkOptOutFromAllResponse,
)
from hubspot_communication_preferences.models.channel import Channel
from hubspot_communication_preferences.types import UNSET, Unset

from commprefs_kit.bulk.interpret import read_unsubscribe_answer
from commprefs_kit.bulk.journal import Admission
from commprefs_kit.bulk.normalise import Invalid, normalise_email
from commprefs_kit.bulk.pool import run_pool
from commprefs_kit.bulk.ratelimit import HUBSPOT_DEFAULT_RATE, Rate
from commprefs_kit.bulk.results import (
    ContactResult,
    ErrorInfo,
    Outcome,
    client_secrets,
    redact_result,
)
from commprefs_kit.bulk.sender import RunStopped, StopKind, Verdict, call

#: Default inputs per request. HubSpot's API reference documents no limit for this endpoint;
#: other HubSpot batch APIs take 100, the mock takes up to 1000 (mock_server/README.md).
DEFAULT_BATCH_SIZE = 100
DEFAULT_CONCURRENCY = 8  # in flight: 190/10s needs ~19 req/s, i.e. 8 covers 400 ms latency
#: Sends of one contact whose batch answered 200 but did not name it.
DEFAULT_MAX_ATTEMPTS = 3
#: Batches in a row that failed as a whole (after the transport's retries) before the
#: run stops as "HubSpot unavailable" instead of failing every remaining batch.
DEFAULT_MAX_FAILED_BATCHES = 10


class JournalLike(Protocol):
    """What `unsubscribe_all` needs from a journal (commprefs_kit.bulk.journal.Journal)."""

    def begin_run(self) -> None: ...

    def admit(self, address: str) -> ContactResult | Admission: ...

    def record(self, results: Sequence[ContactResult]) -> None: ...


@dataclass(frozen=True, slots=True)
class _Send:
    addresses: list[str]
    lines: Mapping[str, int]  # input position per address (none for prepared input)


@dataclass(frozen=True, slots=True)
class _Ready:
    results: list[ContactResult]


_Job = _Send | _Ready


class _MemorySeen:
    """De-duplication without a journal: an in-memory set (O(distinct addresses))."""

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def begin_run(self) -> None:
        self._seen.clear()

    def admit(self, address: str) -> ContactResult | Admission:
        if address in self._seen:
            return Admission.DUPLICATE
        self._seen.add(address)
        return Admission.NEW

    def record(self, results: Sequence[ContactResult]) -> None:
        return None


async def _aiter(addresses: Iterable[str] | AsyncIterable[str]) -> AsyncIterator[str]:
    if isinstance(addresses, AsyncIterable):
        async for item in addresses:
            yield item
        return
    for count, item in enumerate(addresses):
        if count % 512 == 511:
            await asyncio.sleep(0)  # let workers and progress run while we read
        yield item


async def _prepared_jobs(
    addresses: Iterable[str] | AsyncIterable[str], batch_size: int
) -> AsyncIterator[_Job]:
    batch: list[str] = []
    async for address in _aiter(addresses):
        batch.append(address)
        if len(batch) >= batch_size:
            yield _Send(batch, {})
            batch = []
    if batch:
        yield _Send(batch, {})


async def _jobs(
    addresses: Iterable[str] | AsyncIterable[str], journal: JournalLike, batch_size: int
) -> AsyncIterator[_Job]:
    batch: dict[str, int] = {}  # address -> input position, in input order
    ready: list[ContactResult] = []
    position = 0
    async for raw in _aiter(addresses):
        position += 1
        address = normalise_email(raw)
        if isinstance(address, Invalid):
            error = ErrorInfo("INVALID_INPUT", address.reason)
            ready.append(
                ContactResult(raw.strip(), Outcome.INVALID, error=error, line=position, content=raw)
            )
        else:
            admission = journal.admit(address)
            if isinstance(admission, ContactResult):
                ready.append(admission)
            elif admission is Admission.NEW:
                batch[address] = position
        if len(batch) >= batch_size:
            yield _Send(list(batch), batch)
            batch = {}
        if len(ready) >= batch_size:
            yield _Ready(ready)
            ready = []
    if batch:
        yield _Send(list(batch), batch)
    if ready:
        yield _Ready(ready)


@dataclass(slots=True)
class _Tally:
    """Whether a call of one job was answered 200, and whether one failed as a whole."""

    answered: bool = False
    failed: bool = False


class _Unsubscriber:
    def __init__(
        self,
        client: AuthenticatedClient,
        business_unit_id: int | None,
        pacer: AsyncLimiter | None,
        journal: JournalLike,
        max_attempts: int,
        max_failed_batches: int,
    ) -> None:
        self.client = client
        self.business_unit: int | Unset = UNSET if business_unit_id is None else business_unit_id
        self.pacer = pacer
        self.journal = journal
        self.max_attempts = max_attempts
        self.max_failed_batches = max_failed_batches
        self.failed_in_a_row = 0

    async def __call__(self, job: _Job) -> list[ContactResult]:
        if isinstance(job, _Ready):
            return job.results
        tally = _Tally()
        results = await self.settle(job.addresses, 1, tally)
        secrets = client_secrets(self.client)
        results = [
            redact_result(replace(r, line=job.lines.get(r.address)), secrets) for r in results
        ]
        self.journal.record(results)
        self._count_failures(results, tally)
        return results

    def _count_failures(self, results: list[ContactResult], tally: _Tally) -> None:
        """A breaker: stop when whole batches keep failing (HubSpot down, network gone)."""
        if tally.answered:
            self.failed_in_a_row = 0
            return
        if not tally.failed:
            return
        self.failed_in_a_row += 1
        if self.failed_in_a_row >= self.max_failed_batches:
            # No call answered 200, so every result is a failure that carries its error.
            last = next(r.error for r in reversed(results) if r.error is not None)
            raise RunStopped(
                StopKind.UNAVAILABLE,
                last,
                f"Stopped after {self.failed_in_a_row} batches in a row failed as a whole; "
                "rerun later to resume.",
                results=results,
            )

    async def settle(
        self, addresses: list[str], attempt: int, tally: _Tally
    ) -> list[ContactResult]:
        """Send until every address is confirmed or failed; isolate inputs a 4xx rejects."""
        settled: list[ContactResult] = []
        pending = addresses
        unmatched: list[ErrorInfo] = []
        while pending:
            request = partial(
                batch_unsubscribe_all.asyncio_detailed,
                client=self.client,
                body=BatchInputString(inputs=list(pending)),
                channel=Channel.EMAIL,
                business_unit_id=self.business_unit,
                verbose=True,
            )
            answer = await call(
                request, (BatchResponsePublicBulkOptOutFromAllResponse,), pending, self.pacer
            )
            if answer.verdict is Verdict.SPLIT:
                return settled + await self._split(
                    pending, answer.named, answer.error, attempt, tally
                )
            parsed = answer.parsed
            if parsed is None:  # FAIL: `sender.call` gives a parsed answer only with OK
                tally.failed = True
                return settled + [_failed(a, answer.error, attempt) for a in pending]
            tally.answered = True
            reading = read_unsubscribe_answer(
                pending,
                ((r.subscriber_id_string, r.statuses or None) for r in parsed.results),
                [] if isinstance(parsed.errors, Unset) else parsed.errors,
                attempt,
            )
            settled += reading.results
            unmatched += reading.unmatched_errors
            pending = reading.missing
            if pending and attempt >= self.max_attempts:
                error = _missing_error(unmatched, attempt)
                return settled + [_failed(a, error, attempt) for a in pending]
            attempt += 1
        return settled

    async def _split(
        self,
        pending: list[str],
        named: dict[str, ErrorInfo],
        error: ErrorInfo | None,
        attempt: int,
        tally: _Tally,
    ) -> list[ContactResult]:
        """A batch-level 4xx: fail the inputs it names, bisect when it names none."""
        if named:
            rest = [a for a in pending if a not in named]
            failed = [_failed(a, named[a], attempt) for a in pending if a in named]
            return failed + await self.settle(rest, attempt + 1, tally)  # [] sends nothing
        if len(pending) == 1:
            return [_failed(pending[0], error, attempt)]
        middle = len(pending) // 2
        left = await self.settle(pending[:middle], attempt, tally)
        return left + await self.settle(pending[middle:], attempt, tally)


def _failed(address: str, error: ErrorInfo | None, attempt: int) -> ContactResult:
    # FAIL and SPLIT answers carry their error (`sender`); failed either way if one did not.
    return ContactResult(address, Outcome.FAILED, error=error, attempts=attempt)


def _missing_error(unmatched: list[ErrorInfo], attempts: int) -> ErrorInfo:
    message = f"missing from HubSpot's response after {attempts} attempt(s)"
    if unmatched:
        first = unmatched[0]
        return ErrorInfo(
            "MISSING_FROM_RESPONSE",
            f"{message}; HubSpot said: {first.message}",
            first.correlation_id,
        )
    return ErrorInfo("MISSING_FROM_RESPONSE", message)


async def unsubscribe_all(
    addresses: Iterable[str] | AsyncIterable[str],
    *,
    client: AuthenticatedClient,
    batch_size: int = DEFAULT_BATCH_SIZE,
    rate: Rate | None = HUBSPOT_DEFAULT_RATE,
    concurrency: int = DEFAULT_CONCURRENCY,
    business_unit_id: int | None = None,
    journal: JournalLike | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    max_failed_batches: int = DEFAULT_MAX_FAILED_BATCHES,
    prepared: bool = False,
) -> AsyncIterator[ContactResult]:
    """Opt every address out of all email, in batches; yield one result per contact.

    `rate` paces this call's requests (None: the client is paced already, or no
    limit). `journal` makes the run resumable and keeps de-duplication on disk;
    without it de-duplication uses an in-memory set. `prepared=True` says the
    addresses are already normalised, distinct and unconfirmed (as
    `Journal.unconfirmed()` gives them): they are sent as they are. Raises
    `RunStopped` on 401/403/wrong endpoint, after yielding the results already finished.
    """
    if batch_size < 1 or concurrency < 1 or max_attempts < 1:
        raise ValueError("batch_size, concurrency and max_attempts must be at least 1")
    seen: JournalLike = journal if journal is not None else _MemorySeen()
    if not prepared:
        seen.begin_run()
    jobs = _prepared_jobs(addresses, batch_size) if prepared else _jobs(addresses, seen, batch_size)
    worker = _Unsubscriber(
        client,
        business_unit_id,
        rate.limiter() if rate is not None else None,
        seen,
        max_attempts,
        max_failed_batches,
    )
    try:
        async for results in run_pool(jobs, worker, concurrency):
            for result in results:
                yield result
    except RunStopped as stop:
        for result in stop.results:
            yield result
        raise
