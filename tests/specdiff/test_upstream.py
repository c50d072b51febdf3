"""Real documents: HubSpot's 38 published 2026-03 revisions, v4 -> 2026-03, 2026-03 -> 2026-09."""

from __future__ import annotations

from pathlib import Path

import pytest

from commprefs_kit import paths
from commprefs_kit.specdiff import Change, Severity, diff_documents
from commprefs_kit.specdiff.report import Revision, history, history_text

pytestmark = pytest.mark.reference
B, P, S = Severity.BREAKING, Severity.POTENTIALLY_BREAKING, Severity.SAFE
PREFIX = "/communication-preferences/2026-03"


def by_key(changes: list[Change]) -> dict[str, Change]:
    return {c.key: c for c in changes}


@pytest.fixture(scope="module")
def rows() -> list[Revision]:
    directory = paths.SHARED_REFERENCE_DIR / "upstream" / "2026-03-history"
    if not directory.is_dir():
        pytest.skip(f"reference data absent ({directory})")
    return history(directory)


@pytest.fixture(scope="module")
def revisions(rows: list[Revision]) -> list[tuple[str, list[Change]]]:
    return [(r.name, r.changes) for r in rows]


def test_every_consecutive_revision_pair_compares(
    revisions: list[tuple[str, list[Change]]],
) -> None:
    assert len(revisions) == 38
    names = [name for name, _ in revisions]
    assert names == sorted(names) and names[0].startswith("001-")
    # only revision 005 differs from its predecessor in noise alone (descriptions)
    assert [name[:3] for name, changes in revisions[1:] if not changes] == ["005"]


def test_known_facts_of_the_2026_03_history(revisions: list[tuple[str, list[Change]]]) -> None:
    changes = {name[:3]: by_key(c) for name, c in revisions}
    # the early document still had 2025-09's extra operations; HubSpot removed them
    assert changes["002"][f"POST {PREFIX}/resubscribe removed"].severity is B
    for op in (f"GET {PREFIX}/status/email/{{emailAddress}}", f"POST {PREFIX}/subscribe"):
        assert changes["004"][f"{op} removed"].kind == "operation-removed"
    # late March: the two batch reads gain 207 and their 200 envelopes lose errors/numErrors
    for op in ("statuses/batch/read", "statuses/batch/unsubscribe-all/read"):
        added = changes["006"][f"POST {PREFIX}/{op} responses.207 added"]
        assert (added.kind, added.severity) == ("response-success-added", P)
        assert changes["006"][f"POST {PREFIX}/{op} responses.200 $.errors removed"].severity is B
    # O10's operationId lost and regained its alias: renames the generated function
    assert (
        changes["007"][
            f"POST {PREFIX}/links/generate operationId: post-{PREFIX}/links/generate_"
            f"/communication-preferences/v4/links/generate -> post-{PREFIX}/links/generate"
        ].severity
        is B
    )
    # April 21: int32 -> int64 (fact sheet trap 7)
    widened = changes["081"][
        f"GET {PREFIX}/statuses/{{subscriberIdString}} responses.200 $.results[].subscriptionId "
        "format: int32 -> int64"
    ]
    assert (widened.kind, widened.severity) == ("format-widened", P)
    # June 15: a revision with dangling $refs is reported, not a crash
    assert any(c.kind == "reference-broken" for c in changes["083"].values())


def test_history_table_renders(rows: list[Revision]) -> None:
    text = history_text(rows)
    assert "(paths shown relative to /communication-preferences/2026-03)" in text
    assert "006-20260331T135756-b6d0689bcb    4    2     0" in text
    assert text.endswith("summary: 38 revisions, 36 of 37 steps changed")


def _docs(upstream_dir: Path, old: str, new: str) -> dict[str, Change]:
    return by_key(diff_documents(upstream_dir / old, upstream_dir / new))


def test_ballerina_v4_to_2026_03_narrows_channel_and_widens_ids(upstream_dir: Path) -> None:
    """The fact sheet's "v4" column: Ballerina's copy of HubSpot's v4 document."""
    changes = _docs(upstream_dir, "ballerina-sanitized-v4.json", "subscriptions-2026-03.json")
    narrowed = changes[
        f"POST {PREFIX}/statuses/batch/unsubscribe-all parameters.query.channel "
        "enum: [EMAIL, SMS, WHATSAPP] -> [EMAIL]"
    ]
    assert (narrowed.kind, narrowed.severity) == ("enum-narrowed", B)
    received = changes[
        f"GET {PREFIX}/statuses/{{subscriberIdString}} responses.200 $.results[].channel "
        "enum: [EMAIL, SMS, WHATSAPP] -> [EMAIL]"
    ]
    assert received.severity is S  # fewer values to receive: safe
    sent = changes[
        f"POST {PREFIX}/statuses/batch/write requestBody $.inputs[].subscriptionId "
        "format: int32 -> int64"
    ]
    assert (sent.kind, sent.severity) == ("format-widened", S)
    got = changes[
        f"POST {PREFIX}/statuses/batch/write responses.200 $.results[].subscriptionId "
        "format: int32 -> int64"
    ]
    assert got.severity is P
    assert changes[f"POST {PREFIX}/links/generate added"].severity is S
    assert changes["paths version: [v4] -> [2026-03]"].kind == "path-version-changed"


def test_hubspot_v4_to_2026_03(upstream_dir: Path) -> None:
    """HubSpot's v4 as published today already has EMAIL only and int64."""
    changes = _docs(upstream_dir, "subscriptions-v4.json", "subscriptions-2026-03.json")
    kinds = [c.kind for c in changes.values()]
    assert kinds.count("operation-id-changed") == 10
    assert "operation-added" not in kinds and "operation-removed" not in kinds
    assert changes[f"POST {PREFIX}/statuses/batch/write tags: [Status] -> [Batch]"].severity is P
    assert not any("enum" in k or "format" in k for k in changes)


def test_2026_03_to_2026_09(upstream_dir: Path) -> None:
    changes = _docs(upstream_dir, "subscriptions-2026-03.json", "subscriptions-2026-09.json")
    added = sorted(k for k, c in changes.items() if c.kind == "operation-added")
    p9 = "/communication-preferences/2026-09"
    assert added == [
        f"GET {p9}/status/email/{{emailAddress}} added",
        f"POST {p9}/resubscribe added",
        f"POST {p9}/subscribe added",
        f"POST {p9}/unsubscribe added",
    ]
    assert changes[f"POST {p9}/statuses/batch/read responses.207 removed"].severity is B
    narrowed = changes[
        f"POST {p9}/statuses/batch/write requestBody $.inputs[].subscriptionId "
        "format: int64 -> int32"
    ]
    assert (narrowed.kind, narrowed.severity) == ("format-narrowed", B)
    assert not any(c.kind == "operation-removed" for c in changes.values())
