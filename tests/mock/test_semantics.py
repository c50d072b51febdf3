"""The behaviour choices of mock_server/semantics.py (see README "Choices")."""

from __future__ import annotations

from typing import Any

import httpx
from mock_testing import EMAIL, UNIT0, state

VERBOSE = {**EMAIL, "verbose": "true"}


def change(email: str, sub_id: int, status: str, **extra: Any) -> dict[str, Any]:
    return {
        "channel": "EMAIL",
        "statusState": status,
        "subscriberIdString": email,
        "subscriptionId": sub_id,
        **extra,
    }


async def test_repeating_unsubscribe_all_changes_nothing(client: httpx.AsyncClient) -> None:
    emails = {"inputs": ["a@example.com", "b@example.com"]}
    first = await client.post("/statuses/batch/unsubscribe-all", params=VERBOSE, json=emails)
    before = await state(client)
    second = await client.post("/statuses/batch/unsubscribe-all", params=VERBOSE, json=emails)
    assert await state(client) == {**before, "requestCount": before["requestCount"] + 1}
    for result in second.json()["results"]:
        assert {s["setStatusSuccessReason"] for s in result["statuses"]} == {"NO_STATUS_CHANGE"}
        assert {s["status"] for s in result["statuses"]} == {"UNSUBSCRIBED"}
    # Timestamps are those of the first, real change.
    first_times = {s["timestamp"] for r in first.json()["results"] for s in r["statuses"]}
    second_times = {s["timestamp"] for r in second.json()["results"] for s in r["statuses"]}
    assert first_times == second_times
    single = await client.post("/statuses/a@example.com/unsubscribe-all", params=VERBOSE)
    assert {s["setStatusSuccessReason"] for s in single.json()["results"]} == {"NO_STATUS_CHANGE"}


async def test_unsubscribe_all_reports_only_real_changes(client: httpx.AsyncClient) -> None:
    one = {"channel": "EMAIL", "statusState": "UNSUBSCRIBED", "subscriptionId": 100002}
    await client.post("/statuses/a@example.com", json=one)
    r = await client.post("/statuses/a@example.com/unsubscribe-all", params=VERBOSE)
    reasons = {s["subscriptionId"]: s["setStatusSuccessReason"] for s in r.json()["results"]}
    assert reasons.pop(100002) == "NO_STATUS_CHANGE"
    assert set(reasons.values()) == {"UNSUBSCRIBE_FROM_ALL_OCCURRED"}


async def test_verbose_false_shapes(client: httpx.AsyncClient) -> None:
    single = await client.post("/statuses/a@example.com/unsubscribe-all", params=EMAIL)
    assert single.json()["results"] == []
    batch = await client.post(
        "/statuses/batch/unsubscribe-all",
        params={**EMAIL, "verbose": "false"},
        json={"inputs": ["b@example.com", "c@example.com"]},
    )
    assert batch.json()["results"] == [
        {"subscriberIdString": "b@example.com"},
        {"subscriberIdString": "c@example.com"},
    ]
    # Quiet or not, the change happened.
    subscribers = (await state(client))["subscribers"]
    for email in ["a@example.com", "b@example.com", "c@example.com"]:
        assert set(subscribers[email]["wideStatuses"]) == {"0"}
        assert {s["status"] for s in subscribers[email]["statuses"].values()} == {"UNSUBSCRIBED"}


async def test_every_distinct_input_appears_once(client: httpx.AsyncClient) -> None:
    inputs = ["a@example.com", "A@Example.com", "a@example.com", "b@example.com"]
    r = await client.post(
        "/statuses/batch/unsubscribe-all", params=VERBOSE, json={"inputs": inputs}
    )
    results = r.json()["results"]
    assert [x["subscriberIdString"] for x in results] == [
        "a@example.com",
        "A@Example.com",
        "b@example.com",
    ]
    # One contact per address whatever its case: the second spelling found nothing to change.
    reasons = [{s["setStatusSuccessReason"] for s in x["statuses"]} for x in results]
    assert reasons == [
        {"UNSUBSCRIBE_FROM_ALL_OCCURRED"},
        {"NO_STATUS_CHANGE"},
        {"UNSUBSCRIBE_FROM_ALL_OCCURRED"},
    ]
    assert set((await state(client))["subscribers"]) == {"a@example.com", "b@example.com"}


async def test_reads_are_case_insensitive_and_echo_the_input(client: httpx.AsyncClient) -> None:
    await client.post("/statuses/Mixed.Case@Example.com/unsubscribe-all", params=EMAIL)
    r = await client.get("/statuses/mixed.case@example.com/unsubscribe-all", params=EMAIL)
    [wide] = r.json()["results"]
    assert wide["subscriberIdString"] == "mixed.case@example.com"


async def test_write_reasons(client: httpx.AsyncClient) -> None:
    async def write(status: str) -> str:
        r = await client.post(
            "/statuses/batch/write", json={"inputs": [change("a@example.com", 100001, status)]}
        )
        reason: str = r.json()["results"][0]["setStatusSuccessReason"]
        return reason

    assert await write("SUBSCRIBED") == "REQUESTED_CHANGE_OCCURRED"
    assert await write("SUBSCRIBED") == "NO_STATUS_CHANGE"
    assert await write("UNSUBSCRIBED") == "REQUESTED_CHANGE_OCCURRED"
    assert await write("SUBSCRIBED") == "RESUBSCRIBE_OCCURRED"


