"""The suite's knobs: example counts and seed, from `contract_tests/schemathesis.toml` and the
environment (`scripts/contract` sets the environment from its options).

The toml file is Schemathesis' own configuration; the other counts (state machines, client-side
properties) scale from its `generation.max-examples` so that one number sizes the whole run.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from commprefs_kit import paths
from commprefs_spec import Spec, pinned_spec


def _contract_tests_dir() -> Path:
    """The suite's pytest files: the checkout's contract_tests/, or the copy an installed kit
    carries inside this package (setup.py's build hook puts it there)."""
    checkout = paths.ROOT / "contract_tests"
    return checkout if checkout.is_dir() else Path(__file__).resolve().parent / "contract_tests"


CONTRACT_TESTS_DIR = _contract_tests_dir()
SCHEMATHESIS_TOML = CONTRACT_TESTS_DIR / "schemathesis.toml"
ENV_EXAMPLES = "COMMPREFS_CONTRACT_EXAMPLES"
ENV_SEED = "COMMPREFS_CONTRACT_SEED"
WORKFLOW_STEPS = 10


def _subscription_id_bindings(spec: Spec) -> dict[str, str]:
    """Where each operation's body names a subscription type by its integer id, as
    Schemathesis' parameter bindings (`body.subscriptionId`, `body.inputs[*].subscriptionId`)."""
    bindings: dict[str, str] = {}
    for op in spec.operations.values():
        properties = (op.body_schema or {}).get("properties", {})
        items = properties.get("inputs", {}).get("items", {}).get("properties", {})
        if "subscriptionId" in properties:
            bindings[op.operation_id] = "body.subscriptionId"
        elif "subscriptionId" in items:
            bindings[op.operation_id] = "body.inputs[*].subscriptionId"
    return bindings


# Operations whose bodies name a subscription type by its integer id (read from the spec).
SUBSCRIPTION_ID_BINDINGS = _subscription_id_bindings(pinned_spec())


class SettingsError(ValueError):
    """A knob has a value the suite cannot use; the message is one line."""


@dataclass(frozen=True)
class SuiteSettings:
    examples: int
    seed: int
    stateful_steps: int

    @property
    def stateful_examples(self) -> int:
        """Scenarios of Schemathesis' link-driven state machine."""
        return max(5, self.examples)

    @property
    def workflow_examples(self) -> int:
        """Runs of the hand-written workflow state machine (up to WORKFLOW_STEPS steps each)."""
        return max(5, self.examples)

    @property
    def model_examples(self) -> int:
        """Instances per component schema in the client-side round-trip properties."""
        return max(10, self.examples // 2)

    @property
    def drift_examples(self) -> int:
        """Instances per schema (and enum field) in the client-side drift properties."""
        return max(5, self.examples // 4)

    @classmethod
    def load(
        cls, toml_path: Path = SCHEMATHESIS_TOML, environ: Mapping[str, str] | None = None
    ) -> SuiteSettings:
        env = os.environ if environ is None else environ
        data = read_toml(toml_path)
        generation = data.get("generation", {})
        stateful = data.get("phases", {}).get("stateful", {})
        seed = _whole_number(env.get(ENV_SEED), ENV_SEED, minimum=0)
        return cls(
            examples=_whole_number(env.get(ENV_EXAMPLES), ENV_EXAMPLES, minimum=1)
            or int(generation.get("max-examples", 40)),
            seed=int(data.get("seed", 0)) if seed is None else seed,
            stateful_steps=int(stateful.get("max-steps", 6)),
        )


def _whole_number(value: str | None, name: str, *, minimum: int) -> int | None:
    if value is None or not value.strip():
        return None
    try:
        number = int(value)
    except ValueError:
        raise SettingsError(f"{name}={value!r} is not a whole number") from None
    if number < minimum:
        raise SettingsError(f"{name}={value!r} must be at least {minimum}")
    return number


def read_toml(path: Path = SCHEMATHESIS_TOML) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def schemathesis_config_data(
    settings: SuiteSettings,
    *,
    subscription_ids: Sequence[int] = (),
    business_units: Sequence[int] = (),
    toml_path: Path = SCHEMATHESIS_TOML,
) -> dict[str, Any]:
    """The toml file's data with this run's counts and seed, plus the ids the target knows.

    Schema-valid requests then name real subscription types and business units: a random id
    is, rightly, a 400 ("unknown subscription"), which would make every positive write a
    false alarm. Negative cases still get Schemathesis' own invalid values.
    """
    data = read_toml(toml_path)
    data["seed"] = settings.seed
    data.setdefault("generation", {})["max-examples"] = settings.examples
    data.setdefault("phases", {}).setdefault("stateful", {})["max-steps"] = settings.stateful_steps
    dictionaries = data.setdefault("dictionaries", {})
    if business_units:
        dictionaries["business_units"] = {"values": list(business_units)}
        data.setdefault("parameters", {})["query.businessUnitId"] = {"dictionary": "business_units"}
    if subscription_ids:
        dictionaries["subscriptions"] = {"values": list(subscription_ids)}
        operations = data.setdefault("operations", [])
        for operation_id, binding in SUBSCRIPTION_ID_BINDINGS.items():
            operations.append(
                {
                    "include-operation-id": operation_id,
                    "parameters": {binding: {"dictionary": "subscriptions"}},
                }
            )
    return data
