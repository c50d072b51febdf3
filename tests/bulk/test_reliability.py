"""Against the stateful mock with faults injected: none lost, none twice, failures explained."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from bulk_testing import emails, mock_client, opted_out

from commprefs_kit.bulk import Journal, Outcome, unsubscribe_all, verify_opted_out
from mock_server import Faults, MockConfig, create_app

ALL_FAULTS = Faults(
    rate=0.15,
    kinds=("429", "500", "502", "503", "html", "drop", "latency"),
    latency_ms=5,
    retry_after_seconds=1,
    lost_response_rate=0.05,
)


async def _run_faulty(count: int, tmp_path: Path, seed: int) -> None:
    app = create_app(MockConfig(faults=ALL_FAULTS, seed=seed))
    addresses = emails(count)
    # Mixed case and duplicates on the way in: one result per distinct contact out.
    source = [a.upper() if i % 7 == 0 else a for i, a in enumerate(addresses)]
    source += addresses[: count // 10]
    results = []
    with Journal(tmp_path / "run.journal") as journal:
        async with mock_client(app) as client:
            async for result in unsubscribe_all(
                source, client=client, rate=None, concurrency=8, journal=journal
            ):
                results.append(result)
        counts = journal.counts()

    seen = Counter(r.address for r in results)
    assert set(seen) == set(addresses), "every contact has a result"
    assert max(seen.values()) == 1, "no contact twice"
    confirmed = {r.address for r in results if r.outcome.confirmed}
    failed = [r for r in results if r.outcome is Outcome.FAILED]
    for result in failed:
        assert result.error is not None and result.error.category and result.error.message
    # Confirmed means really opted out in the mock's state; no confirmation is invented.
    assert confirmed <= opted_out(app)
    assert len(confirmed) + len(failed) == count
    assert counts.confirmed == len(confirmed) and counts.distinct == count
    # Faults are frequent but retried: nearly everything gets through.
    assert len(confirmed) >= count * 0.99


async def test_5k_contacts_with_every_fault_kind(tmp_path: Path) -> None:
    await _run_faulty(5_000, tmp_path, seed=7)


@pytest.mark.slow
async def test_50k_contacts_with_every_fault_kind(tmp_path: Path) -> None:
    await _run_faulty(50_000, tmp_path, seed=11)


async def test_verify_reads_back_and_spots_the_ones_not_opted_out() -> None:
    app = create_app(MockConfig(faults=Faults(rate=0.1, latency_ms=5), seed=3))
    addresses = emails(600)
    async with mock_client(app) as client:
        done = [
            r
            async for r in unsubscribe_all(addresses[:500], client=client, rate=None)
            if r.outcome.confirmed
        ]
        assert len(done) == 500
        checked = [
            v async for v in verify_opted_out(addresses, client=client, rate=None, batch_size=50)
        ]
    assert len(checked) == 600
    assert {v.address for v in checked if v.opted_out} == set(addresses[:500])
    not_out = [v for v in checked if v.opted_out is False]
    assert {v.address for v in not_out} == set(addresses[500:])
    assert all(v.note for v in not_out)