async def test_resubscribe_after_unsubscribe_all_ends_the_wide_opt_out(
    client: httpx.AsyncClient,
) -> None:
    await client.post("/statuses/a@example.com/unsubscribe-all", params=EMAIL)
    r = await client.post(
        "/statuses/a@example.com",
        json={
            "channel": "EMAIL",
            "statusState": "SUBSCRIBED",
            "subscriptionId": 100004,
            "legalBasis": "CONSENT_WITH_NOTICE",
        },
    )
    [written] = r.json()["results"]
    assert written["setStatusSuccessReason"] == "RESUBSCRIBE_OCCURRED"
    wide = await client.get("/statuses/a@example.com/unsubscribe-all", params=EMAIL)
    assert wide.json()["results"] == []
    statuses = (await client.get("/statuses/a@example.com", params=EMAIL)).json()["results"]
    by_id = {s["subscriptionId"]: s["status"] for s in statuses}
    assert by_id.pop(100004) == "SUBSCRIBED"
    assert set(by_id.values()) == {"UNSUBSCRIBED"}
    # A new unsubscribe-all changes only the resubscribed one.
    again = await client.post("/statuses/a@example.com/unsubscribe-all", params=VERBOSE)
    changed = [
        s["subscriptionId"]
        for s in again.json()["results"]
        if s["setStatusSuccessReason"] == "UNSUBSCRIBE_FROM_ALL_OCCURRED"
    ]
    assert changed == [100004]


async def test_unsubscribing_one_type_keeps_the_wide_opt_out(client: httpx.AsyncClient) -> None:
    await client.post("/statuses/a@example.com/unsubscribe-all", params=EMAIL)
    r = await client.post(
        "/statuses/batch/write", json={"inputs": [change("a@example.com", 100001, "UNSUBSCRIBED")]}
    )
    assert r.json()["results"][0]["setStatusSuccessReason"] == "NO_STATUS_CHANGE"
    wide = await client.get("/statuses/a@example.com/unsubscribe-all", params=EMAIL)
    assert len(wide.json()["results"]) == 1


async def test_batch_read_answers_207_for_invalid_inputs(client: httpx.AsyncClient) -> None:
    inputs = ["ok@example.com", "broken", "not an email", "broken", "fine@example.com"]
    for path in ["/statuses/batch/read", "/statuses/batch/unsubscribe-all/read"]:
        r = await client.post(path, params=EMAIL, json={"inputs": inputs})
        assert r.status_code == 207
        body = r.json()
        assert [x["subscriberIdString"] for x in body["results"]] == [
            "ok@example.com",
            "fine@example.com",
        ]
        assert body["numErrors"] == 2
        assert [e["id"] for e in body["errors"]] == ["broken", "not an email"]
        assert body["errors"][0]["errors"][0]["code"] == "INVALID_EMAIL"
        assert body["errors"][0]["errors"][0]["in"] == "inputs[1]"
        assert body["errors"][1]["errors"][0]["in"] == "inputs[2]"


async def test_batch_read_with_only_invalid_inputs_is_still_207(client: httpx.AsyncClient) -> None:
    r = await client.post("/statuses/batch/read", params=EMAIL, json={"inputs": ["x", "y"]})
    assert r.status_code == 207
    assert r.json()["results"] == []
    assert r.json()["numErrors"] == 2


async def test_batch_read_of_a_wrongly_shaped_body_is_400(client: httpx.AsyncClient) -> None:
    r = await client.post("/statuses/batch/read", params=EMAIL, json={"inputs": "a@example.com"})
    assert r.status_code == 400


async def test_empty_batches_are_fine(client: httpx.AsyncClient) -> None:
    for path in [
        "/statuses/batch/read",
        "/statuses/batch/unsubscribe-all",
        "/statuses/batch/unsubscribe-all/read",
    ]:
        r = await client.post(path, params=EMAIL, json={"inputs": []})
        assert r.status_code == 200
        assert r.json()["results"] == []
    r = await client.post("/statuses/batch/write", json={"inputs": []})
    assert r.json()["results"] == []


async def test_identical_batch_write_inputs_apply_once(client: httpx.AsyncClient) -> None:
    one = change("a@example.com", 100001, "SUBSCRIBED")
    other = change("a@example.com", 100001, "UNSUBSCRIBED")
    r = await client.post("/statuses/batch/write", json={"inputs": [one, one, other]})
    reasons = [s["setStatusSuccessReason"] for s in r.json()["results"]]
    assert reasons == ["REQUESTED_CHANGE_OCCURRED", "REQUESTED_CHANGE_OCCURRED"]
    subscriber = (await state(client))["subscribers"]["a@example.com"]
    assert subscriber["statuses"]["100001"]["status"] == "UNSUBSCRIBED"


async def test_business_units_are_independent(client: httpx.AsyncClient) -> None:
    await client.post(
        "/statuses/batch/unsubscribe-all",
        params={**EMAIL, "businessUnitId": 1},
        json={"inputs": ["a@example.com"]},
    )
    statuses = (await state(client))["subscribers"]["a@example.com"]["statuses"]
    assert set(statuses) == {"200001", "200002"}
    unit0 = await client.post(
        "/statuses/batch/read", params=EMAIL, json={"inputs": ["a@example.com"]}
    )
    assert [s["subscriptionId"] for s in unit0.json()["results"][0]["statuses"]] == UNIT0
    assert {s["status"] for s in unit0.json()["results"][0]["statuses"]} == {"NOT_SPECIFIED"}


def test_bulk_id_serialization_matches_orjson_for_odd_strings() -> None:
    import orjson

    from mock_server.handlers import _bulk_ids

    odd = ['a","b@x.com', 'q\\",\\"z@x.com', '"quoted"@x.com', "é@x.com", "x\\", "", "\u2028"]
    for emails in [[], ["a@x.com"], odd, [*odd, "last@x.com"]]:
        expected = orjson.dumps([{"subscriberIdString": e} for e in emails])
        assert orjson.loads(_bulk_ids(emails)) == orjson.loads(expected)
        assert _bulk_ids(emails) == expected
