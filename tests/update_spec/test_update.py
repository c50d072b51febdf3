"""scripts/update-spec end to end, on a private copy of the kit.

Failures (a dead URL, an invalid file, a breaking or unmechanical change) must leave
every file exactly as it was; successes must leave spec, lock and client consistent
(the drift gate and the lock check pass on the result).
"""

from __future__ import annotations

import copy
import hashlib
import json
import types
from pathlib import Path
from typing import Any

import pytest
import yaml

from commprefs_kit import paths, regenerate, speclock
from commprefs_kit.update_spec.repo import Repo
from commprefs_kit.update_spec.run import Options, update

PKG = paths.PACKAGE_NAME
LINKS = "/communication-preferences/2026-03/links/generate"
DEFINITIONS = "/communication-preferences/2026-03/definitions"


def run(repo: Repo, source: str, **options: Any) -> tuple[int, str]:
    lines: list[str] = []
    options.setdefault("run_contract", False)
    status = update(repo, source, Options(**options), say=lines.append)
    return status, "\n".join(lines)


def spec_of(repo: Repo) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(repo.spec_path.read_text(encoding="utf-8"))
    return data


def assert_locked(repo: Repo) -> None:
    assert speclock.lock_problems(repo.spec_path, repo.lock_path) == []
    assert not list(repo.root.glob(".update-spec-*"))  # the staging folder is gone


def assert_consistent(repo: Repo) -> None:
    """The result passes the kit's own gates: lock check and regeneration drift gate."""
    assert_locked(repo)
    assert regenerate.regenerate(check=True, spec=repo.spec_path, target=repo.generated_dir) == 0


# ---- nothing changes when the update cannot go ahead ---------------------------------


def test_unreachable_url_changes_nothing(repo: Repo, h: types.ModuleType) -> None:
    before = h.snapshot(repo.root)
    status, out = run(repo, "http://127.0.0.1:9/none")
    assert status == 2
    assert "could not fetch" in out and "nothing was changed" in out
    assert h.snapshot(repo.root) == before


