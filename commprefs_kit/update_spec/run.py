"""scripts/update-spec: bring a new revision of the spec into the kit, or refuse clearly.

Order of work: read and validate SOURCE; show its diff against the pinned spec; plan
the change to our curated spec (plan.py); refuse if a person is needed or if it breaks
callers without --allow-breaking; then, in a temporary folder, write the new spec and
lock and regenerate the client; report the client's Python API changes; swap
everything in at the end; run the contract suite if the kit has one. Any failure
before the swap leaves every file of the repository as it was.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from commprefs_kit import paths, regenerate, speclock
from commprefs_kit.specdiff import Change, Severity, SpecError, diff_documents
from commprefs_kit.specdiff.deviations import DeviationsError, check_deviations, load_deviations
from commprefs_kit.update_spec import api_changes, source, yamlio
from commprefs_kit.update_spec.plan import (
    Item,
    Plan,
    is_curated,
    plan_curated,
    plan_upstream,
    version_problem,
)
from commprefs_kit.update_spec.repo import Repo, find_by_sha256

HUBSPOT_2026_03_URL = (
    "https://raw.githubusercontent.com/HubSpot/HubSpot-public-api-spec-collection/main/"
    "PublicApiSpecs/Communication%20Preferences/Subscriptions/Rollouts/176901/2026-03/"
    "subscriptions.json"
)

Say = Callable[[str], None]


@dataclass
class Options:
    allow_breaking: bool = False
    dry_run: bool = False
    upstream_base: str | None = None
    run_contract: bool = True
    verbose: bool = False


class Stop(Exception):
    """Ends the update with an exit status and a message; nothing was written."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _severity_counts(changes: Iterable[Change]) -> str:
    counts = Counter(c.severity for c in changes)
    parts = [f"{counts[s]} {s.label}" for s in sorted(Severity, reverse=True) if counts[s]]
    return ", ".join(parts) or "none"


def _change_line(change: Change, note: str = "") -> str:
    return f"  [{change.severity.label}] {change.key}" + (f"  -- {note}" if note else "")


def _list(say: Say, title: str, items: list[Item], limit: int | None = None) -> None:
    if not items:
        return
    say(f"{title} ({len(items)}):")
    for item in items[:limit]:
        say(_change_line(item.change, item.note))
    if limit is not None and len(items) > limit:
        say(f"  ... {len(items) - limit} more (--verbose lists them)")


def _read_repo(repo: Repo) -> tuple[str, dict[str, Any], dict[str, Any]]:
    try:
        problems = speclock.lock_problems(repo.spec_path, repo.lock_path)
    except (OSError, ValueError) as exc:
        raise Stop(2, f"cannot read the pinned spec and its lock: {exc}") from None
    if problems:
        raise Stop(
            2, "the pinned spec and its lock disagree; fix that first:\n  " + "\n  ".join(problems)
        )
    text = repo.spec_path.read_text(encoding="utf-8")
    return text, yamlio.safe_load(text), speclock.read_lock(repo.lock_path)


def _against_deviations(
    repo: Repo,
    upstream: dict[str, Any],
    ours: dict[str, Any],
    title: str,
    say: Say,
    limit: int | None = None,
) -> bool:
    """Compare upstream -> ours with openapi/deviations.yaml (recorded for that direction).

    What is not recorded there is what upstream changed since the record was made (or a
    deviation nobody wrote down); a record that no longer occurs is one upstream dropped.
    Returns whether the comparison could be made.
    """
    if not repo.deviations_path.is_file():
        return False
    try:
        deviations = load_deviations(repo.deviations_path)
    except DeviationsError as exc:
        say(f"note: {exc}")
        return False
    report = check_deviations(diff_documents(upstream, ours), deviations)
    say(
        f"== {title}: {len(report.recorded)} differences are recorded deviations, "
        f"{len(report.unrecorded)} are not, {len(report.stale)} records no longer occur"
    )
    lines = [f"  not recorded: {c.key}" for c in report.unrecorded]
    lines += [f"  no longer occurs: {stale}" for stale in report.stale]
    for line in lines[:limit]:
        say(line)
    if limit is not None and len(lines) > limit:
        say(f"  ... {len(lines) - limit} more (--verbose lists them)")
    return True


