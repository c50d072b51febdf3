"""`verify_opted_out`: read contacts back (batch unsubscribe-all read) and say who is not out."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable
from functools import partial
from typing import TypeAlias

from aiolimiter import AsyncLimiter
from hubspot_communication_preferences import AuthenticatedClient
from hubspot_communication_preferences.api.batch import batch_get_unsubscribe_all_statuses
from hubspot_communication_preferences.models.batch_input_string import BatchInputString
from hubspot_communication_preferences.models.batch_response_public_wide_status_bulk_response import (  # noqa: E501
    BatchResponsePublicWideStatusBulkResponse,
)
from hubspot_communication_preferences.models.batch_response_public_wide_status_bulk_response_with_errors import (  # noqa: E501
    BatchResponsePublicWideStatusBulkResponseWithErrors,
)
from hubspot_communication_preferences.models.channel import Channel
from hubspot_communication_preferences.models.standard_error import StandardError
from hubspot_communication_preferences.types import UNSET, Unset

from commprefs_kit.bulk.engine import DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY, DEFAULT_MAX_ATTEMPTS
from commprefs_kit.bulk.interpret import Verified, read_verify_answer
from commprefs_kit.bulk.pool import run_pool
from commprefs_kit.bulk.ratelimit import HUBSPOT_DEFAULT_RATE, Rate
from commprefs_kit.bulk.results import client_secrets, redact_text
from commprefs_kit.bulk.sender import Answer, Verdict, call

_Answer: TypeAlias = (
    BatchResponsePublicWideStatusBulkResponse | BatchResponsePublicWideStatusBulkResponseWithErrors
)

_ANSWERS: tuple[type[_Answer], ...] = (
    BatchResponsePublicWideStatusBulkResponse,
    BatchResponsePublicWideStatusBulkResponseWithErrors,
)


async def _batches(
    addresses: Iterable[str] | AsyncIterable[str], size: int
) -> AsyncIterator[list[str]]:
    batch: list[str] = []
    if isinstance(addresses, AsyncIterable):
        async for address in addresses:
            batch.append(address)
            if len(batch) >= size:
                yield batch
                batch = []
    else:
        for address in addresses:
            batch.append(address)
            if len(batch) >= size:
                yield batch
                batch = []
    if batch:
        yield batch


class _Reader:
    def __init__(
        self,
        client: AuthenticatedClient,
        business_unit_id: int | None,
        pacer: AsyncLimiter | None,
        max_attempts: int,
    ) -> None:
        self.client = client
        self.business_unit_id = business_unit_id
        self.business_unit: int | Unset = UNSET if business_unit_id is None else business_unit_id
        self.pacer = pacer
        self.max_attempts = max_attempts

    async def __call__(self, batch: list[str]) -> list[Verified]:
        secrets = client_secrets(self.client)
        return [
            Verified(v.address, v.opted_out, redact_text(v.note, secrets) if v.note else v.note)
            for v in await self._read(batch)
        ]

    async def _read(self, batch: list[str]) -> list[Verified]:
        done: list[Verified] = []
        pending = batch
        for _ in range(self.max_attempts):
            request = partial(
                batch_get_unsubscribe_all_statuses.asyncio_detailed,
                client=self.client,
                body=BatchInputString(inputs=list(pending)),
                channel=Channel.EMAIL,
                business_unit_id=self.business_unit,
            )
            answer: Answer[_Answer] = await call(request, _ANSWERS, pending, self.pacer)
            if answer.verdict is not Verdict.OK or answer.parsed is None:
                err = answer.error
                note = (
                    f"read-back failed: {err.category}: {err.message}"
                    if err
                    else "read-back failed"
                )
                return done + [Verified(a, None, note) for a in pending]
            parsed = answer.parsed
            errors: list[StandardError] = []
            if isinstance(parsed, BatchResponsePublicWideStatusBulkResponseWithErrors):
                errors = [] if isinstance(parsed.errors, Unset) else parsed.errors
            verified, pending = read_verify_answer(
                pending,
                ((r.subscriber_id_string, r.wide_statuses) for r in parsed.results),
                errors,
                self.business_unit_id,
            )
            done += verified
            if not pending:
                return done
        return done + [Verified(a, None, "missing from the read-back response") for a in pending]


async def verify_opted_out(
    addresses: Iterable[str] | AsyncIterable[str],
    *,
    client: AuthenticatedClient,
    batch_size: int = DEFAULT_BATCH_SIZE,
    rate: Rate | None = HUBSPOT_DEFAULT_RATE,
    concurrency: int = DEFAULT_CONCURRENCY,
    business_unit_id: int | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> AsyncIterator[Verified]:
    """Yield, for every (normalised) address, whether HubSpot has it opted out of all email.

    Raises `RunStopped` on 401/403/wrong endpoint (the read needs the scope
    communication_preferences.statuses.batch.read).
    """
    if batch_size < 1 or concurrency < 1 or max_attempts < 1:
        raise ValueError("batch_size, concurrency and max_attempts must be at least 1")
    reader = _Reader(
        client, business_unit_id, rate.limiter() if rate is not None else None, max_attempts
    )
    async for verified in run_pool(_batches(addresses, batch_size), reader, concurrency):
        for item in verified:
            yield item
