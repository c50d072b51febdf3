"""Fixtures of the contract suite: the target, the loaded spec, clients, result collection.

The target comes from the environment (commprefs_kit.contract.target): by default a mock app
in-process; with COMMPREFS_BASE_URL, any server (token from HUBSPOT_ACCESS_TOKEN).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hubspot_communication_preferences import AuthenticatedClient
from requests.adapters import HTTPAdapter
from schemathesis.python import asgi
from urllib3.util.retry import Retry

from commprefs_kit.contract import checks, formats, suite
from commprefs_kit.contract.client import generated_client
from commprefs_kit.contract.results import ContractResults, get_collector
from commprefs_kit.contract.settings import SettingsError, SuiteSettings
from commprefs_kit.contract.target import Known, Target, TargetError, build_app

# 429s in a row that are waited out before the 429 reaches the checks (HubSpot's 10-second
# window drains within a few Retry-After waits).
RATE_LIMIT_RETRIES = 8


def pytest_configure(config: pytest.Config) -> None:
    get_collector(config, suite.results)
    # Schema-valid emails are addresses the API accepts (commprefs_kit/contract/formats.py);
    # before the schema first generates anything.
    formats.register()
    try:
        suite.current()
    except (TargetError, SettingsError) as exc:
        # An unreachable server or a rejected token: one line, no traceback.
        raise pytest.UsageError(str(exc)) from None


@pytest.fixture(scope="session")
def contract_suite() -> suite.Suite:
    return suite.current()


@pytest.fixture(scope="session")
def target(contract_suite: suite.Suite) -> Target:
    return contract_suite.target


@pytest.fixture(scope="session")
def suite_settings(contract_suite: suite.Suite) -> SuiteSettings:
    return contract_suite.settings


@pytest.fixture(scope="session")
def known(contract_suite: suite.Suite) -> Known:
    return contract_suite.known


@pytest.fixture(scope="session")
def app(contract_suite: suite.Suite) -> Any:
    """The in-process app shared by the suite (None for a remote target)."""
    return contract_suite.app


@pytest.fixture
def fresh_app(target: Target) -> Any:
    """A new in-process app with empty state (None for a remote target)."""
    return build_app(target.app_spec, target.spec_path) if target.in_process else None


@pytest.fixture(scope="session")
def api_schema(contract_suite: suite.Suite) -> schemathesis.BaseSchema:
    return contract_suite.schema


@pytest.fixture(scope="session")
def contract_results() -> ContractResults:
    return suite.results()


@pytest.fixture(scope="session")
def auth_headers(target: Target) -> dict[str, str]:
    return {"Authorization": f"Bearer {target.token}"}


@pytest.fixture(scope="session")
def http_session(target: Target, app: Any) -> Iterator[requests.Session]:
    """One connection pool (or one in-process ASGI client) for every Schemathesis call."""
    if target.in_process:
        with asgi.get_client(app) as client:
            yield client
    else:
        with requests.Session() as session:
            adapter = HTTPAdapter(max_retries=rate_limit_retry())
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            yield session


def rate_limit_retry() -> Retry:
    """Wait out a 429 and send the request again, as HubSpot asks (Retry-After).

    A throttled server (HubSpot, `scripts/mock --rate-limit 100/10`) answers some requests 429
    at random moments. A 429 is allowed by every check, but the state machine builds its next
    requests from the answers: a 429 where the last run had a 200 changes what it generates,
    and Hypothesis stops with FlakyStrategyDefinition. A 429 means the request was not
    carried out, so sending it again is safe for every method. Only 429 is retried; when the
    retries run out, the 429 itself reaches the checks (rate_limit_guidance judges it).
    """
    return Retry(
        total=None,
        connect=0,
        read=0,
        redirect=0,
        other=0,
        status=RATE_LIMIT_RETRIES,
        status_forcelist=(429,),
        allowed_methods=None,  # every method: a 429 was not carried out
        respect_retry_after_header=True,
        backoff_factor=0.5,
        backoff_max=10,
        raise_on_status=False,
    )


@pytest.fixture(scope="session")
def call_and_validate(
    auth_headers: dict[str, str], http_session: requests.Session
) -> Callable[[checks.Case], schemathesis.Response]:
    def run(case: checks.Case) -> schemathesis.Response:
        return case.call_and_validate(headers=auth_headers, session=http_session)

    return run


@pytest.fixture(scope="session")
def client(target: Target, app: Any) -> Iterator[AuthenticatedClient]:
    """The generated client, pointed at the target (in-process for the default mock)."""
    with generated_client(target, app) as api:
        yield api


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Failure texts quote server answers, and a server may echo the token: redact it before
    pytest prints the report or writes it to JUnit XML."""
    outcome: Any = yield
    report = outcome.get_result()
    if report.longrepr is None:
        return
    built = suite.peek()
    if built is None:
        return
    text = str(report.longrepr)
    redacted = built.target.redact(text)
    if redacted != text:
        report.longrepr = redacted


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the operation back into the node ids of Schemathesis' per-operation tests.

    Under pytest 9 they all get `test_operation_conforms` as node id (pytest builds it from
    `originalname`), which makes JUnit XML and failure listings ambiguous. Only the id of
    those items changes; if pytest's internals move, the ids simply stay as they are.
    """
    for item in items:
        original = getattr(item, "originalname", None)
        operation = getattr(item, "operation_label", None)
        if not original or not operation or item.nodeid.endswith("]"):
            continue
        try:
            item._id = item.parent.id.child(original).with_params(operation)  # type: ignore[union-attr]
        except AttributeError:
            return
