"""The pinned spec is a valid OpenAPI document covering the whole 2026-03 API."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from commprefs_kit import paths, speclock

EXPECTED_OPERATIONS = {
    ("get", "/communication-preferences/2026-03/definitions"): "get_definitions",
    ("get", "/communication-preferences/2026-03/statuses/{subscriberIdString}"): "get_statuses",
    ("post", "/communication-preferences/2026-03/statuses/{subscriberIdString}"): "update_status",
    (
        "get",
        "/communication-preferences/2026-03/statuses/{subscriberIdString}/unsubscribe-all",
    ): "get_unsubscribe_all_status",
    (
        "post",
        "/communication-preferences/2026-03/statuses/{subscriberIdString}/unsubscribe-all",
    ): "unsubscribe_all",
    ("post", "/communication-preferences/2026-03/statuses/batch/read"): "batch_get_statuses",
    ("post", "/communication-preferences/2026-03/statuses/batch/write"): "batch_update_statuses",
    (
        "post",
        "/communication-preferences/2026-03/statuses/batch/unsubscribe-all",
    ): "batch_unsubscribe_all",
    (
        "post",
        "/communication-preferences/2026-03/statuses/batch/unsubscribe-all/read",
    ): "batch_get_unsubscribe_all_statuses",
    ("post", "/communication-preferences/2026-03/links/generate"): "generate_links",
}
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(paths.SPEC_PATH.read_text(encoding="utf-8"))
    return loaded


def operations(spec: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method, path): op
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in METHODS
    }


def test_spec_is_valid_openapi(spec: dict[str, Any]) -> None:
    validate(spec)
    assert spec["openapi"].startswith("3.0.")
    assert spec["servers"] == [{"url": "https://api.hubapi.com"}]
    assert spec["info"]["version"] == "2026-03"


def test_all_ten_operations_with_python_friendly_ids(spec: dict[str, Any]) -> None:
    found = {key: op["operationId"] for key, op in operations(spec).items()}
    assert found == EXPECTED_OPERATIONS


def test_every_operation_declares_usable_errors_scopes_and_retry_safety(
    spec: dict[str, Any],
) -> None:
    for (method, path), op in operations(spec).items():
        where = f"{method.upper()} {path}"
        responses = op["responses"]
        assert "default" not in responses, where
        for code in ("400", "401", "403", "429", "4XX", "5XX"):
            assert code in responses, f"{where} lacks {code}"
        assert op["security"], where
        assert all(set(req) == {"oauth2"} and req["oauth2"] for req in op["security"]), where
        assert isinstance(op.get("x-retry-safe"), bool), where


def test_error_responses_are_json_not_wildcard(spec: dict[str, Any]) -> None:
    for name, response in spec["components"]["responses"].items():
        content = response["content"]
        assert "*/*" not in content, name
        assert "application/json" in content, name


def test_declared_scopes_cover_every_operation(spec: dict[str, Any]) -> None:
    declared = set(
        spec["components"]["securitySchemes"]["oauth2"]["flows"]["authorizationCode"]["scopes"]
    )
    used = {
        scope
        for op in operations(spec).values()
        for req in op["security"]
        for scope in req["oauth2"]
    }
    assert used <= declared


def test_retry_safe_writes_are_only_the_idempotent_opt_outs(spec: dict[str, Any]) -> None:
    unsafe = {op["operationId"] for op in operations(spec).values() if not op["x-retry-safe"]}
    assert unsafe == {"update_status", "batch_update_statuses"}


def test_lock_matches_spec() -> None:
    assert speclock.lock_problems() == []


def test_lock_detects_an_edited_spec(tmp_path: Path) -> None:
    spec_copy = tmp_path / paths.SPEC_PATH.name
    lock_copy = tmp_path / paths.LOCK_PATH.name
    shutil.copy(paths.SPEC_PATH, spec_copy)
    shutil.copy(paths.LOCK_PATH, lock_copy)
    assert speclock.lock_problems(spec_copy, lock_copy) == []
    spec_copy.write_text(spec_copy.read_text() + "\n# edited\n")
    problems = speclock.lock_problems(spec_copy, lock_copy)
    assert len(problems) == 1 and "sha256" in problems[0]
    speclock.write_lock("test", spec_copy, lock_copy)
    assert speclock.lock_problems(spec_copy, lock_copy) == []


def test_missing_lock_is_reported(tmp_path: Path) -> None:
    assert speclock.lock_problems(paths.SPEC_PATH, tmp_path / "none.lock.json") == [
        "none.lock.json is missing"
    ]