def _upstream_base(
    repo: Repo,
    lock: dict[str, Any],
    documents: tuple[dict[str, Any], dict[str, Any]],
    options: Options,
    client: httpx.Client | None,
    say: Say,
) -> dict[str, Any]:
    new, ours = documents
    wanted = lock.get("upstream_sha256")
    if options.upstream_base:
        # The user names it; it need not be valid (HubSpot published invalid revisions).
        fetched = source.fetch(options.upstream_base, client)
        if wanted and fetched.sha256 != wanted:
            say(
                f"note: --upstream-base has sha256 {fetched.sha256[:12]}, the lock names "
                f"{str(wanted)[:12]}; using it as you asked"
            )
        return source.parse(fetched)
    if not wanted:
        raise Stop(
            1, "the lock names no upstream revision (upstream_sha256); pass --upstream-base FILE"
        )
    found = find_by_sha256(str(wanted), repo.upstream_search)
    if found is None:
        _against_deviations(
            repo, new, ours, "SOURCE -> pinned spec, against openapi/deviations.yaml", say
        )
        raise Stop(
            1,
            f"cannot find the upstream revision our spec was checked against (sha256 {wanted}).\n"
            "Without it the upstream changes cannot be told from our curated differences, so "
            "nothing is applied.\nPass it with --upstream-base FILE_OR_URL (HubSpot's file at that "
            "revision, e.g. from the spec collection's git history).",
        )
    say(f"upstream base: {found} (sha256 {str(wanted)[:12]}, as the lock names)")
    return source.parse(source.Fetched(str(found), found.read_bytes()))


def _report_plan(plan: Plan, options: Options, say: Say) -> None:
    limit = None if options.verbose else 25
    say(f"== update plan ({plan.mode} document)")
    _list(say, "to apply to our spec", plan.applied, limit)
    _list(say, "already in our spec", plan.already, limit)
    _list(say, "not mirrored, by design", plan.not_mirrored, limit)
    texts = plan.texts
    if texts.applied or texts.kept_ours:
        say(
            f"descriptions/summaries: {len(texts.applied)} reworded as upstream did, "
            f"{len(texts.kept_ours)} upstream rewordings left out where ours is our own text"
        )
        for pointer in texts.applied[: limit or len(texts.applied)]:
            say(f"  reworded {pointer}")
    for note in plan.notes:
        say(f"note: {note}")
    if plan.needs_person:
        say("NEEDS A PERSON:")
        for problem in plan.problems:
            say(f"  {problem}")
        if plan.collateral:
            say(
                f"  applying these would also change {len(plan.collateral)} place(s) upstream "
                "did not (our spec shares a schema there; decide per place):"
            )
            for change in plan.collateral:
                say("  " + _change_line(change))
        if plan.person:
            say(f"  upstream changes this tool does not apply ({len(plan.person)}):")
            for item in plan.person:
                say("  " + _change_line(item.change, item.note))


def _lock_source(previous: str, label: str, sha: str, today: dt.date) -> str:
    kept = previous.split("; checked against", 1)[0] if previous else "Curated by this project"
    return f"{kept}; checked against {label} (sha256 {sha[:12]}) by scripts/update-spec on {today}"