def test_invalid_file_changes_nothing(repo: Repo, h: types.ModuleType, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("openapi: 3.0.3\ninfo: {title: t, version: '2026-03'}\npaths: {/x: 1}\n")
    before = h.snapshot(repo.root)
    status, out = run(repo, str(bad))
    assert status == 2
    assert "invalid OpenAPI" in out
    assert h.snapshot(repo.root) == before


def test_real_invalid_revision_changes_nothing(
    repo: Repo, h: types.ModuleType, upstream_dir: Path
) -> None:
    before = h.snapshot(repo.root)
    status, out = run(repo, str(h.HISTORY_DIR / "083-20260615T110036-04f343b836.json"))
    assert status == 2
    assert "points nowhere" in out
    assert h.snapshot(repo.root) == before


def test_another_api_version_is_refused(
    repo: Repo, h: types.ModuleType, upstream_dir: Path
) -> None:
    before = h.snapshot(repo.root)
    status, out = run(repo, str(upstream_dir / "subscriptions-2026-09.json"), allow_breaking=True)
    assert status == 1
    assert "API version 2026-09, our spec pins 2026-03" in out
    assert h.snapshot(repo.root) == before


def test_the_revision_already_checked_is_a_no_op(
    repo: Repo, h: types.ModuleType, upstream_dir: Path
) -> None:
    before = h.snapshot(repo.root)
    status, out = run(repo, str(upstream_dir / "subscriptions-2026-03.json"))
    assert status == 0
    assert "already checked against" in out
    assert h.snapshot(repo.root) == before


def test_without_the_upstream_base_nothing_is_applied(tmp_path: Path, h: types.ModuleType) -> None:
    repo = h.copy_repo(tmp_path / "kit")  # no ../shared to search
    new = h.upstream_like(h.pinned())
    before = h.snapshot(repo.root)
    status, out = run(repo, str(h.write_json(tmp_path / "new.json", new)))
    assert status == 1
    assert "cannot find the upstream revision" in out and "--upstream-base" in out
    assert h.snapshot(repo.root) == before


def test_a_spec_out_of_step_with_its_lock_is_refused(
    repo: Repo, h: types.ModuleType, tmp_path: Path
) -> None:
    repo.spec_path.write_text(repo.spec_path.read_text() + "\n# edited by hand\n")
    before = h.snapshot(repo.root)
    curated = h.write_json(tmp_path / "new.json", h.pinned())
    status, out = run(repo, str(curated))
    assert status == 2
    assert "spec and its lock disagree" in out
    assert h.snapshot(repo.root) == before


# ---- upstream documents: HubSpot's real file with a change made to it -------------------


def _upstream_with(tmp_path: Path, h: types.ModuleType, edit: Any) -> str:
    document = h.real_upstream()
    edit(document)
    return str(h.write_json(tmp_path / "upstream-new.json", document))


def _remove_links(document: dict[str, Any]) -> None:
    del document["paths"][LINKS]


def test_removed_operation_is_refused_then_applied_with_allow_breaking(
    repo: Repo, h: types.ModuleType, upstream_dir: Path, tmp_path: Path
) -> None:
    new = _upstream_with(tmp_path, h, _remove_links)
    before = h.snapshot(repo.root)
    status, out = run(repo, new)
    assert status == 1
    assert "refused" in out and f"[breaking] POST {LINKS} removed" in out
    assert h.snapshot(repo.root) == before

    status, out = run(repo, new, allow_breaking=True)
    assert status == 0, out
    assert LINKS not in spec_of(repo)["paths"]
    assert not (repo.generated_dir / PKG / "api" / "status" / "generate_links.py").exists()
    assert f"{PKG}.api.status.generate_links" in out  # griffe: a public object was removed
    assert "Public object was removed" in out
    lock = speclock.read_lock(repo.lock_path)
    assert lock["upstream_sha256"] == hashlib.sha256(Path(new).read_bytes()).hexdigest()
    assert_consistent(repo)


def _narrow_legal_basis_in_requests(document: dict[str, Any]) -> None:
    for name in ("PublicStatusRequest", "PartialPublicStatusRequest"):
        document["components"]["schemas"][name]["properties"]["legalBasis"]["enum"].remove(
            "PROCESS_AND_STORE"
        )


def test_enum_narrowed_where_our_spec_shares_it_needs_a_person(
    repo: Repo, h: types.ModuleType, upstream_dir: Path, tmp_path: Path
) -> None:
    # Upstream narrows legalBasis in requests only; ours has one LegalBasis for requests
    # and responses, so the change cannot be made as upstream made it.
    new = _upstream_with(tmp_path, h, _narrow_legal_basis_in_requests)
    before = h.snapshot(repo.root)
    status, out = run(repo, new, allow_breaking=True)
    assert status == 1
    assert "NEEDS A PERSON" in out and "our spec shares a schema there" in out
    assert "responses.200 $.results[].legalBasis enum" in out
    assert h.snapshot(repo.root) == before


def _narrow_legal_basis_everywhere(document: dict[str, Any]) -> None:
    _narrow_legal_basis_in_requests(document)
    document["components"]["schemas"]["PublicStatus"]["properties"]["legalBasis"]["enum"].remove(
        "PROCESS_AND_STORE"
    )


def test_enum_narrowed_everywhere_is_breaking_and_applied_when_allowed(
    repo: Repo, h: types.ModuleType, upstream_dir: Path, tmp_path: Path
) -> None:
    new = _upstream_with(tmp_path, h, _narrow_legal_basis_everywhere)
    before = h.snapshot(repo.root)
    status, out = run(repo, new)
    assert status == 1 and "refused" in out and "requestBody $.legalBasis enum" in out
    assert h.snapshot(repo.root) == before
    status, out = run(repo, new, allow_breaking=True)
    assert status == 0, out
    assert "PROCESS_AND_STORE" not in spec_of(repo)["components"]["schemas"]["LegalBasis"]["enum"]
    assert "LegalBasis.PROCESS_AND_STORE" in out  # the enum member the client lost
    assert_locked(repo)


def test_renamed_upstream_operation_id_is_not_mirrored(
    repo: Repo, h: types.ModuleType, upstream_dir: Path, tmp_path: Path
) -> None:
    def rename(document: dict[str, Any]) -> None:
        document["paths"][DEFINITIONS]["get"]["operationId"] = "listDefinitions"

    new = _upstream_with(tmp_path, h, rename)
    spec_before = repo.spec_path.read_bytes()
    client_before = h.snapshot(repo.generated_dir)
    status, out = run(repo, new)
    assert status == 0, out
    assert "not mirrored" in out and "our operationIds are our own" in out
    assert repo.spec_path.read_bytes() == spec_before
    assert h.snapshot(repo.generated_dir) == client_before
    lock = speclock.read_lock(repo.lock_path)
    assert lock["upstream_sha256"] == hashlib.sha256(Path(new).read_bytes()).hexdigest()
    assert "checked against" in lock["source"]
    assert_locked(repo)


def _safe_changes(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    schemas["PublicWideStatus"]["properties"]["wideStatusType"]["enum"].append("BRAND_WIDE")
    schemas["PublicStatus"]["properties"]["sourceApp"] = {
        "type": "string",
        "description": "The app that set the status.",
    }
    channels = copy.deepcopy(document["paths"][DEFINITIONS]["get"])
    channels["operationId"] = "get-/communication-preferences/2026-03/channels"
    document["paths"]["/communication-preferences/2026-03/channels"] = {"get": channels}


def test_safe_upstream_changes_are_applied_to_our_spec(
    repo: Repo, h: types.ModuleType, upstream_dir: Path, tmp_path: Path
) -> None:
    new = _upstream_with(tmp_path, h, _safe_changes)
    old_text = repo.spec_path.read_text()
    status, out = run(repo, new)
    assert status == 0, out
    spec = spec_of(repo)
    schemas = spec["components"]["schemas"]
    assert schemas["WideStatusType"]["enum"] == ["BUSINESS_UNIT_WIDE", "PORTAL_WIDE", "BRAND_WIDE"]
    assert schemas["PublicStatus"]["properties"]["sourceApp"]["type"] == "string"
    assert "sourceApp" not in schemas["PublicStatus"]["required"]
    added = spec["paths"]["/communication-preferences/2026-03/channels"]["get"]
    assert added["operationId"] == "get_channels"  # proposed from the path
    assert added["x-retry-safe"] is True
    assert added["responses"]["429"] == {"$ref": "#/components/responses/TooManyRequests"}
    assert "default" not in added["responses"]  # our error responses replace upstream's
    # Our curation elsewhere is untouched: comments and flow style survive.
    new_text = repo.spec_path.read_text()
    assert "# ---- shared enums" in new_text
    assert 'allOf: [{$ref: "#/components/schemas/LegalBasis"}]' in new_text
    assert len(new_text.splitlines()) - len(old_text.splitlines()) < 60
    # The client grew accordingly, and griffe says so.
    assert (repo.generated_dir / PKG / "api" / "definitions" / "get_channels.py").exists()
    assert f"{PKG}.models.wide_status_type.WideStatusType.BRAND_WIDE" in out
    assert f"{PKG}.models.public_status.PublicStatus.source_app" in out
    assert "breaking for callers" not in out
    assert_consistent(repo)


def test_dry_run_reports_and_writes_nothing(
    repo: Repo, h: types.ModuleType, upstream_dir: Path, tmp_path: Path
) -> None:
    new = _upstream_with(tmp_path, h, _safe_changes)
    before = h.snapshot(repo.root)
    status, out = run(repo, new, dry_run=True)
    assert status == 0
    assert "dry run: nothing written" in out and "get_channels" in out
    assert h.snapshot(repo.root) == before


def test_named_upstream_base_enums_and_three_way_descriptions(
    tmp_path: Path, h: types.ModuleType
) -> None:
    # Works without ../shared: our own spec, unmarked, plays HubSpot's old revision.
    repo = h.copy_repo(tmp_path / "kit")
    base_doc = h.upstream_like(h.pinned())
    base_doc["components"]["schemas"]["Channel"]["description"] = "upstream's own words"
    base = h.write_json(tmp_path / "base.json", base_doc)
    new_doc = copy.deepcopy(base_doc)
    schemas = new_doc["components"]["schemas"]
    schemas["ActionStatus"]["enum"].append("QUEUED")
    schemas["Channel"]["description"] = "upstream reworded"
    schemas["WideStatusType"]["description"] = "reworded too"
    new = h.write_json(tmp_path / "new.json", new_doc)
    status, out = run(repo, str(new), upstream_base=str(base))
    assert status == 0, out
    assert "note: --upstream-base has sha256" in out  # it is not the revision the lock names
    ours = spec_of(repo)["components"]["schemas"]
    assert ours["ActionStatus"]["enum"][-1] == "QUEUED"
    assert ours["WideStatusType"]["description"] == "reworded too"  # ours was upstream's text
    assert ours["Channel"]["description"].startswith("A communication channel.")  # ours kept
    assert "1 reworded as upstream did, 1 upstream rewordings left out" in out
    assert_locked(repo)


# ---- curated documents: an edited copy of our own spec -----------------------------------


def test_curated_rename_is_breaking_and_renames_the_function(
    repo: Repo, h: types.ModuleType, tmp_path: Path
) -> None:
    text = repo.spec_path.read_text().replace(
        "operationId: get_definitions", "operationId: list_definitions"
    )
    new = tmp_path / "edited.yaml"
    new.write_text(text)
    before = h.snapshot(repo.root)
    status, out = run(repo, str(new))
    assert status == 1
    assert "operationId: get_definitions -> list_definitions" in out and "refused" in out
    assert h.snapshot(repo.root) == before

    status, out = run(repo, str(new), allow_breaking=True)
    assert status == 0, out
    assert repo.spec_path.read_text() == text  # adopted as written
    api = repo.generated_dir / PKG / "api" / "definitions"
    assert (api / "list_definitions.py").exists() and not (api / "get_definitions.py").exists()
    assert f"{PKG}.api.definitions.get_definitions" in out
    assert (
        speclock.read_lock(repo.lock_path)["upstream_sha256"]
        == json.loads(paths.LOCK_PATH.read_text())["upstream_sha256"]
    )  # the curated spec was not checked against a new upstream
    assert_locked(repo)


def test_curated_removed_operation_and_narrowed_request_enum_are_refused(
    repo: Repo, h: types.ModuleType, tmp_path: Path
) -> None:
    document = h.pinned()
    del document["paths"][LINKS]
    document["components"]["schemas"]["SubscriptionStatus"]["enum"].remove("NOT_SPECIFIED")
    new = tmp_path / "edited.yaml"
    new.write_text(yaml.safe_dump(document, sort_keys=False))
    before = h.snapshot(repo.root)
    status, out = run(repo, str(new))
    assert status == 1
    assert f"[breaking] POST {LINKS} removed" in out
    assert "requestBody $.statusState enum" in out
    assert h.snapshot(repo.root) == before


# ---- the contract suite ----------------------------------------------------------------


def _contract_script(repo: Repo, status: int) -> Path:
    marker = repo.root / "contract-ran"
    script = repo.contract_script
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(f"#!/bin/sh\ntouch '{marker}'\nexit {status}\n")
    script.chmod(0o755)
    return marker


def _lock_only_update(tmp_path: Path, h: types.ModuleType) -> dict[str, Any]:
    """An upstream revision that only renames an operationId: the lock moves, nothing else."""
    base_doc = h.upstream_like(h.pinned())
    new_doc = copy.deepcopy(base_doc)
    new_doc["paths"][DEFINITIONS]["get"]["operationId"] = "listDefinitions"
    return {
        "source": str(h.write_json(tmp_path / "new.json", new_doc)),
        "upstream_base": str(h.write_json(tmp_path / "base.json", base_doc)),
    }


@pytest.mark.parametrize(("script_status", "expected"), [(0, 0), (1, 1)])
def test_contract_suite_runs_after_an_update(
    repo: Repo, tmp_path: Path, h: types.ModuleType, script_status: int, expected: int
) -> None:
    marker = _contract_script(repo, script_status)
    args = _lock_only_update(tmp_path, h)
    status, out = run(repo, args.pop("source"), run_contract=True, **args)
    assert marker.exists()
    assert status == expected
    assert ("contract suite passed" in out) == (expected == 0)


def test_missing_contract_suite_is_skipped_with_a_message(
    repo: Repo, tmp_path: Path, h: types.ModuleType
) -> None:
    args = _lock_only_update(tmp_path, h)
    status, out = run(repo, args.pop("source"), run_contract=True, **args)
    assert status == 0
    assert "updated the lock (the spec did not change)" in out
    assert "contract suite: skipped" in out
