"""openapi/deviations.yaml: our pinned spec differs from HubSpot's only where recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from commprefs_kit import paths
from commprefs_kit.specdiff import Change, Severity, diff_documents
from commprefs_kit.specdiff.deviations import (
    Deviation,
    DeviationsError,
    check_deviations,
    load_deviations,
)
from commprefs_kit.update_spec.upstream_copy import FETCH_COMMAND, local_copy, read_pin


def test_pinned_spec_matches_upstream_except_recorded_deviations() -> None:
    pin = read_pin()
    upstream = local_copy(pin)
    if upstream is None:
        pytest.skip(f"HubSpot's document at the recorded revision is absent: run {FETCH_COMMAND}")
    changes = diff_documents(upstream, paths.SPEC_PATH)
    report = check_deviations(changes, load_deviations(paths.DEVIATIONS_PATH))
    assert report.ok, (
        "upstream -> openapi/communication-preferences-2026-03.yaml differs from "
        "openapi/deviations.yaml:\n" + report.describe()
    )
    assert report.recorded  # the comparison really ran


def test_deviations_file_gives_every_entry_a_theme_and_reason() -> None:
    deviations = load_deviations(paths.DEVIATIONS_PATH)
    assert deviations
    for deviation in deviations:
        assert deviation.theme and len(deviation.reason) > 40, deviation
        assert (deviation.key is None) != (deviation.pattern is None), deviation
    keys = [d.key for d in deviations if d.key]
    assert len(keys) == len(set(keys)), "a key is recorded twice"


def _change(key: str) -> Change:
    return Change(key, "property-added", Severity.SAFE)


def test_check_reports_unrecorded_changes_and_stale_records() -> None:
    records = [
        Deviation("t", "r", key="GET /a responses.200 $.x[] added"),
        Deviation("t", "r", key="GET /a gone"),
        Deviation("t", "r", pattern="* responses.200 $.x[] added", count=2),
        Deviation("t", "r", pattern="* nothing *", count=1),
    ]
    changes = [
        _change("GET /a responses.200 $.x[] added"),
        _change("GET /b responses.200 $.x[] added"),
        _change("GET /b responses.200 $.y added"),
    ]
    report = check_deviations(changes, records)
    assert [c.key for c in report.recorded] == [changes[0].key, changes[1].key]
    assert [c.key for c in report.unrecorded] == ["GET /b responses.200 $.y added"]
    assert report.stale == [
        "GET /a gone (t): matched 0",
        "pattern '* nothing *' x1 (t): matched 0",
    ]
    text = report.describe()
    assert (
        "1 difference(s) not recorded" in text and "[safe] GET /b responses.200 $.y added" in text
    )
    assert "2 recorded deviation(s) no longer occur" in text


def test_pattern_count_must_match_exactly() -> None:
    record = Deviation("t", "r", pattern="* x added", count=3)
    report = check_deviations([_change("GET /a x added"), _change("GET /b x added")], [record])
    assert report.stale == ["pattern '* x added' x3 (t): matched 2"]


def test_brackets_in_patterns_are_literal() -> None:
    record = Deviation("t", "r", pattern="* $.errors[].links *", count=1)
    assert record.matches("GET /a responses.200 $.errors[].links required: true -> false")
    assert not record.matches("GET /a responses.200 $.errorse.links required: true -> false")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[]", "top-level `themes` list"),
        ("themes: [{theme: x}]", "needs `theme` and `reason`"),
        ("themes: [{theme: x, reason: y, changes: [{pattern: '*'}]}]", "positive `count`"),
        ("themes: [{theme: x, reason: y, changes: [3]}]", "key string or a mapping"),
        ("themes: [", "cannot read"),
    ],
)
def test_malformed_deviation_files_are_rejected(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "deviations.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DeviationsError, match=message):
        load_deviations(path)
