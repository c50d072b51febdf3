"""The store on its own: `dump()` (what `GET /_mock/state` shows tests) field by field, reads of
a unit without definitions, and the batch-size rule's error details."""

from __future__ import annotations

from typing import Any

from mock_testing import EMAIL

from commprefs_spec.model import pinned_spec
from mock_server import MockConfig
from mock_server import semantics as sem
from mock_server.fixtures import load_fixtures
from mock_server.store import Store

T1 = "2026-03-01T00:00:00.000Z"
T2 = "2026-03-02T00:00:00.000Z"


def _store() -> Store:
    return Store(load_fixtures(None, pinned_spec()))


def test_dump_shows_every_field_of_every_record() -> None:
    store = _store()
    unit0 = store.fixtures.units[0]
    unit1 = store.fixtures.units[1]
    store.write("ann@example.com", unit0[0], sem.SUBSCRIBED, "CONSENT_WITH_NOTICE", "asked", T1)
    store.unsubscribe_all("bob@example.com", 1, T2, details=False)
    dump = store.dump()
    assert dump["businessUnits"] == {
        "0": [d.api for d in unit0],
        "1": [d.api for d in unit1],
    }
    assert dump["subscribers"] == {
        "ann@example.com": {
            "statuses": {
                str(unit0[0].id): {
                    "status": "SUBSCRIBED",
                    "source": sem.SOURCE_API,
                    "legalBasis": "CONSENT_WITH_NOTICE",
                    "legalBasisExplanation": "asked",
                    "timestamp": T1,
                    "businessUnitId": 0,
                }
            },
            "wideStatuses": {},
        },
        "bob@example.com": {
            "statuses": {
                str(d.id): {
                    "status": "UNSUBSCRIBED",
                    "source": sem.SOURCE_UNSUBSCRIBE_ALL,
                    "legalBasis": None,
                    "legalBasisExplanation": None,
                    "timestamp": T2,
                    "businessUnitId": 1,
                }
                for d in unit1
            },
            "wideStatuses": {"1": {"wideStatusType": "BUSINESS_UNIT_WIDE", "timestamp": T2}},
        },
    }


def test_dump_leaves_out_subscribers_with_nothing_on_record() -> None:
    store = _store()
    first = store.fixtures.units[0][0]
    # A write that changes nothing leaves no record, and whoever sorts after it still shows.
    record, reason = store.write("aaa@example.com", first, sem.NOT_SPECIFIED, None, None, T1)
    assert (record, reason) == (None, sem.NO_STATUS_CHANGE)
    store.unsubscribe_all("zed@example.com", 0, T1, details=False)
    assert list(store.dump()["subscribers"]) == ["zed@example.com"]
    assert store.dump()["subscribers"]["zed@example.com"]["wideStatuses"] == {
        "0": {"wideStatusType": "PORTAL_WIDE", "timestamp": T1}
    }


def test_a_unit_without_definitions_has_nothing_to_read_or_change() -> None:
    store = _store()
    assert store.statuses_in_unit("ann@example.com", 99) == []
    assert store.unsubscribe_all("ann@example.com", 99, T1, details=True) == []
    assert store.statuses_in_unit("ann@example.com", 0)[0][1] is None


async def test_too_many_inputs_names_the_limit_and_the_field(make_client: Any) -> None:
    _, client = await make_client(MockConfig(max_batch_inputs=2))
    r = await client.post(
        "/statuses/batch/unsubscribe-all",
        params=EMAIL,
        json={"inputs": ["a@example.com", "b@example.com", "c@example.com"]},
    )
    assert r.status_code == 400
    body = r.json()
    assert body["message"] == "Too many inputs: 3 given, at most 2 are allowed in one batch"
    assert body["errors"] == [
        {"message": "At most 2 inputs", "code": "TOO_MANY_INPUTS", "in": "inputs"}
    ]
