"""The proxy in front of each mutant of the mock (tests/contract/mutants.py): the traffic that
meets the mutant's fault gives a finding of the right kind, and the same traffic in front of
the real mock gives none."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from proxy_testing import API, SUBSCRIPTION, in_process

import mock_server
from mock_server import semantics

MUTANTS_PATH = Path(__file__).resolve().parent.parent / "contract" / "mutants.py"


def _mutants() -> Any:
    spec = importlib.util.spec_from_file_location("proxy_test_mutants", MUTANTS_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


mutants = _mutants()
Client = httpx.AsyncClient
Traffic = Callable[[Callable[..., Client]], Awaitable[None]]
EMAIL = {"channel": "EMAIL"}


async def unsubscribe_then_read(client: Callable[..., Client]) -> None:
    async with client() as c:
        await c.post(f"{API}/statuses/ann@example.com/unsubscribe-all", params=EMAIL)
        await c.get(f"{API}/statuses/ann@example.com", params=EMAIL)


async def read_statuses(client: Callable[..., Client]) -> None:
    async with client() as c:
        await c.get(f"{API}/statuses/ann@example.com", params=EMAIL)


async def invalid_request(client: Callable[..., Client]) -> None:
    async with client() as c:
        await c.post(f"{API}/statuses/batch/read", params=EMAIL, json={"inputs": "nope"})


async def read_without_token(client: Callable[..., Client]) -> None:
    async with client(token=None) as c:
        await c.get(f"{API}/definitions")


async def batch_unsubscribe_two(client: Callable[..., Client]) -> None:
    async with client() as c:
        await c.post(
            f"{API}/statuses/batch/unsubscribe-all",
            params=EMAIL,
            json={"inputs": ["ann@example.com", "bob@example.com"]},
        )


async def bad_channel(client: Callable[..., Client]) -> None:
    async with client() as c:
        await c.get(f"{API}/statuses/ann@example.com", params={"channel": "SMS"})


async def write_then_read(client: Callable[..., Client]) -> None:
    async with client() as c:
        await c.post(
            f"{API}/statuses/ann@example.com",
            json={
                "channel": "EMAIL",
                "statusState": "UNSUBSCRIBED",
                "subscriptionId": SUBSCRIPTION,
            },
        )
        await c.get(f"{API}/statuses/ann@example.com", params=EMAIL)


async def unsubscribe_other_case_then_read(client: Callable[..., Client]) -> None:
    async with client() as c:
        await c.post(f"{API}/statuses/Ann@Example.com/unsubscribe-all", params=EMAIL)
        await c.get(f"{API}/statuses/ann@example.com", params=EMAIL)


async def unsubscribe_resubscribe_read_wide(client: Callable[..., Client]) -> None:
    async with client() as c:
        await c.post(f"{API}/statuses/ann@example.com/unsubscribe-all", params=EMAIL)
        await c.post(
            f"{API}/statuses/ann@example.com",
            json={"channel": "EMAIL", "statusState": "SUBSCRIBED", "subscriptionId": SUBSCRIPTION},
        )
        await c.get(f"{API}/statuses/ann@example.com/unsubscribe-all", params=EMAIL)


# mutant -> (traffic that meets its fault, the finding kind it must produce)
CASES: dict[str, tuple[Traffic, str]] = {
    "wrong_status": (unsubscribe_then_read, "undeclared-status"),
    "missing_required_field": (read_statuses, "missing-required-field"),
    "server_error_on_bad_input": (invalid_request, "server-error"),
    "auth_ignored": (read_without_token, "auth-not-enforced"),
    "unsubscribe_all_skips_one": (unsubscribe_then_read, "opt-out-not-visible"),
    "batch_drops_input": (batch_unsubscribe_two, "batch-result-per-input"),
    "error_without_correlation_id": (bad_channel, "correlation-id"),
    "write_not_persisted": (write_then_read, "write-not-visible"),
    "case_sensitive_contacts": (unsubscribe_other_case_then_read, "opt-out-not-visible"),
    "resubscribe_keeps_wide_opt_out": (unsubscribe_resubscribe_read_wide, "write-not-visible"),
}


# The spec-diff severity of each kind the mutants show (findings.py explains the mapping).
SEVERITY = {
    "undeclared-status": "potentially-breaking",  # response-success-added
    "missing-required-field": "potentially-breaking",  # property-made-optional, response side
    "server-error": "potentially-breaking",
    "auth-not-enforced": "potentially-breaking",
    "opt-out-not-visible": "breaking",
    "batch-result-per-input": "breaking",
    "correlation-id": "potentially-breaking",
    "write-not-visible": "breaking",
}


def test_every_mutant_has_a_case() -> None:
    assert set(CASES) == set(mutants.EXPECTED_CATCH)


@pytest.fixture
def restore_semantics() -> Any:
    """Two mutants change mock_server.semantics for the whole process; put it back."""
    saved = (semantics.subscriber_key, semantics.RESUBSCRIBE_ENDS_WIDE_OPT_OUT)
    yield
    semantics.subscriber_key, semantics.RESUBSCRIBE_ENDS_WIDE_OPT_OUT = saved


@pytest.mark.parametrize("name", sorted(CASES))
async def test_mutant_fault_is_reported(name: str, restore_semantics: Any) -> None:
    traffic, kind = CASES[name]
    setup = in_process(getattr(mutants, name)())
    await traffic(setup.client)
    assert kind in setup.kinds(), setup.live.getvalue()
    group = next(g for (_, k), g in setup.log.groups.items() if k == kind)
    assert group.first.advice
    assert group.severity.label == SEVERITY[kind]
    assert f" {kind} " in setup.live.getvalue()  # the live line names the kind


@pytest.mark.parametrize("name", sorted(CASES))
async def test_same_traffic_against_the_mock_is_clean(name: str) -> None:
    traffic, kind = CASES[name]
    setup = in_process(mock_server.create_app())
    await traffic(setup.client)
    # The deliberately invalid requests are findings about the request, nothing else.
    assert setup.kinds() <= {"request-schema"}, setup.live.getvalue()
    assert kind not in setup.kinds()


@pytest.mark.parametrize("name", ["write_not_persisted", "unsubscribe_all_skips_one"])
async def test_deferred_judging_keeps_order_and_loses_nothing(name: str) -> None:
    """As served (answers judged while the next request is upstream, or 5 ms later): the
    read-after-write rules still see the write before the read, and nothing is left unjudged
    at shutdown."""
    traffic, kind = CASES[name]
    setup = in_process(getattr(mutants, name)(), defer=True)
    await traffic(setup.client)
    await setup.proxy.aclose()  # what the server's shutdown does
    assert kind in setup.kinds(), setup.live.getvalue()
    assert sum(setup.log.exchanges.values()) >= 2
