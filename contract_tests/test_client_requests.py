"""Client side, requests: for every operation, Hypothesis draws valid arguments, the generated
client builds the request, an httpx transport captures it, and the request must match the
pinned spec (method, path template, path and query parameters, body schema, headers).

The captured request is answered with a valid success body carrying a field the spec does not
know, which the client must parse into the operation's success model and keep.

These judge the client, not a server: they run the same whatever the target.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import hubspot_communication_preferences.models as models
import pytest
from hubspot_communication_preferences.lib.operation import operation_modules
from hubspot_communication_preferences.types import UNSET
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from commprefs_kit.contract.client import generated_client
from commprefs_kit.contract.results import tag_check
from commprefs_kit.contract.settings import SuiteSettings
from commprefs_kit.contract.spec_requests import operations, request_problems
from commprefs_kit.contract.spec_schemas import DEFINITIONS_REF, SpecSchemas, strategy_for
from commprefs_kit.contract.target import Target
from commprefs_spec import Operation, Parameter

SCHEMAS = SpecSchemas.from_spec()
OPERATIONS = operations()
SETTINGS = SuiteSettings.load()
DRIFT_FIELD = "fieldFromALaterRelease"
# The test's own token: the target's token must not reach a fake transport's captured requests.
TOKEN = "client-request-test-token"
MODULES = operation_modules()


def api_module(operation_id: str) -> Any:
    return MODULES[operation_id]


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def value_strategy(parameter: Parameter) -> st.SearchStrategy[Any]:
    """Values of one parameter, as the generated client's Python arguments take them."""
    strategy = strategy_for(SCHEMAS.standalone(parameter.schema))
    if parameter.schema_name and "enum" in SCHEMAS.resolve(parameter.schema):
        return strategy.map(getattr(models, parameter.schema_name))
    return strategy


def arguments(operation: Operation) -> st.SearchStrategy[dict[str, Any]]:
    """Keyword arguments of the operation's `sync_detailed`, optional ones sometimes left out."""
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for parameter in operation.parameters:
        values = value_strategy(parameter)
        if not parameter.required:
            values = st.just(UNSET) | values
        fields[snake(parameter.name)] = values
    if operation.body_schema_name is not None:
        body_model = getattr(models, operation.body_schema_name)
        fields["body"] = SCHEMAS.strategy(operation.body_schema_name).map(body_model.from_dict)
    return st.fixed_dictionaries(fields)


def answers(operation: Operation) -> st.SearchStrategy[tuple[int, Any]]:
    """(status, body) of a success answer: a valid instance plus a field the spec lacks."""
    names = operation.response_schema_names
    choices = [
        st.tuples(
            st.just(code),
            SCHEMAS.strategy(str(names[str(code)])).map(lambda body: {**body, DRIFT_FIELD: [1]}),
        )
        for code in sorted(operation.success_schemas())
    ]
    return st.one_of(choices)


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.operation_id)
def test_client_builds_valid_requests(operation: Operation, request: pytest.FixtureRequest) -> None:
    tag_check(request.node, operation.operation_id, "client_request")
    module = api_module(operation.operation_id)
    captured: list[httpx.Request] = []
    answer: dict[str, Any] = {}

    def respond(sent: httpx.Request) -> httpx.Response:
        captured.append(sent)
        return httpx.Response(answer["status"], json=answer["body"])

    transport = httpx.MockTransport(respond)
    target = Target(base_url="https://api.hubapi.com", token=TOKEN)

    @seed(SETTINGS.seed)
    @settings(
        max_examples=SETTINGS.model_examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(arguments(operation), answers(operation))
    def call(kwargs: dict[str, Any], status_and_body: tuple[int, Any]) -> None:
        answer["status"], answer["body"] = status_and_body
        captured.clear()
        with generated_client(target, transport=transport, wait_out_rate_limits=False) as client:
            response = module.sync_detailed(client=client, **kwargs)
        assert len(captured) == 1
        assert request_problems(operation, captured[0], SCHEMAS) == []
        # The drifted answer parses into the success model of its status, extra field kept.
        name = operation.response_schema_names[str(answer["status"])]
        expected_model = getattr(models, str(name))
        assert response.status_code == answer["status"]
        assert isinstance(response.parsed, expected_model)
        assert response.parsed.additional_properties[DRIFT_FIELD] == [1]

    call()


def test_operation_modules_cover_the_spec(request: pytest.FixtureRequest) -> None:
    tag_check(request.node, "*", "client_request")
    missing = []
    for operation in OPERATIONS:
        try:
            module: Callable[..., Any] = api_module(operation.operation_id)
        except LookupError:
            missing.append(operation.operation_id)
            continue
        assert callable(getattr(module, "sync_detailed", None))
    assert missing == []
    assert DEFINITIONS_REF.startswith("#/")