def _stage_and_swap(
    repo: Repo,
    plan: Plan,
    lock: dict[str, Any],
    upstream: source.Fetched | None,
    options: Options,
    say: Say,
    today: dt.date,
) -> None:
    spec_changed = plan.new_text != repo.spec_path.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix=".update-spec-", dir=repo.root) as tmp:
        staged = Path(tmp)
        spec = staged / repo.spec_path.name
        lock_path = staged / repo.lock_path.name
        spec.write_text(plan.new_text, encoding="utf-8")
        previous = str(lock.get("source", ""))
        if upstream is not None:
            written = speclock.write_lock(
                _lock_source(previous, upstream.label, upstream.sha256, today),
                spec_path=spec,
                lock_path=lock_path,
                upstream_sha256=upstream.sha256,
                today=today,
            )
        else:
            written = speclock.write_lock(
                previous,
                spec_path=spec,
                lock_path=lock_path,
                upstream_sha256=lock.get("upstream_sha256"),
                today=today,
            )
        generated = staged / "generated_client"
        if spec_changed:
            say("== regenerating the client (in a temporary folder)")
            try:
                regenerate.generate_into(generated, spec)
            except regenerate.RegenerationError as exc:
                raise Stop(2, f"regeneration failed, nothing was changed:\n{exc}") from None
            say("== Python API changes of the generated client")
            changes = api_changes.compare_packages(
                paths.PACKAGE_NAME, repo.generated_dir, generated
            )
            for line in api_changes.format_changes(changes):
                say("  " + line)
        if options.dry_run:
            say(f"dry run: nothing written (the lock would say sha256 {written['sha256'][:12]})")
            return
        # Swap in: the client folder by renames, then the spec, then the lock.
        if spec_changed:
            for leftover in repo.generated_dir.glob("*.egg-info"):
                shutil.copytree(leftover, generated / leftover.name)  # keep the editable install
            old = staged / "previous_client"
            repo.generated_dir.rename(old)
            try:
                generated.rename(repo.generated_dir)
            except OSError as exc:
                old.rename(repo.generated_dir)
                raise Stop(
                    2, f"could not swap in the new client, nothing was changed: {exc}"
                ) from None
        os.replace(spec, repo.spec_path)
        os.replace(lock_path, repo.lock_path)
    what = "spec, lock and generated_client/" if spec_changed else "lock (the spec did not change)"
    say(f"updated the {what}; review with `git diff` and commit them together")


def _run_contract(repo: Repo, options: Options, say: Say) -> int:
    if not options.run_contract:
        say("contract suite: skipped (--no-contract)")
        return 0
    if not (repo.contract_script.is_file() and os.access(repo.contract_script, os.X_OK)):
        say(f"contract suite: skipped ({repo.contract_script.name} does not exist in this kit yet)")
        return 0
    say(f"== contract suite ({repo.contract_script})")
    status = subprocess.run([str(repo.contract_script)], cwd=repo.root, check=False).returncode
    if status != 0:
        say(
            f"contract suite FAILED (exit {status}): the spec was updated; the mock or the "
            "contract tests need a person (or revert with git)"
        )
        return 1
    say("contract suite passed")
    return 0


def update(
    repo: Repo,
    source_arg: str,
    options: Options,
    say: Say = print,
    client: httpx.Client | None = None,
    today: dt.date | None = None,
) -> int:
    """The whole update; returns the exit status (0 done, 1 refused / needs a person, 2 error)."""
    today = today or dt.date.today()
    try:
        fetched, new = source.load_valid(source_arg, client)
        ours_text, ours, lock = _read_repo(repo)
        say(
            f"SOURCE {fetched.label}: valid OpenAPI {new.get('openapi')}, API version "
            f"{(new.get('info') or {}).get('version')}, sha256 {fetched.sha256[:12]}"
        )
        pinned_diff = diff_documents(ours, new)
        say(
            f"== pinned spec -> SOURCE: {len(pinned_diff)} changes "
            f"({_severity_counts(pinned_diff)})"
        )
        if options.verbose:
            for change in pinned_diff:
                say(_change_line(change))
        problem = version_problem(ours, new)
        if problem:
            raise Stop(1, f"stopped: {problem}; nothing was changed")
        upstream: source.Fetched | None = None
        if is_curated(new):
            if new == ours:
                say("SOURCE is the pinned spec itself: nothing to do")
                return 0
            text = fetched.data.decode("utf-8")
            if text.lstrip().startswith("{"):
                text = yaml.safe_dump(new, sort_keys=False, allow_unicode=True, width=4096)
            plan = plan_curated(ours, new, text)
        else:
            if fetched.sha256 == lock.get("upstream_sha256"):
                say(
                    "SOURCE is the upstream revision our spec was already checked against: "
                    "nothing to do"
                )
                return 0
            say("SOURCE is an upstream document: applying the changes upstream made since our base")
            base = _upstream_base(repo, lock, (new, ours), options, client, say)
            plan = plan_upstream(ours_text, base, new)
            upstream = fetched
        _report_plan(plan, options, say)
        if plan.needs_person:
            raise Stop(1, "stopped: the changes above need a person; nothing was changed")
        say(
            f"== result, pinned -> updated spec: {len(plan.result_changes)} changes "
            f"({_severity_counts(plan.result_changes)})"
        )
        if upstream is not None and plan.result_changes:
            _against_deviations(
                repo,
                new,
                yamlio.safe_load(plan.new_text),
                "after this update, new upstream -> our spec vs openapi/deviations.yaml "
                "(a person updates that file)",
                say,
                limit=None if options.verbose else 10,
            )
        breaking = plan.breaking
        if breaking and not options.allow_breaking:
            lines = "\n".join(_change_line(c) for c in breaking)
            raise Stop(
                1,
                f"refused: {len(breaking)} breaking change(s) for callers of the client:\n{lines}\n"
                "Re-run with --allow-breaking to apply them; nothing was changed.",
            )
        _stage_and_swap(repo, plan, lock, upstream, options, say, today)
    except (source.SourceError, SpecError) as exc:
        say(f"update-spec: {exc}\nnothing was changed")
        return 2
    except Stop as stop:
        say(f"update-spec: {stop}")
        return stop.status
    if options.dry_run:
        return 0
    return _run_contract(repo, options, say)


