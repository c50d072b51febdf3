"""The transport's retry-safety table is the spec's x-retry-safe marks, and it recognises
real request paths (percent-encoded emails, base-URL prefixes, batch vs contact paths)."""

from __future__ import annotations

import pytest
import yaml

from commprefs_kit.paths import SPEC_PATH
from commprefs_kit.retry_safety import OPERATIONS, find_operation

METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
P = "/communication-preferences/2026-03"


def spec_table() -> dict[tuple[str, str], tuple[str, bool]]:
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    table = {}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            safe = operation.get("x-retry-safe")
            assert isinstance(safe, bool), f"{method.upper()} {path} has no boolean x-retry-safe"
            table[(method.upper(), path)] = (operation["operationId"], safe)
    return table


def test_table_equals_the_spec_marks() -> None:
    ours = {(op.method, op.path): (op.operation_id, op.retry_safe) for op in OPERATIONS}
    assert ours == spec_table()


def test_only_the_status_writes_are_unsafe() -> None:
    assert {op.operation_id for op in OPERATIONS if not op.retry_safe} == {
        "update_status",
        "batch_update_statuses",
    }


@pytest.mark.parametrize(
    ("method", "raw_path", "operation_id"),
    [
        ("GET", f"{P}/definitions?includeTranslations=true", "get_definitions"),
        ("GET", f"{P}/statuses/a%20b%2Fc%2Btag%40x.com?channel=EMAIL", "get_statuses"),
        ("POST", f"{P}/statuses/a%20b%2Fc%2Btag%40x.com", "update_status"),
        ("POST", f"{P}/statuses/a+b@x.com", "update_status"),  # literal + and @ as well
        (
            "GET",
            f"{P}/statuses/a%40x.com/unsubscribe-all?verbose=true",
            "get_unsubscribe_all_status",
        ),
        ("POST", f"{P}/statuses/a%40x.com/unsubscribe-all", "unsubscribe_all"),
        # Literal batch paths win over the {subscriberIdString} templates.
        ("POST", f"{P}/statuses/batch/unsubscribe-all", "batch_unsubscribe_all"),
        ("POST", f"{P}/statuses/batch/unsubscribe-all/read", "batch_get_unsubscribe_all_statuses"),
        ("POST", f"{P}/statuses/batch/read", "batch_get_statuses"),
        ("POST", f"{P}/statuses/batch/write", "batch_update_statuses"),
        ("POST", f"{P}/links/generate?channel=EMAIL", "generate_links"),
        ("post", f"/proxy/hubspot{P}/links/generate", "generate_links"),  # a base URL with a path
    ],
)
def test_paths_are_recognised(method: str, raw_path: str, operation_id: str) -> None:
    operation = find_operation(method, raw_path)
    assert operation is not None and operation.operation_id == operation_id


@pytest.mark.parametrize(
    ("method", "raw_path"),
    [
        ("DELETE", f"{P}/statuses/a%40x.com"),
        ("GET", f"{P}/statuses/a/b"),  # an unencoded slash is two segments
        ("POST", f"{P}/definitions"),
        ("GET", f"{P}/statuses/"),
        ("GET", "/communication-preferences/v4/definitions"),
        ("GET", f"{P}/definitions/extra"),
    ],
)
def test_other_requests_are_unknown_and_so_not_retried(method: str, raw_path: str) -> None:
    assert find_operation(method, raw_path) is None
