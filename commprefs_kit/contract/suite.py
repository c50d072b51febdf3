"""The contract suite's shared state for one run: target, app, settings, loaded spec, results.

Schemathesis' `@schema.parametrize()` needs the schema when pytest imports the test module
(its fixture-based lazy loader does not work with pytest 9), so the suite is built on first
use and shared by the test modules and conftest.py. `reset()` starts a new run (the runner
calls it; a plain `pytest contract_tests` run uses a fresh process anyway).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import schemathesis
from schemathesis.config import SchemathesisConfig

from commprefs_kit.contract import checks
from commprefs_kit.contract.report import reproduction
from commprefs_kit.contract.results import ContractResults
from commprefs_kit.contract.settings import (
    CONTRACT_TESTS_DIR,
    SuiteSettings,
    schemathesis_config_data,
)
from commprefs_kit.contract.target import Known, Target, build_app, discover, preflight
from commprefs_spec import pinned_spec_path


@dataclass
class Suite:
    target: Target
    settings: SuiteSettings
    app: Any
    known: Known
    schema: schemathesis.BaseSchema


_results = ContractResults()
_suite: Suite | None = None


def results() -> ContractResults:
    return _results


def reset() -> None:
    global _results, _suite
    _results = ContractResults()
    _suite = None


def peek() -> Suite | None:
    """The suite if it has been built, without building it."""
    return _suite


def current() -> Suite:
    global _suite
    if _suite is None:
        _suite = build()
    return _suite


def build() -> Suite:
    target = Target.from_env()
    settings = SuiteSettings.load()
    app = build_app(target.app_spec, target.spec_path) if target.in_process else None
    preflight(target, app)
    known = discover(target, app)
    schema = load_schema(target, app, settings, known)
    return Suite(target=target, settings=settings, app=app, known=known, schema=schema)


def load_schema(
    target: Target, app: Any, settings: SuiteSettings, known: Known
) -> schemathesis.BaseSchema:
    data = schemathesis_config_data(
        settings, subscription_ids=known.subscription_ids, business_units=known.business_units
    )
    config = SchemathesisConfig.from_dict(data, base_dir=str(CONTRACT_TESTS_DIR))
    spec_path = target.spec_path or pinned_spec_path()
    schema = schemathesis.openapi.from_path(spec_path, config=config)
    if target.in_process:
        schema.app = app
    else:
        assert target.base_url is not None
        schema.config.update(base_url=target.base_url)

    def after_validate(
        context: schemathesis.HookContext,
        case: checks.Case,
        response: schemathesis.Response,
        outcomes: list[schemathesis.CheckResult],
    ) -> None:
        record_outcomes(target, case, response, outcomes)

    schema.hooks.register_hook_with_name(after_validate, "after_validate")
    return schema


def record_outcomes(
    target: Target,
    case: checks.Case,
    response: schemathesis.Response,
    outcomes: list[schemathesis.CheckResult],
) -> None:
    """One tally per check and response; failures keep a curl command that replays them."""
    operation = checks.operation_id(case)
    for outcome in outcomes:
        failure = outcome.failure
        if failure is None:
            _results.record_check(operation, outcome.name, passed=True)
            continue
        curl = case.as_curl_command(headers=dict(response.request.headers), verify=response.verify)
        _results.record_check(
            operation,
            outcome.name,
            passed=False,
            title=target.redact(failure.title),
            message=target.redact(f"[{response.status_code}] {failure.message}"),
            curl=reproduction(curl, target),
        )
