"""Mutation testing of the compliance-critical modules with mutmut (not in CI: minutes per module).

    .venv/bin/python benchmarks/mutation.py                 # every module that is not marked later
    .venv/bin/python benchmarks/mutation.py mock bulk-engine  # some of them
    .venv/bin/python benchmarks/mutation.py --list          # the modules and their focused tests

Each module is run on its own, in a scratch copy of the repository (HEAD, or the working tree
with --worktree) under $COMMPREFS_MUTATION_DIR (default: the system temp folder), so that
mutmut's `mutants/` copy never touches the shared work tree. The copy gets a `setup.cfg` with
the `[mutmut]` section below: the module's files to mutate and only its focused tests. mutmut
runs each mutant against the tests that cover the mutated function, at low priority
(`nice -n 10`), one child at a time by default (`--children N`).

What mutmut 3.8.1 does not mutate, so that no score covers it: code outside functions
(module-level constants, such as the journal's SQL statements, which the focused tests all
execute) and decorated functions (`@property`, `@classmethod`; checks.py therefore registers its
Schemathesis checks after defining them rather than with the decorator, so that they are
mutated). Decorated functions in the measured modules: the journal's `confirmed`, `to_send`,
`ingest_complete`, and ratelimit's `Rate.parse`, `interval`, `per_second` (mutated by hand once:
every such mutant failed tests/bulk/test_pacing.py).

It prints, per module, the mutants killed / all and the score, the run time, and every
surviving mutant with its diff. Survivors that are equivalent or harmless are listed with the
reason in benchmarks/mutation-survivors.md; `--check` exits 1 when a survivor is neither killed
nor listed there.

Why mutmut and not cosmic-ray (compared for this layout: pytest with --import-mode=importlib,
Python 3.11, a work tree shared by several people): mutmut 3 copies the code into `mutants/`
and switches mutants on through trampolines inside forked pytest workers, so the test session
starts once per module and a module takes minutes on 2 cores; it never edits the files in place,
and it runs each mutant only against the tests that reached the mutated function. cosmic-ray
mutates the module file in place and runs the test command afresh for every mutant: here each
pytest start loads Hypothesis, Schemathesis and the spec (seconds per mutant, hours per module),
and a run that is killed can leave a mutated file in a shared work tree. mutmut 3.8.1 was
installed and run here; cosmic-ray (8.7.0) was judged from its documentation, not run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SURVIVORS_FILE = ROOT / "benchmarks" / "mutation-survivors.md"
MUTMUT_VERSION = "3.8.1"


@dataclass(frozen=True)
class Module:
    name: str
    files: tuple[str, ...]  # files to mutate
    tests: tuple[str, ...]  # the focused tests that must kill the mutants
    later: str = ""  # why it is not run by default (configured, not yet measured)
    # The folder the files' package is installed from (editable) when it is not the repository
    # root, e.g. "generated_client": see _lift.
    package_root: str = ""


# The compliance-critical modules (issue 13) and their focused tests.
MODULES = (
    Module(
        "mock",
        ("mock_server/store.py", "mock_server/semantics.py"),
        (
            "tests/mock/test_semantics.py",
            "tests/mock/test_semantics_details.py",
            "tests/mock/test_store_dump.py",
            "tests/mock/test_case_folding.py",
            "tests/mock/test_store_lock.py",
            "tests/mock/test_operations.py",
            "tests/mock/test_errors.py",
        ),
    ),
    Module(
        "bulk-engine",
        ("commprefs_kit/bulk/engine.py",),
        (
            "tests/bulk/test_engine.py",
            "tests/bulk/test_engine_details.py",
            "tests/bulk/test_journal_order.py",
            "tests/bulk/test_redaction.py",
            "tests/bulk/test_pacing.py",
        ),
    ),
    Module(
        "bulk-journal",
        ("commprefs_kit/bulk/journal.py",),
        (
            "tests/bulk/test_journal.py",
            "tests/bulk/test_journal_order.py",
            "tests/bulk/test_journal_details.py",
        ),
    ),
    Module(
        "bulk-interpret",
        ("commprefs_kit/bulk/interpret.py",),
        (
            "tests/bulk/test_engine.py",
            "tests/bulk/test_redaction.py",
            "tests/bulk/test_interpret_readback.py",
        ),
    ),
    Module(
        "bulk-ratelimit",
        ("commprefs_kit/bulk/ratelimit.py",),
        ("tests/bulk/test_pacing.py",),
    ),
    Module(
        "client-transport-retry",
        (
            "generated_client/hubspot_communication_preferences/lib/transport.py",
            "generated_client/hubspot_communication_preferences/lib/retry.py",
        ),
        (
            "tests/client/test_retries.py",
            "tests/client/test_transport_stack.py",
            "tests/client/test_errors.py",
            "tests/client/test_make_client.py",
        ),
        package_root="generated_client",
    ),
    Module(
        "contract-checks",
        ("commprefs_kit/contract/checks.py",),
        (
            "tests/contract/test_checks.py",
            "tests/contract/test_checks_details.py",
            "tests/contract/test_rejection_hint.py",
        ),
    ),
)


def _scratch_copy(dest: Path, worktree: bool) -> None:
    """HEAD (or the working tree's tracked and new files) into `dest`."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    if not worktree:
        archive = subprocess.run(
            ["git", "archive", "--format=tar", "HEAD"], cwd=ROOT, capture_output=True, check=True
        ).stdout
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(dest, filter="data")
        return
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for raw in filter(None, listed):
        source = ROOT / raw.decode()
        if source.is_file():
            target = dest / raw.decode()
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def _lifted(module: Module, path: str) -> str:
    """`path` as it lies in the scratch copy once `_lift` has run."""
    root = module.package_root.rstrip("/") + "/"
    return path.removeprefix(root) if module.package_root else path


def _lift(module: Module, work: Path) -> None:
    """Move a package installed from a subfolder (`package_root`) to the top of the scratch copy.

    mutmut puts `mutants/` first on sys.path and names mutants after the file's path; the
    editable install would import the package from the shared work tree, and a path such as
    `generated_client/pkg/...` would name mutants `generated_client.pkg...`, which the tests
    never import. At the top, `mutants/pkg` shadows the install and the names match.
    """
    if not module.package_root:
        return
    for package in sorted({_lifted(module, f).split("/")[0] for f in module.files}):
        shutil.move(work / module.package_root / package, work / package)


def _setup_cfg(module: Module) -> str:
    """The module's mutmut configuration (mutmut reads `[mutmut]` from setup.cfg)."""
    files = [_lifted(module, f) for f in module.files]
    packages = sorted({f.split("/")[0] + "/" for f in files})
    top = ["commprefs_kit/", "mock_server/", "contract_tests/", "openapi/", "generated_client/"]
    lines = [
        "[mutmut]",
        "source_paths=",
        *(f"    {p}" for p in packages),
        "only_mutate=",
        *(f"    {f}" for f in files),
        "also_copy=",
        *(f"    {p}" for p in top if p not in packages),
        "pytest_add_cli_args_test_selection=",
        *(f"    {t}" for t in module.tests),
        "pytest_add_cli_args=",
        "    -p",
        "    no:cacheprovider",
        "    -m",
        "    not slow",
        "",
    ]
    return "\n".join(lines)


@dataclass
class Outcome:
    module: str
    counts: dict[str, int]
    survivors: list[tuple[str, str]]  # (mutant name, diff)
    seconds: float

    @property
    def total(self) -> int:
        """Mutants judged: "not checked" (a run stopped by --limit) and "skipped" are left out."""
        return sum(n for k, n in self.counts.items() if k not in ("not checked", "skipped"))

    @property
    def killed(self) -> int:
        # A timeout counts as detected (the mutant made the tests hang); "no tests" does not.
        return self.counts.get("killed", 0) + self.counts.get("timeout", 0)

    @property
    def score(self) -> float:
        return self.killed / self.total if self.total else 1.0


def _results(work: Path, python: str) -> dict[str, str]:
    proc = subprocess.run(
        [python, "-m", "mutmut", "results", "--all", "true"],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    )
    statuses: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and name:
            statuses[name] = status.strip()
    return statuses


_STATUSES = ("not checked", "killed", "survived", "timeout", "no tests", "suspicious", "skipped")


def _status_key(status: str) -> str:
    text = status.lower()
    for key in (
        "not checked",
        "killed",
        "survived",
        "timeout",
        "no tests",
        "suspicious",
        "skipped",
    ):
        if key in text:
            return key
    return text


def run_module(module: Module, base: Path, worktree: bool, children: int, limit: float) -> Outcome:
    work = base / module.name
    _scratch_copy(work, worktree)
    _lift(module, work)
    (work / "setup.cfg").write_text(_setup_cfg(module), encoding="utf-8")
    python = sys.executable
    started = time.monotonic()
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    command = ["nice", "-n", "10", python, "-m", "mutmut", "run", "--max-children", str(children)]
    log = work / "mutmut-run.log"
    with log.open("wb") as out:
        try:
            subprocess.run(command, cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT,
                           timeout=limit, check=False)  # fmt: skip
        except subprocess.TimeoutExpired:
            print(f"  {module.name}: stopped after {limit:.0f} s (--limit); partial results")
    seconds = time.monotonic() - started
    statuses = _results(work, python)
    counts: dict[str, int] = {}
    for status in statuses.values():
        key = _status_key(status)
        counts[key] = counts.get(key, 0) + 1
    survivors = []
    for name, status in sorted(statuses.items()):
        if _status_key(status) in ("survived", "no tests", "suspicious"):
            diff = subprocess.run(
                [python, "-m", "mutmut", "show", name],
                cwd=work,
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            survivors.append((name, diff.strip()))
    return Outcome(module.name, counts, survivors, seconds)


def listed_survivors() -> set[str]:
    """Mutant names listed in benchmarks/mutation-survivors.md (first column of its tables).

    A cell may abbreviate: `x__f__mutmut_2` .. `_5` is 2 to 5, `x__f__mutmut_3`, `_7` is 3 and
    7, and names may leave out the module prefix (matched by suffix, see `is_listed`).
    """
    if not SURVIVORS_FILE.exists():
        return set()
    names: set[str] = set()
    for line in SURVIVORS_FILE.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| `"):
            continue
        cell = line.split("|")[1]
        tokens = re.findall(r"`([^`]+)`|(\.\.)", cell)
        base = ""
        last = -1
        pending_range = False
        for token, dots in tokens:
            if dots:
                pending_range = True
                continue
            if "__mutmut_" in token:
                base, _, number = token.rpartition("__mutmut_")
            elif re.fullmatch(r"_\d+", token) and base:
                number = token[1:]
            else:
                continue
            current = int(number)
            start = last + 1 if pending_range and last >= 0 else current
            for n in range(start, current + 1):
                names.add(f"{base}__mutmut_{n}")
            last, pending_range = current, False
    return names


def is_listed(name: str, listed: set[str]) -> bool:
    return any(name == n or name.endswith("." + n) for n in listed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="module names (default: all not marked later)")
    parser.add_argument("--list", action="store_true", help="list the modules and exit")
    parser.add_argument("--worktree", action="store_true", help="copy the working tree, not HEAD")
    parser.add_argument("--children", type=int, default=1, help="mutmut --max-children")
    parser.add_argument("--limit", type=float, default=1800, help="seconds per module at most")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 on an unlisted survivor")
    args = parser.parse_args(argv)
    by_name = {m.name: m for m in MODULES}
    if args.list:
        for m in MODULES:
            note = f"  (later: {m.later})" if m.later else ""
            print(f"{m.name}: {', '.join(m.files)}{note}\n    tests: {' '.join(m.tests)}")
        return 0
    unknown = [n for n in args.modules if n not in by_name]
    if unknown:
        parser.error(f"unknown module(s) {', '.join(unknown)}; see --list")
    chosen = [by_name[n] for n in args.modules] or [m for m in MODULES if not m.later]
    if shutil.which("nice") is None:
        parser.error("`nice` is not on PATH")
    base = Path(os.environ.get("COMMPREFS_MUTATION_DIR") or tempfile.gettempdir())
    base = base / "commprefs-mutation"
    listed = listed_survivors()
    outcomes = []
    for module in chosen:
        print(f"== {module.name}: mutating {', '.join(module.files)}", flush=True)
        outcome = run_module(module, base, args.worktree, args.children, args.limit)
        outcomes.append(outcome)
        print(
            f"   {outcome.killed}/{outcome.total} killed = {outcome.score:.1%} "
            f"in {outcome.seconds:.0f} s  {json.dumps(outcome.counts, sort_keys=True)}"
        )
        for name, diff in outcome.survivors:
            mark = "listed" if is_listed(name, listed) else "NOT LISTED"
            print(f"   survivor {name} ({mark})")
            print("      " + diff.replace("\n", "\n      "))
    print("\nmodule                    killed/all  score   seconds")
    for o in outcomes:
        print(f"{o.module:<25} {o.killed:>5}/{o.total:<5} {o.score:6.1%}  {o.seconds:7.0f}")
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {
                        "module": o.module,
                        "counts": o.counts,
                        "score": o.score,
                        "seconds": round(o.seconds),
                        "survivors": [n for n, _ in o.survivors],
                    }
                    for o in outcomes
                ],
                indent=2,
            )
        )
    unlisted = [n for o in outcomes for n, _ in o.survivors if not is_listed(n, listed)]
    if args.check and unlisted:
        print(f"\n{len(unlisted)} survivor(s) neither killed nor listed in {SURVIVORS_FILE.name}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
