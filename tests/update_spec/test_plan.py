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
from commprefs_kit.update_spec import yamlio
from commprefs_kit.update_spec.apply import propose_operation_id
from commprefs_kit.update_spec.locate import LocateError, Tree, parse_site, site
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


def _change(kind: str, key: str, old: Any = None, new: Any = None) -> Change:
    return Change(key, kind, Severity.SAFE, old, new)


def test_site_strips_values_and_tails() -> None:
    enum = _change(
        "enum-widened",
        "GET /a responses.200 $.results[].status enum: [A] -> [A, B]",
        ["A"],
        ["A", "B"],
    )
    assert site(enum) == "GET /a responses.200 $.results[].status enum"
    added = _change("property-added", 'POST /a requestBody $.inputs[]["odd name"] added')
    assert site(added) == 'POST /a requestBody $.inputs[]["odd name"]'


def test_parse_site_sections() -> None:
    where = parse_site("POST /a/{id} responses.5XX[text/html] $.x[].y.*", attribute=False)
    assert (where.method, where.path, where.section, where.status) == (
        "POST",
        "/a/{id}",
        "responses",
        "5XX",
    )
    assert where.media == "text/html" and where.steps == ("x", "[]", "y", "*")
    param = parse_site("GET /a parameters.query.channel enum", attribute=True)
    assert (param.section, param.param_in, param.param_name, param.steps) == (
        "parameters",
        "query",
        "channel",
        (),
    )
    body = parse_site('POST /a requestBody $.inputs[]["odd name"]', attribute=False)
    assert body.steps == ("inputs", "[]", "odd name")
    with pytest.raises(LocateError):
        parse_site("POST /a requestBody $<oneOf[0]>", attribute=False)
    with pytest.raises(LocateError):
        parse_site("components.securitySchemes.oauth2 flows", attribute=False)


def test_tree_follows_refs_and_all_of_in_our_spec(ours_text: str) -> None:
    tree = Tree(yamlio.load(ours_text))
    where = parse_site(
        "POST /communication-preferences/2026-03/statuses/batch/read responses.207 "
        "$.results[].statuses[].legalBasis enum",
        attribute=True,
    )
    # legalBasis is `allOf: [$ref LegalBasis]` + nullable in ours: the enum is the component's.
    target = tree.with_keyword(tree.schema_at(where), "enum")
    assert target is tree.root["components"]["schemas"]["LegalBasis"]
    channel = parse_site(
        "GET /communication-preferences/2026-03/statuses/{subscriberIdString} "
        "parameters.query.channel enum",
        attribute=True,
    )
    assert tree.with_keyword(tree.schema_at(channel), "enum")["enum"] == ["EMAIL"]
    # A 404 is answered by our 4XX response.
    error = parse_site(
        "GET /communication-preferences/2026-03/definitions responses.404 $.message",
        attribute=False,
    )
    assert tree.schema_at(error)["type"] == "string"
    with pytest.raises(LocateError):
        tree.schema_at(parse_site("GET /nowhere responses.200 $.x", attribute=False))


def test_proposed_operation_ids_are_snake_case_and_unique() -> None:
    taken = {"post_resubscribe"}
    assert propose_operation_id(
        "GET", "/communication-preferences/2026-09/status/email/{e}", taken
    ) == ("get_status_email")
    assert propose_operation_id(
        "POST", "/communication-preferences/2026-09/resubscribe", taken
    ) == ("post_resubscribe_2")
    assert propose_operation_id("POST", "/v4/batchRead", set()) == "post_batch_read"
