"""One contact per address whatever its case, on every path that reads or writes a contact.

README "Choices": email case. Each write path is tried with a mixed-case spelling and read back
through every read path with other spellings; the store is also checked on its own, so that a
path that keys subscribers by the raw address (the quiet batch path once did) fails here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mock_testing import EMAIL, UNIT0, state

from commprefs_spec.model import pinned_spec
from mock_server import semantics as sem
from mock_server.fixtures import load_fixtures
from mock_server.store import Store

WRITTEN = "Ann.Lee@Example.COM"
SPELLINGS = ["ann.lee@example.com", "ANN.LEE@EXAMPLE.COM", "aNN.lEE@eXAMPLE.cOM"]
KEY = "ann.lee@example.com"
NOW = "2026-03-01T00:00:00.000Z"

Write = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


def _change(email: str, status: str = "UNSUBSCRIBED") -> dict[str, Any]:
    return {
        "channel": "EMAIL",
        "statusState": status,
        "subscriberIdString": email,
        "subscriptionId": UNIT0[0],
    }


async def _update_status(client: httpx.AsyncClient) -> httpx.Response:
    body = {k: v for k, v in _change(WRITTEN).items() if k != "subscriberIdString"}
    return await client.post(f"/statuses/{WRITTEN}", json=body)


async def _batch_write(client: httpx.AsyncClient) -> httpx.Response:
    return await client.post("/statuses/batch/write", json={"inputs": [_change(WRITTEN)]})


def _unsubscribe_all(verbose: bool) -> Write:
    async def write(client: httpx.AsyncClient) -> httpx.Response:
        params = {**EMAIL, "verbose": str(verbose).lower()}
        return await client.post(f"/statuses/{WRITTEN}/unsubscribe-all", params=params)

    return write


def _batch_unsubscribe_all(verbose: bool) -> Write:
    async def write(client: httpx.AsyncClient) -> httpx.Response:
        params = {**EMAIL, "verbose": str(verbose).lower()}
        inputs = {"inputs": [WRITTEN]}
        return await client.post("/statuses/batch/unsubscribe-all", params=params, json=inputs)

    return write


# (write, opts out of all) -- every operation that writes a contact's status.
WRITES: dict[str, tuple[Write, bool]] = {
    "update_status": (_update_status, False),
    "batch_update_statuses": (_batch_write, False),
    "unsubscribe_all verbose": (_unsubscribe_all(True), True),
    "unsubscribe_all quiet": (_unsubscribe_all(False), True),
    "batch_unsubscribe_all verbose": (_batch_unsubscribe_all(True), True),
    "batch_unsubscribe_all quiet": (_batch_unsubscribe_all(False), True),
}


async def _statuses(client: httpx.AsyncClient, email: str) -> dict[int, str]:
    single = await client.get(f"/statuses/{email}", params=EMAIL)
    assert single.status_code == 200
    by_id = {s["subscriptionId"]: s["status"] for s in single.json()["results"]}
    batch = await client.post("/statuses/batch/read", params=EMAIL, json={"inputs": [email]})
    assert batch.status_code == 200
    [item] = batch.json()["results"]
    assert item["subscriberIdString"] == email  # answers echo the input as sent
    assert {s["subscriptionId"]: s["status"] for s in item["statuses"]} == by_id
    return by_id


async def _opted_out_of_all(client: httpx.AsyncClient, email: str) -> bool:
    single = await client.get(f"/statuses/{email}/unsubscribe-all", params=EMAIL)
    assert single.status_code == 200
    one = any(w["status"] == "UNSUBSCRIBED" for w in single.json()["results"])
    batch = await client.post(
        "/statuses/batch/unsubscribe-all/read", params=EMAIL, json={"inputs": [email]}
    )
    assert batch.status_code == 200
    [item] = batch.json()["results"]
    assert item["subscriberIdString"] == email
    many = any(w["status"] == "UNSUBSCRIBED" for w in item["wideStatuses"])
    assert one == many
    return one


@pytest.mark.parametrize("name", list(WRITES))
async def test_a_write_in_one_case_is_read_in_any_other(
    client: httpx.AsyncClient, name: str
) -> None:
    write, opts_out_of_all = WRITES[name]
    answer = await write(client)
    assert answer.status_code == 200, answer.text
    for spelling in SPELLINGS:
        statuses = await _statuses(client, spelling)
        assert statuses[UNIT0[0]] == "UNSUBSCRIBED", (name, spelling)
        if opts_out_of_all:
            assert set(statuses.values()) == {"UNSUBSCRIBED"}, (name, spelling)
        assert await _opted_out_of_all(client, spelling) is opts_out_of_all, (name, spelling)
    # One contact on record, under its folded key.
    assert set((await state(client))["subscribers"]) == {KEY}


@pytest.mark.parametrize("name", [n for n, (_, wide) in WRITES.items() if wide])
async def test_a_repeat_in_another_case_finds_nothing_to_change(
    client: httpx.AsyncClient, name: str
) -> None:
    write, _ = WRITES[name]
    await write(client)
    before = (await state(client))["subscribers"]
    again = await client.post(
        "/statuses/batch/unsubscribe-all",
        params={**EMAIL, "verbose": "true"},
        json={"inputs": [SPELLINGS[1]]},
    )
    [item] = again.json()["results"]
    assert {s["setStatusSuccessReason"] for s in item["statuses"]} == {"NO_STATUS_CHANGE"}
    assert (await state(client))["subscribers"] == before


async def test_a_resubscribe_in_another_case_ends_the_opt_out(client: httpx.AsyncClient) -> None:
    await _batch_unsubscribe_all(False)(client)
    body = {**_change(SPELLINGS[1], "SUBSCRIBED"), "legalBasis": "CONSENT_WITH_NOTICE"}
    del body["subscriberIdString"]
    r = await client.post(f"/statuses/{SPELLINGS[1]}", json=body)
    assert r.json()["results"][0]["setStatusSuccessReason"] == "RESUBSCRIBE_OCCURRED"
    assert await _opted_out_of_all(client, SPELLINGS[2]) is False


# -- the store and semantics on their own ---------------------------------------------------


@given(st.emails())
def test_subscriber_key_is_the_same_for_every_spelling(email: str) -> None:
    key = sem.subscriber_key(email)
    assert sem.subscriber_key(email.upper()) == key == sem.subscriber_key(email.lower())
    assert sem.subscriber_key(email.swapcase()) == key
    assert sem.subscriber_key(key) == key
    assert len(key) == len(email)  # folding only: nothing trimmed or rewritten


def _store() -> Store:
    return Store(load_fixtures(None, pinned_spec()))


def _unit0_statuses(store: Store, key: str) -> set[str | None]:
    return {r.status if r else None for _, r in store.statuses_in_unit(key, 0)}


def test_store_quiet_batch_folds_case() -> None:
    store = _store()
    store.unsubscribe_all_quiet([WRITTEN, "Bob@Example.com"], 0, NOW)
    assert set(store.statuses) == {KEY, "bob@example.com"}
    assert set(store.wide[0]) == {KEY, "bob@example.com"}
    assert store.wide_status(KEY, 0) is not None
    assert _unit0_statuses(store, KEY) == {sem.UNSUBSCRIBED}


def test_store_quiet_batch_after_another_spelling_changes_nothing() -> None:
    store = _store()
    store.unsubscribe_all(KEY, 0, NOW, details=False)
    records = dict(store.statuses[KEY])
    store.unsubscribe_all_quiet([WRITTEN, SPELLINGS[1]], 0, "2026-03-02T00:00:00.000Z")
    assert set(store.statuses) == {KEY}
    assert store.statuses[KEY] == records  # same records, first timestamps kept
    assert store.wide_status(KEY, 0) is not None and store.wide_status(KEY, 0).timestamp == NOW  # type: ignore[union-attr]


def test_store_quiet_batch_of_spellings_of_one_contact_writes_it_once() -> None:
    store = _store()
    store.unsubscribe_all_quiet([WRITTEN, *SPELLINGS], 0, NOW)
    assert set(store.statuses) == {KEY}
    assert len(store.statuses[KEY]) == len(UNIT0)
    assert set(store.wide[0]) == {KEY}
