"""Malformed requests of many kinds: never a 500, always a declared status in HubSpot's shape
(the spec-checking client hook checks every answer)."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import quote

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mock_testing import BASE, SpecChecker, checking_hook

from mock_server import create_app


def _dumps(value: object) -> bytes:
    return json.dumps(value).encode()  # stdlib: big integers too


APP = create_app()  # shared: state may pile up, which is one more thing to survive
PATHS = [
    "/definitions",
    "/statuses/{id}",
    "/statuses/{id}/unsubscribe-all",
    "/statuses/batch/read",
    "/statuses/batch/write",
    "/statuses/batch/unsubscribe-all",
    "/statuses/batch/unsubscribe-all/read",
    "/links/generate",
    "/{id}",
    "/statuses/{id}/{id}",
]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(_dumps),
    st.fixed_dictionaries(
        {"inputs": st.lists(st.one_of(st.emails(), st.text(max_size=15), json_values), max_size=5)}
    ).map(_dumps),
    st.fixed_dictionaries(
        {
            "inputs": st.lists(
                st.fixed_dictionaries(
                    {
                        "channel": st.sampled_from(["EMAIL", "SMS", 1]),
                        "statusState": st.sampled_from(["SUBSCRIBED", "UNSUBSCRIBED", "x"]),
                        "subscriberIdString": st.one_of(st.emails(), st.text(max_size=10)),
                        "subscriptionId": st.one_of(
                            st.sampled_from([100001, 200001, 5]), st.integers()
                        ),
                    },
                    optional={
                        "legalBasis": st.sampled_from(["NON_GDPR", None, "x"]),
                        "legalBasisExplanation": st.text(max_size=5),
                    },
                ),
                max_size=3,
            )
        }
    ).map(_dumps),
)
queries = st.lists(
    st.tuples(
        st.sampled_from(["channel", "businessUnitId", "verbose", "includeTranslations", "x"]),
        st.one_of(
            st.sampled_from(["EMAIL", "0", "1", "true", "false", "", "-1", "9" * 25]),
            st.text(max_size=8),
        ),
    ),
    max_size=4,
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]),
    template=st.sampled_from(PATHS),
    segment=st.one_of(st.emails(), st.text(max_size=20)),
    query=queries,
    body=bodies,
    content_type=st.sampled_from(
        ["application/json", "application/json; charset=utf-8", "text/plain", None]
    ),
    token=st.sampled_from(["Bearer test-token", "Bearer nope", "", "Bearer"]),
)
def test_no_request_makes_the_mock_fail(
    spec_checker: SpecChecker,
    method: str,
    template: str,
    segment: str,
    query: list[tuple[str, str]],
    body: bytes,
    content_type: str | None,
    token: str,
) -> None:
    path = BASE + template.replace("{id}", quote(segment, safe="@+"))
    headers = {"authorization": token} if token else {}
    if content_type:
        headers["content-type"] = content_type

    async def go() -> httpx.Response:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=APP),
            base_url="http://mock",
            event_hooks={"response": [checking_hook(spec_checker)]},
        ) as client:
            return await client.request(method, path, params=query, content=body, headers=headers)

    response = asyncio.run(go())
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.json()["status"] == "error"
