"""Planning against real upstream revisions, and finding spec-diff's places in our spec."""

from __future__ import annotations

import itertools
import json
import types
from pathlib import Path
from typing import Any

import pytest

from commprefs_kit import paths
from commprefs_kit.specdiff import Change, Severity, diff_documents
from commprefs_kit.specdiff.model import Location
from commprefs_kit.update_spec import yamlio
from commprefs_kit.update_spec.apply import propose_operation_id
from commprefs_kit.update_spec.locate import LocateError, Tree, place, steps
from commprefs_kit.update_spec.plan import is_curated, plan_upstream

HISTORY_DIR = paths.SHARED_REFERENCE_DIR / "upstream" / "2026-03-history"


def _revision(prefix: str) -> dict[str, Any]:
    (path,) = HISTORY_DIR.glob(f"{prefix}-*.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def ours_text() -> str:
    return paths.SPEC_PATH.read_text(encoding="utf-8")


# ---- real revisions ------------------------------------------------------------------------


def test_207s_upstream_added_later_are_already_in_our_spec(
    upstream_dir: Path, ours_text: str
) -> None:
    # 2026-03-31: upstream added the 207 answers of the two batch reads; we had them.
    plan = plan_upstream(ours_text, _revision("005"), _revision("006"))
    kinds = {i.change.kind for i in plan.already}
    assert "response-success-added" in kinds
    assert not plan.needs_person and not plan.applied
    assert plan.new_text == ours_text  # nothing to do: not even wording


def test_int64_fix_upstream_made_later_is_already_in_our_spec(
    upstream_dir: Path, ours_text: str
) -> None:
    plan = plan_upstream(ours_text, _revision("080"), _revision("081"))
    assert {i.change.kind for i in plan.already} == {"format-widened"}
    assert not plan.needs_person


def test_security_churn_needs_a_person(upstream_dir: Path, ours_text: str) -> None:
    # 2026-04-08: upstream added app_cookie/private_apps schemes and their requirements.
    plan = plan_upstream(ours_text, _revision("007"), _revision("008"))
    assert plan.needs_person
    assert {i.change.kind for i in plan.person} <= {
        "security-requirement-added",
        "security-requirement-removed",
        "security-scheme-added",
    }
    assert plan.new_text == ours_text


def test_scope_list_churn_is_not_mirrored(upstream_dir: Path, ours_text: str) -> None:
    # Declared-but-unused scopes came and went dozens of times in April 2026.
    plan = plan_upstream(ours_text, _revision("012"), _revision("013"))
    assert plan.not_mirrored and not plan.needs_person
    assert {i.change.kind for i in plan.not_mirrored} <= {
        "oauth-scope-added",
        "oauth-scope-removed",
    }


@pytest.mark.slow
def test_every_consecutive_revision_pair_plans_without_crashing(
    upstream_dir: Path, ours_text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    revisions = sorted(HISTORY_DIR.glob("*.json"))
    rows = []
    for old_path, new_path in itertools.pairwise(revisions):
        old = json.loads(old_path.read_text(encoding="utf-8"))
        new = json.loads(new_path.read_text(encoding="utf-8"))
        plan = plan_upstream(ours_text, old, new)
        # Whatever upstream did, the plan accounts for every change exactly once.
        upstream = diff_documents(old, new)
        planned = plan.applied + plan.already + plan.not_mirrored + plan.person
        assert sorted(i.change.key for i in planned) == sorted(c.key for c in upstream)
        rows.append(
            f"{new_path.name[:3]}: {len(plan.applied)} applied, {len(plan.already)} already, "
            f"{len(plan.not_mirrored)} not mirrored, {len(plan.person)} need a person"
        )
    with capsys.disabled():
        print("\n" + "\n".join(rows))


# ---- documents: which is ours -------------------------------------------------------------


def test_our_spec_is_recognised_as_curated(h: types.ModuleType) -> None:
    assert is_curated(h.pinned())
    assert not is_curated(h.upstream_like(h.pinned()))


# ---- spec-diff keys to places -------------------------------------------------------------


def _doc(status_enum: list[str], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    item = {"type": "object", "properties": {"status": {"type": "string", "enum": status_enum}}}
    properties: dict[str, Any] = {"results": {"type": "array", "items": item}, **(extra or {})}
    body = {"type": "object", "properties": properties}
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "servers": [{"url": "https://api.example.com/base"}],
        "paths": {
            "/a/{id}": {
                "post": {
                    "operationId": "a",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": {
                        "200": {"description": "ok", "content": {"text/csv": {"schema": body}}}
                    },
                }
            }
        },
    }


def test_place_is_spec_diffs_structured_location() -> None:
    (enum,) = diff_documents(_doc(["A"]), _doc(["A", "B"]))
    where = place(enum)
    assert (where.method, where.path, where.section, where.status, where.media) == (
        "POST",
        "/base/a/{id}",
        "responses",
        "200",
        "text/csv",
    )
    assert where.pointer == "/properties/results/items/properties/status"
    assert where.attribute == "enum" and steps(where) == ("results", "[]", "status")
    assert enum.key == f"{where.text}: [A] -> [A, B]"
    (added,) = diff_documents(_doc(["A"]), _doc(["A"], {"odd name/x": {"type": "string"}}))
    assert steps(place(added)) == ("odd name/x",)
    assert place(added).pointer == "/properties/odd name~1x"
    assert added.key == 'POST /base/a/{id} responses.200[text/csv] $["odd name/x"] added'


def test_steps_and_places_that_cannot_be_followed() -> None:
    param = Location("GET", "/a", "parameters", name="channel", param_in="query", pointer="")
    assert steps(param) == ()
    assert steps(Location("GET", "/a", "requestBody", pointer="/additionalProperties")) == ("*",)
    with pytest.raises(LocateError, match="oneOf"):
        steps(Location("POST", "/a", "requestBody", pointer="/oneOf/0"))
    scheme = Change("k", "oauth-scope-added", Severity.SAFE, location=Location(section="servers"))
    with pytest.raises(LocateError, match="not an operation-level change"):
        place(scheme)
    with pytest.raises(LocateError, match="no location"):
        place(Change("GET /a removed", "operation-removed", Severity.BREAKING))


def test_tree_follows_refs_and_all_of_in_our_spec(ours_text: str) -> None:
    tree = Tree(yamlio.load(ours_text))
    api = "/communication-preferences/2026-03"
    where = Location(
        "POST",
        f"{api}/statuses/batch/read",
        "responses",
        status="207",
        pointer="/properties/results/items/properties/statuses/items/properties/legalBasis",
        attribute="enum",
    )
    # legalBasis is `allOf: [$ref LegalBasis]` + nullable in ours: the enum is the component's.
    target = tree.with_keyword(tree.schema_at(where), "enum")
    assert target is tree.root["components"]["schemas"]["LegalBasis"]
    channel = Location(
        "GET",
        f"{api}/statuses/{{subscriberIdString}}",
        "parameters",
        name="channel",
        param_in="query",
        pointer="",
        attribute="enum",
    )
    assert tree.with_keyword(tree.schema_at(channel), "enum")["enum"] == ["EMAIL"]
    # A 404 is answered by our 4XX response.
    error = Location(
        "GET", f"{api}/definitions", "responses", status="404", pointer="/properties/message"
    )
    assert tree.schema_at(error)["type"] == "string"
    with pytest.raises(LocateError):
        tree.schema_at(Location("GET", "/nowhere", "responses", status="200", pointer=""))


def test_proposed_operation_ids_are_snake_case_and_unique() -> None:
    taken = {"post_resubscribe"}
    assert propose_operation_id(
        "GET", "/communication-preferences/2026-09/status/email/{e}", taken
    ) == ("get_status_email")
    assert propose_operation_id(
        "POST", "/communication-preferences/2026-09/resubscribe", taken
    ) == ("post_resubscribe_2")
    assert propose_operation_id("POST", "/v4/batchRead", set()) == "post_batch_read"