def check_upstream(
    repo: Repo,
    url: str,
    save: Path | None = None,
    say: Say = print,
    client: httpx.Client | None = None,
) -> int:
    """Has upstream published a revision our lock has not seen? 0 no, 1 yes (with its diff)."""
    try:
        lock = speclock.read_lock(repo.lock_path)
    except (OSError, ValueError) as exc:
        say(f"check-upstream: cannot read the lock {repo.lock_path}: {exc}")
        return 2
    try:
        fetched = source.fetch(url, client)
    except source.SourceError as exc:
        say(f"check-upstream: {exc}")
        return 2
    known = lock.get("upstream_sha256")
    if fetched.sha256 == known:
        say(f"upstream unchanged: {url} is still sha256 {fetched.sha256[:12]} (as the lock says)")
        return 0
    say(f"upstream CHANGED: {url} is sha256 {fetched.sha256[:12]}, the lock says {str(known)[:12]}")
    if save is not None:
        try:
            save.write_bytes(fetched.data)
        except OSError as exc:
            say(f"check-upstream: cannot save to {save}: {exc.strerror or exc}")
            return 2
        say(f"saved the new revision to {save}")
    try:
        new = source.parse(fetched)
        source.validate_document(new, url)
    except source.SourceError as exc:
        say(f"the new revision is not usable: {exc}")
        return 1
    try:
        return _report_new_upstream(repo, new, str(known) if known else None, say)
    except SpecError as exc:
        say(f"check-upstream: cannot compare: {exc}")
        return 1
    finally:
        say(f"next: scripts/update-spec {save or url}")


def _report_new_upstream(repo: Repo, new: dict[str, Any], known: str | None, say: Say) -> int:
    base_path = find_by_sha256(known, repo.upstream_search) if known else None
    ours = yamlio.safe_load(repo.spec_path.read_text(encoding="utf-8"))
    if base_path is not None:
        old: Any = source.parse(source.Fetched(str(base_path), base_path.read_bytes()))
        changes = diff_documents(old, new)
        say(
            f"== upstream changes since our base ({base_path.name}): {len(changes)} changes "
            f"({_severity_counts(changes)})"
        )
        for change in changes:
            say(_change_line(change))
    elif not _against_deviations(
        repo, new, ours, "new upstream -> pinned spec, against openapi/deviations.yaml", say
    ):
        changes = diff_documents(ours, new)
        say(
            f"== pinned spec -> new upstream (our curated differences included): "
            f"{len(changes)} changes ({_severity_counts(changes)})"
        )
        for change in changes:
            say(_change_line(change))
    return 1
