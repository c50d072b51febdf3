"""`scripts/contract`: run the contract suite against a target and report what it found.

Builds the suite (target, app, spec) first, so that an unreachable server or a rejected token
is one line on stderr (exit 2), never a traceback; then runs contract_tests/ with pytest,
collecting every check's outcome, and prints the operations x checks table with a curl
reproduction per failure. Writes a Markdown report and JUnit XML. Exit 0 only when every test
and check passed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from rich.console import Console

from commprefs_kit import paths
from commprefs_kit.contract import suite
from commprefs_kit.contract.report import json_report, markdown_report, print_summary
from commprefs_kit.contract.settings import (
    CONTRACT_TESTS_DIR,
    ENV_EXAMPLES,
    ENV_SEED,
    SettingsError,
)
from commprefs_kit.contract.target import (
    ENV_ALLOW_WRITES,
    ENV_APP,
    ENV_BASE_URL,
    ENV_READ_ONLY_RUN,
    ENV_SPEC,
    ENV_TOKEN,
    TargetError,
    normalize_base_url,
    write_refusal,
)
from commprefs_kit.contract.traffic_run import run_traffic
from commprefs_kit.proxy.spec_view import spec_view
from commprefs_kit.verbs import VerbParser, error
from commprefs_spec import SpecError, load_spec

# In a checkout, the repository's reports/; installed, reports/ where the user runs the verb.
REPORTS_DIR = paths.reports_dir()
# The suites that judge the server by the spec alone (what --spec runs).
SERVER_SIDE = ("test_server.py", "test_server_stateful.py")
TABLE_WIDTH = 120
EXIT_FAILED = 1
EXIT_UNUSABLE = 2


def parser() -> argparse.ArgumentParser:
    p = VerbParser(
        script="scripts/contract",
        console_script="commprefs-contract",
        description=(
            "Run the contract suite (server side with Schemathesis, stateful workflows, client "
            "side) against the mock in-process, or against --base-url. The token comes from "
            f"${ENV_TOKEN} (default: the mock's test-token) and is never printed."
        ),
    )
    p.add_argument(
        "--base-url",
        metavar="URL",
        help="test the server at URL (the mock over HTTP, Prism, Steady, https://api.hubapi.com)",
    )
    p.add_argument(
        "--app",
        metavar="MODULE:FACTORY",
        help="in-process ASGI app factory to test instead of mock_server:create_app",
    )
    p.add_argument(
        "--examples",
        type=_at_least(1),
        metavar="N",
        help="examples per operation and phase; everything else scales with it (default 40)",
    )
    p.add_argument(
        "--seed", type=_at_least(0), metavar="N", help="seed (default: the toml's fixed seed)"
    )
    p.add_argument("-k", dest="keyword", metavar="EXPR", help="only tests matching EXPR (pytest)")
    p.add_argument(
        "--report",
        type=Path,
        default=REPORTS_DIR / "contract-report.md",
        help="Markdown report (default: reports/contract-report.md)",
    )
    p.add_argument(
        "--junit",
        type=Path,
        default=REPORTS_DIR / "junit.xml",
        help="JUnit XML (default: reports/junit.xml)",
    )
    p.add_argument(
        "--json", type=Path, metavar="PATH", help="also write the results as JSON (for tools)"
    )
    p.add_argument("-v", "--verbose", action="store_true", help="show pytest's own output")
    p.add_argument(
        "--spec",
        type=Path,
        metavar="FILE",
        help="judge the server by another revision of the OpenAPI document (e.g. a candidate "
        "of HubSpot's next version, served by `scripts/mock --spec FILE`): runs the server-side "
        "suites only, since the client-side ones test the generated client of the pinned spec",
    )
    p.add_argument(
        "--traffic",
        type=Path,
        metavar="FILE",
        help="judge recorded exchanges instead of running the suite: a HAR 1.2 file, a "
        "`scripts/proxy --record` file or a Schemathesis VCR cassette (nothing is sent)",
    )
    p.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="with --traffic: json prints the findings (spec-diff's change vocabulary) on stdout",
    )
    writes = p.add_mutually_exclusive_group()
    writes.add_argument(
        "--read-only",
        action="store_true",
        help="run only the operations that change nothing (safe on any portal); the report "
        "lists what was skipped",
    )
    writes.add_argument(
        "--allow-writes",
        action="store_true",
        help="against a server other than the in-process mock, run the write operations too "
        "(they unsubscribe generated addresses: test portals only)",
    )
    return p


def _at_least(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} is less than {minimum}")
        return value

    return parse


# Test modules that never talk to the server (they judge the generated client on its own).
CLIENT_ONLY_MODULES = ("test_client_models.py", "test_client_requests.py")
# What read-only mode leaves out besides the write operations' own tests.
SKIPPED_IN_READ_ONLY = {
    "test_server_stateful.py": "the link state machines (checks unsubscribe_all_visible, "
    "status_write_visible): every link family starts from a write",
    "test_workflows.py": "the consent workflows (wf_definitions_feed_writes, "
    "wf_unsubscribe_all_visible, wf_write_read_back, wf_resubscribe, "
    "wf_contacts_case_insensitive): each one writes",
}


class ReadOnlyPlugin:
    """pytest plugin for `--read-only`: keeps only tests known to change nothing.

    Fail closed: a test is kept only when it is client-side, or names a read-only operation
    (by operationId, or by `METHOD path` in Schemathesis' test ids); any other test, including
    one added later, is left out and listed.
    """

    def __init__(self) -> None:
        view = spec_view()
        self.read_only = set(view.read_only_operations)
        self.writes = sorted(view.write_operations)
        self._labels = {
            f"{op.method} {op.path}": op.operation_id for op in view.operations.values()
        }
        self.deselected: list[str] = []

    def _allowed(self, item: pytest.Item) -> bool:
        module = item.nodeid.split("::", 1)[0].rsplit("/", 1)[-1]
        if module in CLIENT_ONLY_MODULES:
            return True
        name = item.nodeid.split("::", 1)[-1]
        param = name.partition("[")[2].removesuffix("]")
        if module == "test_server.py" and param:
            return self._labels.get(param) in self.read_only
        if module == "test_client_e2e.py":
            if name == "test_calls_cover_the_spec":
                return True  # no request
            if name == "test_unknown_token_gets_hubspot_401":
                return True  # one GET of the definitions
            return param in self.read_only
        return False

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        kept = [item for item in items if self._allowed(item)]
        dropped = [item for item in items if not self._allowed(item)]
        self.deselected = [item.nodeid for item in dropped]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def read_only_lines(guard: ReadOnlyPlugin) -> list[str]:
    """What a read-only run left out, for the console and the report."""
    lines = [
        "## Read-only run: what was skipped",
        "",
        "Operations that change something (not called at all): "
        + ", ".join(f"`{op}`" for op in guard.writes)
        + ". `generate_links` changes no status but needs a write scope, so it counts as a "
        "write here.",
    ]
    modules = sorted({node.split("::", 1)[0].rsplit("/", 1)[-1] for node in guard.deselected})
    for module in modules:
        why = SKIPPED_IN_READ_ONLY.get(module, "tests that call write operations")
        count = sum(1 for node in guard.deselected if f"/{module}::" in f"/{node}")
        lines.append(f"- `{module}` ({count} tests skipped): {why}")
    lines.append(
        "- checks that only judge write answers never run: batch_result_per_input on "
        "batch_update_statuses and batch_unsubscribe_all, unsubscribe_all_visible, "
        "status_write_visible"
    )
    return lines


def _set_environment(args: argparse.Namespace) -> None:
    """The suite reads its knobs from the environment (so plain pytest can too)."""
    for name, value in (
        (ENV_BASE_URL, args.base_url),
        (ENV_APP, args.app),
        (ENV_EXAMPLES, args.examples),
        (ENV_SEED, args.seed),
        (ENV_SPEC, args.spec.resolve() if args.spec else None),
        (ENV_ALLOW_WRITES, "1" if args.allow_writes else None),
        (ENV_READ_ONLY_RUN, "1" if args.read_only else None),
    ):
        if value is not None:
            os.environ[name] = str(value)


def _pytest_args(args: argparse.Namespace, junit: Path) -> list[str]:
    # Another spec: only the suites that judge the server by it (see --spec).
    tests = (
        [CONTRACT_TESTS_DIR / name for name in SERVER_SIDE] if args.spec else [CONTRACT_TESTS_DIR]
    )
    out = [
        *(str(path) for path in tests),
        "-p",
        "no:cacheprovider",
        f"--junitxml={junit}",
        "-o",
        "junit_suite_name=contract",
        "-W",
        "ignore::DeprecationWarning",
    ]
    if args.verbose:
        out += ["-v", "--tb=short"]
    else:
        out += ["-q", "--tb=no", "--no-header", "-rN", "-p", "no:warnings"]
    if args.keyword:
        out += ["-k", args.keyword]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    verb = parser()
    args = verb.parse_args(argv)
    if args.traffic is not None:
        return run_traffic(args, verb.prog)
    try:
        # --base-url, or the environment that plain pytest reads too.
        base_url = (args.base_url or os.environ.get(ENV_BASE_URL) or "").strip() or None
        if base_url is not None:
            normalize_base_url(base_url)
        refusal = write_refusal(
            base_url,
            read_only=args.read_only,
            allow_writes=args.allow_writes,
        )
        if refusal is not None:
            # Before anything is sent: not even the preflight read reaches the server.
            return error(verb.prog, refusal, EXIT_UNUSABLE)
        if args.spec is not None:
            load_spec(args.spec)  # one clear line now rather than a failure inside pytest
        _set_environment(args)
        suite.reset()
        built = suite.current()
    except (TargetError, SettingsError, SpecError) as exc:
        return error(verb.prog, exc, EXIT_UNUSABLE)
    target = built.target
    console = Console(highlight=False)
    if not console.is_terminal:
        # CI logs are not 80 columns wide; the table needs about 120.
        console = Console(highlight=False, width=max(console.width, TABLE_WIDTH))
    console.print(f"contract suite against {target.label}")
    if not target.in_process and not args.read_only:
        console.print(
            "note: the suite writes (it unsubscribes generated test addresses); "
            "point it at a test account, never at production contacts"
        )
    settings = built.settings
    settings_line = (
        f"seed {settings.seed}, {settings.examples} examples per operation and phase, "
        f"{settings.stateful_examples} link scenarios of up to {settings.stateful_steps} steps, "
        f"{settings.workflow_examples} workflow runs, {settings.model_examples} instances "
        "per schema"
    )
    console.print(settings_line)
    junit = args.junit.resolve()
    report = args.report.resolve()
    junit.parent.mkdir(parents=True, exist_ok=True)
    report.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    plugins: list[object] = []
    extra_lines: list[str] = []
    if args.spec is not None:
        console.print(
            f"spec {args.spec} (API under {target.spec.prefix}): server-side suites only; the "
            "client-side suites and workflows drive the generated client of the pinned spec"
        )
    if args.read_only:
        guard = ReadOnlyPlugin()
        plugins.append(guard)
        console.print(
            "read-only: only operations that change nothing run (skipped checks and workflows "
            "are listed in the report)"
        )
    # contract_tests/conftest.py registers the collector that fills suite.results().
    code = pytest.main(_pytest_args(args, junit), plugins=plugins)
    if args.read_only:
        extra_lines = read_only_lines(guard)
        for line in extra_lines:
            console.print(line, markup=False, soft_wrap=True)
    elapsed = time.perf_counter() - started
    results = suite.results()
    spec_operations = sorted(target.spec.operations)
    if junit.exists():
        junit.write_text(target.redact(junit.read_text(encoding="utf-8")), encoding="utf-8")
    report.write_text(
        markdown_report(
            results,
            spec_operations,
            target=target,
            elapsed=elapsed,
            settings_line=settings_line,
        )
        + ("\n" + "\n".join(extra_lines) + "\n" if extra_lines else ""),
        encoding="utf-8",
    )
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(target.redact(json_report(results, elapsed)), encoding="utf-8")
    print_summary(
        console,
        results,
        spec_operations,
        target=target,
        elapsed=elapsed,
        report_path=_shown(report),
        junit_path=_shown(junit),
    )
    if code == pytest.ExitCode.INTERRUPTED:
        return 130
    return 0 if results.ok and code == pytest.ExitCode.OK else EXIT_FAILED


def _shown(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def run() -> None:
    sys.exit(main())
