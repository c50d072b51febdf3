"""Fixtures for the client tests: a scripted fake HubSpot behind httpx.MockTransport and a
recorder standing in for sleep, so no test waits for real."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from hubspot_communication_preferences import AuthenticatedClient, RetryPolicy, make_client

from commprefs_kit.client_testing import RecordedWaits, ScriptedHubSpot

# Long and distinctive, so "not in the message" means something.
TOKEN = "pat-na1-0b6e4c7f-TEST-SECRET-TOKEN-5c2d"


@pytest.fixture
def token() -> str:
    return TOKEN


@pytest.fixture
def hubspot() -> ScriptedHubSpot:
    return ScriptedHubSpot()


@pytest.fixture
def waits() -> RecordedWaits:
    return RecordedWaits()


@pytest.fixture
def policy(waits: RecordedWaits) -> RetryPolicy:
    """3 attempts, exact waits (1 s, then 2 s), recorded instead of slept."""
    return waits.policy(max_attempts=3, backoff_base=1.0)


@pytest.fixture
def client(hubspot: ScriptedHubSpot, policy: RetryPolicy) -> Iterator[AuthenticatedClient]:
    with make_client(TOKEN, transport=hubspot.transport, retry=policy) as made:
        yield made


@pytest.fixture
async def aclient(
    hubspot: ScriptedHubSpot, policy: RetryPolicy
) -> AsyncIterator[AuthenticatedClient]:
    async with make_client(TOKEN, transport=hubspot.transport, retry=policy) as made:
        yield made
