"""Every rejected request gets HubSpot's error shape with a declared status, never a 500."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from mock_testing import AUTH, EMAIL, SpecChecker, state

from commprefs_spec import pinned_spec
from mock_server import MockConfig

SPEC = pinned_spec()


def scopes_of(operation_id: str) -> list[str]:
    """Every scope the spec accepts for the operation (what a 403 must name)."""
    return sorted({s for need in SPEC.operation(operation_id).scope_sets for s in need})


CHANGE = {"channel": "EMAIL", "statusState": "SUBSCRIBED", "subscriptionId": 100001}


def assert_error(r: httpx.Response, status: int, category: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json;charset=utf-8"
    body: dict[str, Any] = r.json()
    assert body["status"] == "error"
    assert body["category"] == category
    assert body["correlationId"] == r.headers["x-hubspot-correlation-id"]
    return body


# -- authentication and scopes ------------------------------------------------------------------
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer nope"},
        {"Authorization": "Basic dGVzdA=="},
        {"Authorization": "Bearer "},
    ],
    ids=["missing", "unknown", "basic", "empty"],
)
async def test_401_without_a_known_bearer_token(make_client: Any, headers: dict[str, str]) -> None:
    _, client = await make_client(headers=headers)
    r = await client.get("/definitions")
    body = assert_error(r, 401, "INVALID_AUTHENTICATION")
    assert body["message"].startswith("Authentication credentials not found.")
    assert r.headers["x-hubspot-auth-failure"] == "401 Unauthorized"
    assert "nope" not in r.text


OPERATIONS = [
    ("get_definitions", "GET", "/definitions", {}, None),
    ("get_statuses", "GET", "/statuses/a@example.com", EMAIL, None),
    ("update_status", "POST", "/statuses/a@example.com", {}, CHANGE),
    (
        "unsubscribe_all",
        "POST",
        "/statuses/a@example.com/unsubscribe-all",
        EMAIL,
        None,
    ),
    ("batch_get_statuses", "POST", "/statuses/batch/read", EMAIL, {"inputs": []}),
    (
        "batch_update_statuses",
        "POST",
        "/statuses/batch/write",
        {},
        {"inputs": []},
    ),
    (
        "batch_unsubscribe_all",
        "POST",
        "/statuses/batch/unsubscribe-all",
        EMAIL,
        {"inputs": []},
    ),
    (
        "generate_links",
        "POST",
        "/links/generate",
        EMAIL,
        {"subscriberIdString": "a@example.com"},
    ),
]


@pytest.mark.parametrize(
    ("operation_id", "method", "path", "params", "body"),
    OPERATIONS,
    ids=[op[0] for op in OPERATIONS],
)
async def test_403_missing_scopes_names_the_required_scopes(
    make_client: Any,
    operation_id: str,
    method: str,
    path: str,
    params: dict[str, str],
    body: Any,
) -> None:
    # A token with no scope at all, and one with every scope: 403, then success.
    required = scopes_of(operation_id)
    config = MockConfig(tokens={"bare": frozenset(), "full": frozenset(required)})
    _, client = await make_client(config, headers={"Authorization": "Bearer bare"})
    r = await client.request(method, path, params=params, json=body)
    err = assert_error(r, 403, "MISSING_SCOPES")
    context = err["errors"][0]["context"]
    assert sorted(context["requiredScopes"]) == sorted(required)
    assert context["requiredGranularScopes"] == context["requiredScopes"]
    assert err["links"]["scopes"].startswith("https://")
    ok = await client.request(
        method, path, params=params, json=body, headers={"Authorization": "Bearer full"}
    )
    assert ok.status_code == 200


async def test_generate_links_needs_read_and_write_together(make_client: Any) -> None:
    both = max(SPEC.operation("generate_links").scope_sets, key=len)
    assert len(both) == 2  # the spec asks for two scopes together (or one combined scope)
    config = MockConfig(tokens={"read-only": frozenset(sorted(both)[:1]), "both": both})
    _, client = await make_client(config, headers={"Authorization": "Bearer read-only"})
    body = {"subscriberIdString": "a@example.com"}
    assert (await client.post("/links/generate", params=EMAIL, json=body)).status_code == 403
    r = await client.post(
        "/links/generate", params=EMAIL, json=body, headers={"Authorization": "Bearer both"}
    )
    assert r.status_code == 200


async def test_batch_scopes_do_not_grant_single_operations(make_client: Any) -> None:
    batch = {*scopes_of("batch_get_statuses"), *scopes_of("batch_update_statuses")}
    config = MockConfig(tokens={"batch": frozenset(batch)})
    _, client = await make_client(config, headers={"Authorization": "Bearer batch"})
    assert (await client.get("/statuses/a@example.com", params=EMAIL)).status_code == 403
    r = await client.post("/statuses/batch/read", params=EMAIL, json={"inputs": ["a@example.com"]})
    assert r.status_code == 200


# -- routing -----------------------------------------------------------------------------------
async def test_unknown_path_is_a_hubspot_404(client: httpx.AsyncClient) -> None:
    for path in ["/nope", "/definitions/", "/statuses", "/statuses/a@example.com/other"]:
        assert_error(await client.get(path, params=EMAIL), 404, "OBJECT_NOT_FOUND")
    assert_error(await client.get("http://mock/elsewhere"), 404, "OBJECT_NOT_FOUND")


async def test_wrong_method_is_a_hubspot_405(client: httpx.AsyncClient) -> None:
    r = await client.delete("/definitions")
    assert_error(r, 405, "METHOD_NOT_ALLOWED")
    assert r.headers["allow"] == "GET"
    r = await client.get("/statuses/batch/read")
    assert_error(r, 405, "METHOD_NOT_ALLOWED")
    assert r.headers["allow"] == "POST"
    r = await client.put("/statuses/a@example.com/unsubscribe-all")
    assert r.headers["allow"] == "GET, POST"


# -- the subscriber in the path ------------------------------------------------------------------
async def test_percent_encoded_and_plus_emails_in_the_path(client: httpx.AsyncClient) -> None:
    r = await client.get("/statuses/ann%40example.com", params=EMAIL)
    assert r.status_code == 200
    assert r.json()["results"][0]["subscriberIdString"] == "ann@example.com"
    r = await client.get("/statuses/ann+news@example.com", params=EMAIL)
    assert r.json()["results"][0]["subscriberIdString"] == "ann+news@example.com"
    r = await client.get("/statuses/ann%2Bnews%40example.com", params=EMAIL)
    assert r.json()["results"][0]["subscriberIdString"] == "ann+news@example.com"
    # An encoded "/" stays inside its segment ("/" is legal in an email's local part).
    r = await client.get("/statuses/a%2Fb@example.com/unsubscribe-all", params=EMAIL)
    assert r.status_code == 200


@pytest.mark.parametrize(
    "segment",
    [
        "not-an-email",
        "a%20b@example.com",
        "%FF@example.com",
        "Ann%20%3Cann@example.com%3E",
    ],
)
async def test_bad_email_in_the_path_is_400(client: httpx.AsyncClient, segment: str) -> None:
    body = assert_error(
        await client.get(f"/statuses/{segment}", params=EMAIL), 400, "VALIDATION_ERROR"
    )
    assert body["errors"][0]["in"] == "subscriberIdString"
    assert body["errors"][0]["code"] == "INVALID_EMAIL"


# -- query parameters ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("", "channel"),
        ("channel=SMS", "channel"),
        ("channel=email", "channel"),
        ("channel=EMAIL&businessUnitId=abc", "businessUnitId"),
        ("channel=EMAIL&businessUnitId=1.5", "businessUnitId"),
        ("channel=EMAIL&businessUnitId=99999999999999999999", "businessUnitId"),
        ("channel=EMAIL&verbose=yes", "verbose"),
        ("channel=EMAIL&verbose=", "verbose"),
        ("channel=EMAIL&channel=EMAIL", "channel"),
    ],
)
async def test_invalid_query_values_are_400(
    client: httpx.AsyncClient, query: str, name: str
) -> None:
    r = await client.post(f"/statuses/a@example.com/unsubscribe-all?{query}")
    body = assert_error(r, 400, "VALIDATION_ERROR")
    assert body["errors"][0]["in"] == name


async def test_unknown_query_parameters_are_ignored(client: httpx.AsyncClient) -> None:
    r = await client.get("/definitions", params={"hapikey": "x", "whatever": "1"})
    assert r.status_code == 200


async def test_unknown_business_unit_is_404(client: httpx.AsyncClient) -> None:
    r = await client.get("/definitions", params={"businessUnitId": 42})
    body = assert_error(r, 404, "OBJECT_NOT_FOUND")
    assert body["errors"][0]["in"] == "businessUnitId"


# -- bodies --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "", "application/jsonx"]
)
async def test_wrong_content_type_is_415(client: httpx.AsyncClient, content_type: str) -> None:
    headers = {"content-type": content_type} if content_type else {}
    r = await client.post(
        "/statuses/batch/read", params=EMAIL, content=b'{"inputs": []}', headers=headers
    )
    assert_error(r, 415, "VALIDATION_ERROR")


async def test_content_type_with_charset_is_accepted(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/statuses/batch/read",
        params=EMAIL,
        content=b'{"inputs": []}',
        headers={"content-type": "Application/JSON; charset=UTF-8"},
    )
    assert r.status_code == 200


@pytest.mark.parametrize(
    "raw",
    [b"{", b"", b"   ", b"not json", b'{"inputs": ["a@example.com",]}', b"\xff\xfe", b"[1, 2"],
)
async def test_invalid_json_is_400(client: httpx.AsyncClient, raw: bytes) -> None:
    r = await client.post(
        "/statuses/batch/unsubscribe-all",
        params=EMAIL,
        content=raw,
        headers={"content-type": "application/json"},
    )
    body = assert_error(r, 400, "VALIDATION_ERROR")
    assert body["message"].startswith("Invalid input JSON")


async def test_missing_required_field_uses_hubspots_wording(client: httpx.AsyncClient) -> None:
    r = await client.post("/statuses/batch/write", json={"input": []})
    body = assert_error(r, 400, "VALIDATION_ERROR")
    assert "Cannot build BatchInputPublicStatusRequest" in body["message"]
    assert "[inputs]" in body["message"]


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ([], "body"),
        ({"inputs": "a@example.com"}, "inputs"),
        ({"inputs": [{"channel": "EMAIL"}]}, "inputs[0].statusState"),
        ({"inputs": [{**CHANGE, "subscriberIdString": "bad"}]}, "inputs[0].subscriberIdString"),
        (
            {"inputs": [{**CHANGE, "subscriberIdString": "a@example.com", "channel": "SMS"}]},
            "inputs[0].channel",
        ),
        (
            {"inputs": [{**CHANGE, "subscriberIdString": "a@example.com", "subscriptionId": "1"}]},
            "inputs[0].subscriptionId",
        ),
        (
            {"inputs": [{**CHANGE, "subscriberIdString": "a@example.com", "legalBasis": None}]},
            "inputs[0].legalBasis",
        ),
    ],
)
async def test_schema_violations_in_a_batch_write_are_400(
    client: httpx.AsyncClient, body: Any, where: str
) -> None:
    r = await client.post("/statuses/batch/write", json=body)
    err = assert_error(r, 400, "VALIDATION_ERROR")
    assert where in [e["in"] for e in err["errors"]]
    assert (await state(client))["subscribers"] == {}


async def test_bad_email_in_batch_unsubscribe_all_is_reported_alone(
    client: httpx.AsyncClient,
) -> None:
    r = await client.post(
        "/statuses/batch/unsubscribe-all",
        params=EMAIL,
        json={"inputs": ["ok@example.com", "broken", "also-ok@example.com"]},
    )
    assert r.status_code == 200
    body = r.json()
    assert [x["subscriberIdString"] for x in body["results"]] == [
        "ok@example.com",
        "also-ok@example.com",
    ]
    assert body["numErrors"] == 1
    (error,) = body["errors"]
    assert error["id"] == "broken"
    assert error["errors"] == [
        {"message": "'broken' is not an email address", "code": "INVALID_EMAIL", "in": "inputs[1]"}
    ]
    # The good inputs were opted out; the bad one created nothing.
    assert set((await state(client))["subscribers"]) == {"ok@example.com", "also-ok@example.com"}


async def test_non_string_batch_input_rejects_the_batch(client: httpx.AsyncClient) -> None:
    for path in ["/statuses/batch/unsubscribe-all", "/statuses/batch/read"]:
        r = await client.post(path, params=EMAIL, json={"inputs": ["ok@example.com", 42]})
        err = assert_error(r, 400, "VALIDATION_ERROR")
        assert err["errors"][0]["code"] == "INVALID_TYPE"
    assert (await state(client))["subscribers"] == {}


async def test_oversized_body_is_413(make_client: Any) -> None:
    app, client = await make_client(MockConfig(max_body_bytes=200))
    emails = [f"user{i}@example.com" for i in range(20)]
    r = await client.post("/statuses/batch/unsubscribe-all", params=EMAIL, json={"inputs": emails})
    assert_error(r, 413, "VALIDATION_ERROR")

    # Without a content-length (chunked), the limit holds too.
    async def chunks() -> Any:
        for _ in range(10):
            yield b" " * 50

    r = await client.post(
        "/statuses/batch/read",
        params=EMAIL,
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    assert_error(r, 413, "VALIDATION_ERROR")
    assert app.store.dump()["subscribers"] == {}


async def test_too_many_batch_inputs_is_400(make_client: Any) -> None:
    _, client = await make_client(MockConfig(max_batch_inputs=3))
    emails = [f"user{i}@example.com" for i in range(4)]
    for path in [
        "/statuses/batch/unsubscribe-all",
        "/statuses/batch/read",
        "/statuses/batch/unsubscribe-all/read",
    ]:
        r = await client.post(path, params=EMAIL, json={"inputs": emails})
        err = assert_error(r, 400, "VALIDATION_ERROR")
        assert err["errors"][0]["code"] == "TOO_MANY_INPUTS"
    changes = [{**CHANGE, "subscriberIdString": e} for e in emails]
    r = await client.post("/statuses/batch/write", json={"inputs": changes})
    assert_error(r, 400, "VALIDATION_ERROR")
    ok = await client.post(
        "/statuses/batch/unsubscribe-all", params=EMAIL, json={"inputs": emails[:3]}
    )
    assert ok.status_code == 200


# -- semantic checks ---------------------------------------------------------------------------
async def test_unknown_subscription_in_a_single_write_is_404(client: httpx.AsyncClient) -> None:
    r = await client.post("/statuses/a@example.com", json={**CHANGE, "subscriptionId": 999})
    err = assert_error(r, 404, "OBJECT_NOT_FOUND")
    [detail] = err["errors"]
    assert detail["in"] == "subscriptionId"
    assert detail["code"] == "INVALID_SUBSCRIPTION_ID"
    assert detail["context"] == {"subscriptionId": ["999"]}
    assert (await state(client))["subscribers"] == {}


async def test_unknown_subscription_in_a_batch_write_is_a_per_input_error(
    client: httpx.AsyncClient,
) -> None:
    inputs = [
        {**CHANGE, "subscriberIdString": "a@example.com"},
        {**CHANGE, "subscriberIdString": "b@example.com", "subscriptionId": 999},
    ]
    r = await client.post("/statuses/batch/write", json={"inputs": inputs})
    assert r.status_code == 200
    body = r.json()
    assert [s["subscriberIdString"] for s in body["results"]] == ["a@example.com"]
    assert body["numErrors"] == 1
    [error] = body["errors"]
    assert error["id"] == "b@example.com"
    assert error["errors"][0]["in"] == "inputs[1].subscriptionId"
    assert "b@example.com" not in (await state(client))["subscribers"]


async def test_legal_basis_explanation_alone_is_kept(client: httpx.AsyncClient) -> None:
    # The spec lets either field come alone; the mock invents no rule tying them.
    r = await client.post(
        "/statuses/a@example.com", json={**CHANGE, "legalBasisExplanation": "because"}
    )
    assert r.status_code == 200
    [status] = [s for s in r.json()["results"] if s["subscriptionId"] == CHANGE["subscriptionId"]]
    assert status["legalBasisExplanation"] == "because"


async def test_gdpr_account_requires_a_legal_basis_to_subscribe(make_client: Any) -> None:
    _, client = await make_client(MockConfig(require_legal_basis=True))
    r = await client.post("/statuses/a@example.com", json=CHANGE)
    assert_error(r, 400, "VALIDATION_ERROR")
    ok = await client.post("/statuses/a@example.com", json={**CHANGE, "legalBasis": "NON_GDPR"})
    assert ok.status_code == 200
    unsubscribe = {**CHANGE, "statusState": "UNSUBSCRIBED"}
    assert (await client.post("/statuses/a@example.com", json=unsubscribe)).status_code == 200


async def test_link_for_an_unknown_subscription_is_404(client: httpx.AsyncClient) -> None:
    body = {"subscriberIdString": "a@example.com", "subscriptionId": 200001}
    r = await client.post("/links/generate", params=EMAIL, json=body)  # unit 1's subscription
    assert_error(r, 404, "OBJECT_NOT_FOUND")
    ok = await client.post("/links/generate", params={**EMAIL, "businessUnitId": 1}, json=body)
    assert ok.status_code == 200


async def test_every_error_response_was_checked_against_the_spec(
    client: httpx.AsyncClient, spec_checker: SpecChecker
) -> None:
    before = spec_checker.checked
    await client.get("/nope")
    await client.get("/definitions", headers={"Authorization": "Bearer x"})
    assert spec_checker.checked == before + 2


def test_the_spec_checker_catches_a_broken_answer(spec_checker: SpecChecker) -> None:
    path = "/communication-preferences/2026-03/definitions"
    with pytest.raises(AssertionError):
        spec_checker.check("GET", path, 200, "application/json", b'{"status": "COMPLETE"}')
    with pytest.raises(AssertionError):
        spec_checker.check("GET", path, 200, "text/plain", b"")
    with pytest.raises(AssertionError):
        spec_checker.check("GET", path, 207, "application/json", b"{}")
    with pytest.raises(AssertionError):
        spec_checker.check("GET", path, 400, "application/json", b'{"message": "no category"}')


async def test_auth_header_value_is_not_echoed(client: httpx.AsyncClient) -> None:
    r = await client.get("/definitions", headers={**AUTH, "Authorization": "Bearer s3cr3t-value"})
    assert "s3cr3t" not in r.text and "s3cr3t" not in str(r.headers)
