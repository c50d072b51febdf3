"""Client side, models: every component schema of the pinned spec against the generated model.

- round trip: for valid instances Hypothesis draws from the schema, `Model.from_dict` then
  `to_dict` gives the same JSON (date-times compared as wall time + offset);
- drift: an instance with a field the spec does not know, or an enum value it does not know
  (what HubSpot sends after a release the pinned spec predates), parses without error and keeps
  the value (in `additional_properties`, or as an enum member with `is_unknown`).

These judge the client, not a server: they run the same whatever the target.
"""

from __future__ import annotations

import enum
from typing import Any

import hubspot_communication_preferences.models as models
import pytest
from hypothesis import HealthCheck, assume, given, seed, settings
from hypothesis import strategies as st

from commprefs_kit.contract.results import ANY_OPERATION, tag_check
from commprefs_kit.contract.settings import SuiteSettings
from commprefs_kit.contract.spec_schemas import SpecSchemas, normalize

SCHEMAS = SpecSchemas.from_spec()
SETTINGS = SuiteSettings.load()
ENUMS = [name for name in SCHEMAS.names if "enum" in SCHEMAS.definitions[name]]
OBJECTS = [name for name in SCHEMAS.names if name not in ENUMS]
DRIFT_VALUE = "VALUE_FROM_A_LATER_RELEASE"
DRIFT_FIELD = "fieldFromALaterRelease"
ROUND_TRIP_SETTINGS = settings(
    max_examples=SETTINGS.model_examples,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
DRIFT_SETTINGS = settings(ROUND_TRIP_SETTINGS, max_examples=SETTINGS.drift_examples)


def model(name: str) -> Any:
    return getattr(models, name)


def test_every_component_schema_has_a_model(request: pytest.FixtureRequest) -> None:
    tag_check(request.node, ANY_OPERATION, "client_models")
    assert [name for name in SCHEMAS.names if not hasattr(models, name)] == []


@pytest.mark.parametrize("name", OBJECTS)
def test_round_trip(name: str, request: pytest.FixtureRequest) -> None:
    tag_check(request.node, ANY_OPERATION, "client_round_trip")
    schema = SCHEMAS.schema(name)

    @seed(SETTINGS.seed)
    @ROUND_TRIP_SETTINGS
    @given(SCHEMAS.strategy(name))
    def round_trip(instance: Any) -> None:
        assert SCHEMAS.errors(schema, instance) == []
        parsed = model(name).from_dict(instance)
        assert normalize(parsed.to_dict(), schema, SCHEMAS) == normalize(instance, schema, SCHEMAS)

    round_trip()


@pytest.mark.parametrize("name", OBJECTS)
def test_unknown_field_is_kept(name: str, request: pytest.FixtureRequest) -> None:
    tag_check(request.node, ANY_OPERATION, "client_drift")
    strategy = st.tuples(
        SCHEMAS.strategy(name),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(st.text(max_size=5), inner, max_size=3)
            ),
            max_leaves=5,
        ),
    )

    @seed(SETTINGS.seed)
    @DRIFT_SETTINGS
    @given(strategy)
    def drift(pair: tuple[Any, Any]) -> None:
        instance, value = pair
        assume(isinstance(instance, dict))
        parsed = model(name).from_dict({**instance, DRIFT_FIELD: value})
        assert parsed.additional_properties[DRIFT_FIELD] == value
        assert parsed.to_dict()[DRIFT_FIELD] == value

    drift()


ENUM_FIELDS = [(name, prop) for name in OBJECTS for prop, _ in SCHEMAS.enum_properties(name)]


@pytest.mark.parametrize(("name", "prop"), ENUM_FIELDS)
def test_unknown_enum_value_is_kept(name: str, prop: str, request: pytest.FixtureRequest) -> None:
    tag_check(request.node, ANY_OPERATION, "client_drift")

    @seed(SETTINGS.seed)
    @DRIFT_SETTINGS
    @given(SCHEMAS.strategy(name))
    def drift(instance: Any) -> None:
        parsed = model(name).from_dict({**instance, prop: DRIFT_VALUE})
        assert parsed.to_dict()[prop] == DRIFT_VALUE
        value = next(
            getattr(parsed, attribute)
            for attribute in dir(parsed)
            if isinstance(getattr(parsed, attribute, None), enum.Enum)
            and getattr(parsed, attribute).value == DRIFT_VALUE
        )
        assert value.is_unknown

    drift()


@pytest.mark.parametrize("name", ENUMS)
def test_enum_values(name: str, request: pytest.FixtureRequest) -> None:
    tag_check(request.node, ANY_OPERATION, "client_drift")
    cls = model(name)
    for value in SCHEMAS.definitions[name]["enum"]:
        assert not cls(value).is_unknown
        assert cls(value).value == value
    unknown = cls(DRIFT_VALUE)
    assert unknown.is_unknown
    assert unknown.value == DRIFT_VALUE
    assert str(unknown) == DRIFT_VALUE
