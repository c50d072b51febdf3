"""Every operation's happy path and its effect on the state (default fixtures)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from mock_testing import EMAIL, UNIT0, UNIT1, state

from mock_server import MockApp


def by_id(statuses: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {s["subscriptionId"]: s for s in statuses}


async def test_definitions_of_the_default_and_another_unit(client: httpx.AsyncClient) -> None:
    r = await client.get("/definitions")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "COMPLETE"
    assert [int(d["id"]) for d in body["results"]] == UNIT0
    assert all(d["businessUnitId"] == 0 for d in body["results"])
    assert all("subscriptionTranslations" not in d for d in body["results"])
    other = (await client.get("/definitions", params={"businessUnitId": 1})).json()["results"]
    assert [int(d["id"]) for d in other] == UNIT1


async def test_definitions_with_translations(client: httpx.AsyncClient) -> None:
    r = await client.get("/definitions", params={"includeTranslations": "true"})
    results = r.json()["results"]
    assert all("subscriptionTranslations" in d for d in results)
    german = [t for t in results[0]["subscriptionTranslations"] if t["languageCode"] == "de"]
    assert german and german[0]["subscriptionId"] == UNIT0[0]


async def test_envelope_timestamps_are_ordered(client: httpx.AsyncClient) -> None:
    body = (await client.get("/definitions")).json()
    assert body["startedAt"] <= body["completedAt"]
    assert body["requestedAt"] == body["startedAt"]


async def test_new_contact_has_every_subscription_not_specified(client: httpx.AsyncClient) -> None:
    r = await client.get("/statuses/new@example.com", params=EMAIL)
    results = r.json()["results"]
    assert [s["subscriptionId"] for s in results] == UNIT0
    assert {s["status"] for s in results} == {"NOT_SPECIFIED"}
    assert all(s["subscriberIdString"] == "new@example.com" for s in results)
    assert all("setStatusSuccessReason" not in s for s in results)


async def test_update_status_is_read_back(client: httpx.AsyncClient) -> None:
    change = {
        "channel": "EMAIL",
        "statusState": "SUBSCRIBED",
        "subscriptionId": 100004,
        "legalBasis": "CONSENT_WITH_NOTICE",
        "legalBasisExplanation": "Signed up at the fair",
    }
    r = await client.post("/statuses/ann@example.com", json=change)
    assert r.status_code == 200
    [written] = r.json()["results"]
    assert written["status"] == "SUBSCRIBED"
    assert written["setStatusSuccessReason"] == "REQUESTED_CHANGE_OCCURRED"
    assert written["legalBasis"] == "CONSENT_WITH_NOTICE"
    read = by_id((await client.get("/statuses/ann@example.com", params=EMAIL)).json()["results"])
    assert read[100004]["status"] == "SUBSCRIBED"
    assert read[100004]["legalBasisExplanation"] == "Signed up at the fair"
    assert read[100004]["timestamp"] == written["timestamp"]
    assert read[100001]["status"] == "NOT_SPECIFIED"


async def test_unsubscribe_all_single(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/statuses/bob@example.com/unsubscribe-all", params={**EMAIL, "verbose": "true"}
    )
    results = r.json()["results"]
    assert [s["subscriptionId"] for s in results] == UNIT0
    assert {s["status"] for s in results} == {"UNSUBSCRIBED"}
    assert {s["setStatusSuccessReason"] for s in results} == {"UNSUBSCRIBE_FROM_ALL_OCCURRED"}
    wide = (await client.get("/statuses/bob@example.com/unsubscribe-all", params=EMAIL)).json()
    [record] = wide["results"]
    assert record["wideStatusType"] == "PORTAL_WIDE"
    assert record["status"] == "UNSUBSCRIBED"
    statuses = (await client.get("/statuses/bob@example.com", params=EMAIL)).json()["results"]
    assert {s["status"] for s in statuses} == {"UNSUBSCRIBED"}


async def test_unsubscribe_all_in_another_unit_is_business_unit_wide(
    client: httpx.AsyncClient,
) -> None:
    q = {**EMAIL, "businessUnitId": 1}
    await client.post("/statuses/cy@example.com/unsubscribe-all", params=q)
    [record] = (await client.get("/statuses/cy@example.com/unsubscribe-all", params=q)).json()[
        "results"
    ]
    assert record["wideStatusType"] == "BUSINESS_UNIT_WIDE"
    assert record["businessUnitId"] == 1
    # The default unit is untouched.
    unit0 = await client.get("/statuses/cy@example.com/unsubscribe-all", params=EMAIL)
    assert unit0.json()["results"] == []
    statuses = (await client.get("/statuses/cy@example.com", params=EMAIL)).json()["results"]
    assert {s["status"] for s in statuses} == {"NOT_SPECIFIED"}


async def test_wide_status_of_a_contact_who_did_not_opt_out_is_empty(
    client: httpx.AsyncClient,
) -> None:
    r = await client.get("/statuses/dee@example.com/unsubscribe-all", params=EMAIL)
    assert r.json()["results"] == []


async def test_batch_read(client: httpx.AsyncClient) -> None:
    await client.post("/statuses/eve@example.com/unsubscribe-all", params=EMAIL)
    r = await client.post(
        "/statuses/batch/read",
        params=EMAIL,
        json={"inputs": ["eve@example.com", "fay@example.com"]},
    )
    assert r.status_code == 200
    results = {x["subscriberIdString"]: x["statuses"] for x in r.json()["results"]}
    assert {s["status"] for s in results["eve@example.com"]} == {"UNSUBSCRIBED"}
    assert {s["status"] for s in results["fay@example.com"]} == {"NOT_SPECIFIED"}
    assert "errors" not in r.json()


async def test_batch_write(client: httpx.AsyncClient, app: MockApp) -> None:
    inputs = [
        {
            "channel": "EMAIL",
            "statusState": "SUBSCRIBED",
            "subscriberIdString": "gus@example.com",
            "subscriptionId": 100001,
            "legalBasis": "LEGITIMATE_INTEREST_CLIENT",
        },
        {
            "channel": "EMAIL",
            "statusState": "UNSUBSCRIBED",
            "subscriberIdString": "hal@example.com",
            "subscriptionId": 200002,
        },
    ]
    r = await client.post("/statuses/batch/write", json={"inputs": inputs})
    assert r.status_code == 200
    body = r.json()
    assert [(s["subscriberIdString"], s["status"]) for s in body["results"]] == [
        ("gus@example.com", "SUBSCRIBED"),
        ("hal@example.com", "UNSUBSCRIBED"),
    ]
    assert body["results"][1]["businessUnitId"] == 1
    assert "errors" not in body
    dump = await state(client)
    assert dump["subscribers"]["gus@example.com"]["statuses"]["100001"]["status"] == "SUBSCRIBED"
    assert dump["subscribers"]["hal@example.com"]["statuses"]["200002"]["status"] == "UNSUBSCRIBED"


async def test_batch_unsubscribe_all(client: httpx.AsyncClient) -> None:
    emails = ["ivy@example.com", "jon@example.com"]
    r = await client.post(
        "/statuses/batch/unsubscribe-all",
        params={**EMAIL, "verbose": "true"},
        json={"inputs": emails},
    )
    assert r.status_code == 200
    results = r.json()["results"]
    assert [x["subscriberIdString"] for x in results] == emails
    for result in results:
        assert [s["subscriptionId"] for s in result["statuses"]] == UNIT0
        assert {s["setStatusSuccessReason"] for s in result["statuses"]} == {
            "UNSUBSCRIBE_FROM_ALL_OCCURRED"
        }
    read = await client.post(
        "/statuses/batch/unsubscribe-all/read", params=EMAIL, json={"inputs": emails}
    )
    assert read.status_code == 200
    for result in read.json()["results"]:
        [wide] = result["wideStatuses"]
        assert wide["wideStatusType"] == "PORTAL_WIDE"


async def test_generate_links(client: httpx.AsyncClient) -> None:
    body = {"subscriberIdString": "kim@example.com", "subscriptionId": 100002, "language": "de"}
    r = await client.post("/links/generate", params=EMAIL, json=body)
    assert r.status_code == 200
    links = r.json()
    assert links["subscriberIdString"] == "kim@example.com"
    urls = [
        links["managePreferencesUrl"],
        links["unsubscribeAllUrl"],
        links["unsubscribeSingleUrl"],
    ]
    tokens = set()
    for url in urls:
        parts = urlsplit(url)
        assert parts.scheme == "https" and parts.netloc
        query = parse_qs(parts.query)
        tokens.add(query["data"][0])
        assert query["lang"] == ["de"]
    assert len(tokens) == 1
    assert parse_qs(urlsplit(links["unsubscribeSingleUrl"]).query)["subscriptionId"] == ["100002"]
    # Another contact gets another token; the same contact (any case) the same one.
    other = (
        await client.post(
            "/links/generate", params=EMAIL, json={"subscriberIdString": "x@example.com"}
        )
    ).json()
    assert "unsubscribeSingleUrl" not in other
    assert tokens.isdisjoint(parse_qs(urlsplit(other["unsubscribeAllUrl"]).query)["data"])
    same = (
        await client.post(
            "/links/generate", params=EMAIL, json={"subscriberIdString": "KIM@example.com"}
        )
    ).json()
    assert parse_qs(urlsplit(same["unsubscribeAllUrl"]).query)["data"][0] in tokens


async def test_every_operation_of_the_spec_is_served(
    client: httpx.AsyncClient, app: MockApp
) -> None:
    assert set(app.handlers.table) == set(app.spec.operations)
    assert len(app.spec.operations) == 10
