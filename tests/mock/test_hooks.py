"""The test hooks under /_mock/: reset, fixtures, state."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import yaml
from mock_testing import EMAIL, state

from mock_server import MockConfig, create_app
from mock_server.fixtures import DEFAULT_FIXTURES, FixtureError

HOOKS = "http://mock/_mock"


def definition(sub_id: str, name: str) -> dict[str, Any]:
    return {
        "id": sub_id,
        "name": name,
        "description": f"{name} emails",
        "isActive": True,
        "isDefault": False,
        "isInternal": False,
        "createdAt": "2025-01-01T00:00:00.000Z",
        "updatedAt": "2025-01-01T00:00:00.000Z",
    }


FIXTURES = {
    "businessUnits": [
        {"id": 0, "definitions": [definition("7", "Seven"), definition("8", "Eight")]},
        {"id": 55, "definitions": [definition("9", "Nine")]},
    ]
}


async def test_state_dump(client: httpx.AsyncClient) -> None:
    await client.post("/statuses/a@example.com/unsubscribe-all", params=EMAIL)
    dump = await state(client)
    assert set(dump["businessUnits"]) == {"0", "1"}
    subscriber = dump["subscribers"]["a@example.com"]
    assert subscriber["wideStatuses"]["0"]["wideStatusType"] == "PORTAL_WIDE"
    assert subscriber["statuses"]["100001"]["status"] == "UNSUBSCRIBED"
    assert dump["requestCount"] == 1


async def test_reset_forgets_every_status(client: httpx.AsyncClient) -> None:
    await client.post("/statuses/a@example.com/unsubscribe-all", params=EMAIL)
    r = await client.post(f"{HOOKS}/reset")
    assert r.status_code == 200
    dump = await state(client)
    assert dump["subscribers"] == {}
    assert dump["requestCount"] == 0


async def test_load_fixtures_replaces_definitions_and_statuses(client: httpx.AsyncClient) -> None:
    await client.post("/statuses/a@example.com/unsubscribe-all", params=EMAIL)
    await client.get("/definitions")  # fills the cache that must be forgotten
    r = await client.post(f"{HOOKS}/fixtures", json=FIXTURES)
    assert r.status_code == 200
    assert r.json() == {"businessUnits": 2, "definitions": 3}
    ids = [d["id"] for d in (await client.get("/definitions")).json()["results"]]
    assert ids == ["7", "8"]
    other = (await client.get("/definitions", params={"businessUnitId": 55})).json()["results"]
    assert [d["id"] for d in other] == ["9"]
    assert (await state(client))["subscribers"] == {}
    listed = (await client.get(f"{HOOKS}/fixtures")).json()
    assert [u["id"] for u in listed["businessUnits"]] == [0, 55]
    # Reset goes back to the app's configured fixtures.
    await client.post(f"{HOOKS}/reset")
    assert len((await client.get("/definitions")).json()["results"]) == 5


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {"businessUnits": []},
        {"businessUnits": [{"id": 0, "definitions": [{"id": "1"}]}]},
        {"businessUnits": [{"id": 0, "definitions": [definition("x", "X")]}]},
        {"businessUnits": [{"id": 0, "definitions": [definition("1", "A"), definition("1", "B")]}]},
        {"businessUnits": [{"id": 0, "definitions": []}, {"id": 0, "definitions": []}]},
        {
            "businessUnits": [
                {"id": 0, "definitions": [{**definition("1", "A"), "businessUnitId": 3}]}
            ]
        },
    ],
)
async def test_bad_fixtures_are_rejected(client: httpx.AsyncClient, bad: Any) -> None:
    r = await client.post(f"{HOOKS}/fixtures", json=bad)
    assert r.status_code == 400
    assert r.json()["category"] == "VALIDATION_ERROR"
    assert len((await client.get("/definitions")).json()["results"]) == 5


async def test_hook_errors_are_hubspot_shaped(client: httpx.AsyncClient) -> None:
    assert (await client.get(f"{HOOKS}/nothing")).status_code == 404
    r = await client.get(f"{HOOKS}/reset")
    assert r.status_code == 405
    assert r.json()["status"] == "error"
    r = await client.post(
        f"{HOOKS}/fixtures", content=b"{", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400


async def test_fixtures_file_in_yaml(tmp_path: Path) -> None:
    path = tmp_path / "defs.yaml"
    path.write_text(yaml.safe_dump(FIXTURES))
    app = create_app(MockConfig(fixtures=path))
    assert sorted(app.store.fixtures.by_id) == [7, 8, 9]


def test_bad_fixtures_file_fails_at_creation(tmp_path: Path) -> None:
    path = tmp_path / "defs.json"
    path.write_bytes(orjson.dumps({"businessUnits": "no"}))
    with pytest.raises(FixtureError, match="invalid fixtures"):
        create_app(MockConfig(fixtures=path))
    with pytest.raises(FixtureError, match="cannot read"):
        create_app(MockConfig(fixtures=tmp_path / "missing.json"))


def test_default_fixtures_have_several_email_types_and_two_units() -> None:
    data = orjson.loads(DEFAULT_FIXTURES.read_bytes())
    units = {u["id"]: u["definitions"] for u in data["businessUnits"]}
    assert len(units[0]) >= 3 and len(units) >= 2
