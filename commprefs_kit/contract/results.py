"""What a contract run found: tallies per operation and check, distinct failures, test outcomes.

`ContractResults` is filled from two places: Schemathesis' `after_validate` hook (one entry per
check per response, see contract_tests/conftest.py) and the `Collector` pytest plugin (one entry
per test, for the client-side and workflow tests, which tag themselves with `tag_check`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

PLUGIN_NAME = "commprefs-contract-collector"
USER_PROPERTY = "contract_check"
# Tests that judge the whole API rather than one operation use this operation name.
ANY_OPERATION = "*"


@dataclass
class Tally:
    passed: int = 0
    failed: int = 0


@dataclass
class FailureRecord:
    operation: str
    check: str
    title: str
    message: str
    test: str
    curl: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.operation, self.check, self.title)


@dataclass
class ItemOutcome:
    nodeid: str
    outcome: str
    duration: float
    group: str


@dataclass
class ContractResults:
    tallies: dict[tuple[str, str], Tally] = field(default_factory=lambda: defaultdict(Tally))
    failures: dict[tuple[str, str, str], FailureRecord] = field(default_factory=dict)
    tests: list[ItemOutcome] = field(default_factory=list)
    current_test: str = ""

    def record_check(
        self,
        operation: str,
        check: str,
        *,
        passed: bool,
        title: str = "",
        message: str = "",
        curl: str | None = None,
        test: str | None = None,
    ) -> None:
        tally = self.tallies[(operation, check)]
        if passed:
            tally.passed += 1
            return
        tally.failed += 1
        record = FailureRecord(
            operation=operation,
            check=check,
            title=title or check,
            message=message,
            test=test or self.current_test,
            curl=curl,
        )
        # A later record of the same failure replaces the earlier one: after shrinking,
        # Hypothesis replays the minimal example last, which makes the shortest reproduction.
        self.failures[record.key] = record

    def expect(self, operation: str, check: str, ok: bool, message: str) -> None:
        """Tally one judgement of a hand-written check; raise `AssertionError` when it fails."""
        self.record_check(
            operation, check, passed=ok, title=message.splitlines()[0], message=message
        )
        if not ok:
            raise AssertionError(f"[{check}] {message}")

    @property
    def operations(self) -> list[str]:
        return sorted({operation for operation, _ in self.tallies})

    @property
    def checks(self) -> list[str]:
        return sorted({check for _, check in self.tallies})

    @property
    def failed_tests(self) -> list[ItemOutcome]:
        return [test for test in self.tests if test.outcome == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failures and not self.failed_tests and bool(self.tests)

    def caught_by(self) -> set[str]:
        """Names of the checks that failed at least once."""
        return {check for (_, check), tally in self.tallies.items() if tally.failed}


def tag_check(node: pytest.Item, operation: str, check: str) -> None:
    """Declare which operation and check a test judges, for the report's table."""
    node.user_properties.append((USER_PROPERTY, f"{operation} {check}"))


def group_of(nodeid: str) -> str:
    """`contract_tests/test_client_models.py::test_x[...]` -> `test_client_models`."""
    module = nodeid.split("::", 1)[0].rsplit("/", 1)[-1]
    return module.removesuffix(".py")


def _short_message(report: pytest.TestReport) -> str:
    text = report.longreprtext or ""
    # The exception line(s) pytest marks with "E   " say what went wrong; the rest is traceback.
    lines = [line[4:] if line.startswith("E   ") else None for line in text.splitlines()]
    picked = [line for line in lines if line is not None]
    return "\n".join(picked[:40]) if picked else text[-2000:]


_CURL = re.compile(r"^\s*(curl .+)$", re.MULTILINE)


class Collector:
    """pytest plugin: per-test outcomes, and tagged checks' passes and failures.

    `provider` returns the run's results (shared with Schemathesis' hook); by default the
    collector keeps its own.
    """

    def __init__(self, provider: Callable[[], ContractResults] | None = None) -> None:
        own = ContractResults()
        self._provider = provider or (lambda: own)

    @property
    def results(self) -> ContractResults:
        return self._provider()

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        self.results.current_test = item.nodeid

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        failed_setup = report.when == "setup" and report.outcome != "passed"
        if (
            report.when != "call"
            and not failed_setup
            and not (report.when == "teardown" and report.failed)
        ):
            return
        self.results.tests.append(
            ItemOutcome(
                nodeid=report.nodeid,
                outcome="skipped" if report.skipped else report.outcome,
                duration=report.duration,
                group=group_of(report.nodeid),
            )
        )
        if report.skipped:
            return
        tags = [value for name, value in report.user_properties if name == USER_PROPERTY]
        message = _short_message(report) if report.failed else ""
        for tag in tags:
            operation, check = str(tag).split(" ", 1)
            match = _CURL.search(message)
            self.results.record_check(
                operation,
                check,
                passed=not report.failed,
                title=message.splitlines()[0] if message else "",
                message=message,
                curl=match.group(1) if match else None,
                test=report.nodeid,
            )
        if report.failed and not tags and not self._has_check_failure(report.nodeid):
            # A failure no check explains (an exception, a broken fixture): report it as is.
            self.results.record_check(
                ANY_OPERATION,
                "test",
                passed=False,
                title=(message.splitlines() or ["failed"])[0],
                message=message,
                test=report.nodeid,
            )

    def _has_check_failure(self, nodeid: str) -> bool:
        return any(record.test == nodeid for record in self.results.failures.values())


def get_collector(
    config: pytest.Config, provider: Callable[[], ContractResults] | None = None
) -> Collector:
    """The run's collector; registered on first use when pytest runs the suite directly."""
    plugin: Any = config.pluginmanager.get_plugin(PLUGIN_NAME)
    if plugin is None:
        plugin = Collector(provider)
        config.pluginmanager.register(plugin, PLUGIN_NAME)
    assert isinstance(plugin, Collector)
    return plugin
