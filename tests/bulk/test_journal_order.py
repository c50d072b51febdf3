"""Journal order at the unit level: a contact is confirmed in the journal only after HubSpot's
200 answer named it, and before the caller sees its result.

The kill -9 test in test_reliability.py proves the same end to end, slowly; these tests look at
the journal at the very moment HubSpot receives each batch, and when the process "dies" while
HubSpot has not answered.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from bulk_testing import Scripted, all_ok, emails

from commprefs_kit.bulk import Journal, Outcome, unsubscribe_all
from commprefs_kit.bulk.inputs import Address


class _Killed(Exception):
    """The process dies while a request is in flight: nothing after this point runs."""


def _journal(path: Path, addresses: list[str]) -> Journal:
    journal = Journal(path)
    journal.ingest(Address(n, a) for n, a in enumerate(addresses, start=2))
    return journal


def _confirmed(journal: Journal) -> set[str]:
    return set(journal.all_addresses()) - set(journal.unconfirmed())


@pytest.mark.parametrize("prepared", [True, False])
async def test_nothing_is_confirmed_before_hubspot_answers(tmp_path: Path, prepared: bool) -> None:
    addresses = emails(9)
    journal = _journal(tmp_path / "j", addresses)
    confirmed_when_sent: list[tuple[list[str], set[str]]] = []

    def answer(inputs: list[str], request: httpx.Request) -> httpx.Response:
        confirmed_when_sent.append((inputs, _confirmed(journal)))
        return all_ok(inputs, request)

    hubspot = Scripted(answer)
    seen_confirmed_on_yield: list[bool] = []
    with journal:
        async with hubspot.client() as client:
            source = journal.unconfirmed() if prepared else list(addresses)
            async for result in unsubscribe_all(
                source,
                client=client,
                journal=journal,
                rate=None,
                batch_size=3,
                concurrency=1,
                prepared=prepared,
            ):
                assert result.outcome is Outcome.UNSUBSCRIBED
                # Durable before it is yielded.
                seen_confirmed_on_yield.append(result.address in _confirmed(journal))
        assert _confirmed(journal) == set(addresses)
    assert seen_confirmed_on_yield == [True] * len(addresses)
    assert [batch for batch, _ in confirmed_when_sent] == [
        addresses[0:3],
        addresses[3:6],
        addresses[6:9],
    ]
    for batch, confirmed in confirmed_when_sent:
        # When HubSpot receives a batch, none of it is marked done; earlier batches are.
        assert not set(batch) & confirmed, (batch, confirmed)
    assert [len(c) for _, c in confirmed_when_sent] == [0, 3, 6]


@pytest.mark.parametrize("prepared", [True, False])
async def test_a_batch_hubspot_never_answered_stays_unconfirmed(
    tmp_path: Path, prepared: bool
) -> None:
    addresses = emails(6)

    def answer(inputs: list[str], request: httpx.Request) -> httpx.Response:
        if inputs[0] == addresses[3]:
            raise _Killed  # the second batch is in flight when the process dies
        return all_ok(inputs, request)

    with _journal(tmp_path / "j", addresses) as journal:
        async with Scripted(answer).client() as client:
            source = journal.unconfirmed() if prepared else list(addresses)
            with pytest.raises(_Killed):
                async for _ in unsubscribe_all(
                    source,
                    client=client,
                    journal=journal,
                    rate=None,
                    batch_size=3,
                    concurrency=1,
                    prepared=prepared,
                ):
                    pass
    with Journal(tmp_path / "j") as journal:
        assert _confirmed(journal) == set(addresses[:3])
        assert list(journal.unconfirmed()) == addresses[3:]
        assert journal.counts().failed == 0  # not failed either: simply not answered


async def test_a_failed_answer_is_recorded_as_failed_not_done(tmp_path: Path) -> None:
    addresses = emails(4)

    def answer(inputs: list[str], request: httpx.Request) -> httpx.Response:
        if addresses[2] in inputs:
            return httpx.Response(503, json={"status": "error", "message": "down"})
        return all_ok(inputs, request)

    with _journal(tmp_path / "j", addresses) as journal:
        async with Scripted(answer).client() as client:
            results = [
                r
                async for r in unsubscribe_all(
                    journal.unconfirmed(),
                    client=client,
                    journal=journal,
                    rate=None,
                    batch_size=2,
                    concurrency=1,
                    prepared=True,
                )
            ]
        assert {r.address: r.outcome for r in results} == {
            addresses[0]: Outcome.UNSUBSCRIBED,
            addresses[1]: Outcome.UNSUBSCRIBED,
            addresses[2]: Outcome.FAILED,
            addresses[3]: Outcome.FAILED,
        }
        assert _confirmed(journal) == set(addresses[:2])
        assert list(journal.unconfirmed()) == addresses[2:]
