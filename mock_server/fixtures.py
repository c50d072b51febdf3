"""Subscription definitions per business unit, from a JSON or YAML fixtures file.

The file format is ``{"businessUnits": [{"id": 0, "name": "...", "definitions": [...]}]}``;
each definition is a SubscriptionDefinition exactly as the API returns it, and is validated
against that schema of the pinned spec. Ids must be unique across units, because status
writes name a subscription without a business unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import yaml

from commprefs_spec.model import JSON, Spec
from mock_server.validation import compile_schema

DEFAULT_FIXTURES = Path(__file__).with_name("fixtures") / "default.json"


class FixtureError(ValueError):
    """The fixtures are unusable; the message says why."""


@dataclass(frozen=True)
class Definition:
    """One subscription type; ``api`` is its SubscriptionDefinition as served."""

    id: int
    business_unit_id: int
    name: str
    created_at: str
    api: JSON


@dataclass(frozen=True)
class Fixtures:
    units: dict[int, tuple[Definition, ...]]  # business unit id -> its definitions, in order
    by_id: dict[int, Definition]


def _file_schema(spec: Spec) -> JSON:
    return {
        "type": "object",
        "required": ["businessUnits"],
        "properties": {
            "businessUnits": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["id", "definitions"],
                    "properties": {
                        "id": {"type": "integer", "minimum": 0},
                        "name": {"type": "string"},
                        "definitions": {
                            "type": "array",
                            "items": spec.component("SubscriptionDefinition"),
                        },
                    },
                },
            }
        },
    }


def parse_fixtures(data: Any, spec: Spec) -> Fixtures:
    """Validate fixtures data (already decoded) and index it."""
    validator = compile_schema(_file_schema(spec))
    errors = list(validator.iter_errors(data))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.instance_path) or "(top)"
        raise FixtureError(f"invalid fixtures at {where}: {first.message}")
    units: dict[int, tuple[Definition, ...]] = {}
    by_id: dict[int, Definition] = {}
    for unit in data["businessUnits"]:
        unit_id = unit["id"]
        if unit_id in units:
            raise FixtureError(f"business unit {unit_id} appears twice")
        definitions = []
        for raw in unit["definitions"]:
            if not raw["id"].isascii() or not raw["id"].isdigit():
                raise FixtureError(f"definition id {raw['id']!r} is not a number")
            sub_id = int(raw["id"])
            if sub_id in by_id:
                raise FixtureError(f"definition id {sub_id} appears twice")
            if raw.get("businessUnitId", unit_id) != unit_id:
                raise FixtureError(f"definition {sub_id} names another business unit")
            api = {**raw, "businessUnitId": unit_id}
            definition = Definition(sub_id, unit_id, raw["name"], raw["createdAt"], api)
            definitions.append(definition)
            by_id[sub_id] = definition
        units[unit_id] = tuple(definitions)
    return Fixtures(units, by_id)


def load_fixtures(path: Path | None, spec: Spec) -> Fixtures:
    """Read a fixtures file (.json, .yaml or .yml); the built-in defaults when ``path`` is None."""
    path = path or DEFAULT_FIXTURES
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FixtureError(f"cannot read fixtures file {path}: {exc.strerror}") from None
    try:
        data = yaml.safe_load(raw) if path.suffix in (".yaml", ".yml") else orjson.loads(raw)
    except (yaml.YAMLError, orjson.JSONDecodeError) as exc:
        raise FixtureError(f"fixtures file {path} is not valid JSON/YAML: {exc}") from None
    return parse_fixtures(data, spec)
