"""Decide what an update does: which changes are applied, already ours, or need a person.

Two kinds of SOURCE:
- an upstream revision (HubSpot's own file). Our spec is curated, so the new file is
  not copied: the changes upstream made since the revision our lock names
  (`upstream_sha256`) are applied to our spec where that is mechanical;
- a curated document (every operation carries our `x-retry-safe`): someone edited a
  copy of our spec; it is adopted as a whole.
Either way the result is checked: the changes it makes to our spec (spec-diff, pinned
-> result) must be exactly those upstream made, and are classed by severity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from commprefs_kit.specdiff import RULES, Change, Severity, diff_documents
from commprefs_kit.specdiff.model import Location
from commprefs_kit.update_spec import yamlio
from commprefs_kit.update_spec.apply import MECHANICAL_KINDS, Applier, NeedsPerson
from commprefs_kit.update_spec.locate import METHODS
from commprefs_kit.update_spec.source import SourceError, validate_document
from commprefs_kit.update_spec.texts import TextMerge, merge_texts

# Upstream changes our spec does not mirror, by design, with the reason.
NOT_MIRRORED = {
    "operation-id-changed": "our operationIds are our own (they name the generated functions)",
    "tags-changed": "our tags are our own (they name the generated api/ modules)",
    "oauth-scope-added": "our spec declares only the scopes its operations require",
    "oauth-scope-removed": "our spec declares only the scopes its operations require",
    "extension-changed": "our x- extensions are our own",
}
# Removals first: an operation that goes away takes its links with it.
ORDER = {"operation-removed": 0, "operation-added": 1}


@dataclass
class Item:
    change: Change
    note: str = ""


@dataclass
class Plan:
    mode: str  # "upstream" or "curated"
    applied: list[Item] = field(default_factory=list)
    already: list[Item] = field(default_factory=list)
    not_mirrored: list[Item] = field(default_factory=list)
    person: list[Item] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # needs a person, not tied to one change
    collateral: list[Change] = field(default_factory=list)  # changed where upstream did not
    texts: TextMerge = field(default_factory=TextMerge)
    notes: list[str] = field(default_factory=list)
    new_text: str = ""
    result_changes: list[Change] = field(default_factory=list)  # pinned -> result

    @property
    def needs_person(self) -> bool:
        return bool(self.person or self.problems or self.collateral)

    @property
    def breaking(self) -> list[Change]:
        found = {c.key: c for c in self.result_changes if c.severity is Severity.BREAKING}
        for change in [*(i.change for i in self.person), *self.collateral]:
            if change.severity is Severity.BREAKING:
                found.setdefault(change.key, change)
        return sorted(found.values())


def is_curated(document: Mapping[str, Any]) -> bool:
    """Our spec's mark: every operation says whether it is retry-safe (upstream never does)."""
    operations = [
        op
        for item in (document.get("paths") or {}).values()
        if isinstance(item, Mapping)
        for method, op in item.items()
        if method in METHODS and isinstance(op, Mapping)
    ]
    return bool(operations) and all("x-retry-safe" in op for op in operations)


def plan_curated(ours: dict[str, Any], new: dict[str, Any], new_text: str) -> Plan:
    plan = Plan(mode="curated", new_text=new_text)
    plan.result_changes = diff_documents(ours, new)
    plan.applied = [Item(c, "adopted with the document") for c in plan.result_changes]
    return plan


def plan_upstream(
    ours_text: str,
    upstream_old: dict[str, Any],
    upstream_new: dict[str, Any],
) -> Plan:
    """Apply upstream_old -> upstream_new to our spec, in memory."""
    plan = Plan(mode="upstream")
    ours_plain = yamlio.safe_load(ours_text)
    ours_since_old = {c.key for c in diff_documents(upstream_old, ours_plain)}
    document = yamlio.load(ours_text)
    applier = Applier(document, upstream_new)
    changes = sorted(
        diff_documents(upstream_old, upstream_new), key=lambda c: (ORDER.get(c.kind, 2), c.key)
    )
    for change in changes:
        if change.key in ours_since_old:
            plan.already.append(Item(change, "our spec already made this change"))
        elif change.kind in NOT_MIRRORED:
            plan.not_mirrored.append(Item(change, NOT_MIRRORED[change.kind]))
        elif change.kind not in MECHANICAL_KINDS:
            meaning = RULES[change.kind].meaning if change.kind in RULES else change.kind
            plan.person.append(Item(change, f"{meaning}: not applied mechanically"))
        else:
            try:
                plan.applied.append(Item(change, applier.apply(change)))
            except NeedsPerson as exc:
                plan.person.append(Item(change, str(exc)))
    plan.notes += applier.notes
    plan.texts = merge_texts(upstream_old, upstream_new, document)
    plan.new_text = yamlio.dump(document)
    _verify(plan, ours_plain)
    return plan


def version_problem(ours: Mapping[str, Any], new: Mapping[str, Any]) -> str | None:
    mine = str((ours.get("info") or {}).get("version"))
    theirs = str((new.get("info") or {}).get("version"))
    if mine == theirs:
        return None
    return (
        f"SOURCE is API version {theirs}, our spec pins {mine}: a new API version is a new "
        "pinned spec (and client), not an update of this one"
    )


def _verify(plan: Plan, ours_plain: dict[str, Any]) -> None:
    """The result must change exactly what upstream changed (no more through shared schemas)."""
    result = yamlio.safe_load(plan.new_text)
    try:
        validate_document(result, "the updated spec")
    except SourceError as exc:
        plan.problems.append(str(exc))
        return
    plan.result_changes = diff_documents(ours_plain, result)
    # A change is identified by its kind and structured location (values aside: applying an
    # enum value to ours gives other old/new lists than upstream's).
    expected = {(i.change.kind, i.change.location) for i in plan.applied}
    actual = {(c.kind, c.location) for c in plan.result_changes}
    plan.collateral = [c for c in plan.result_changes if (c.kind, c.location) not in expected]
    for kind, where in sorted(expected - actual, key=lambda kw: (kw[0], _text(kw[1]))):
        # e.g. an enum value we already had: nothing to change, nothing to report
        if not any(i.change.kind == kind and i.change.location == where for i in plan.already):
            plan.notes.append(f"no effect on our spec: {kind} at {_text(where)}")


def _text(where: Location | None) -> str:
    return where.text if where is not None else "(no location)"
