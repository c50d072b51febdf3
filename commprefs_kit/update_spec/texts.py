"""Three-way merge of descriptions and summaries (spec-diff ignores wording by design).

Our spec's wording is curated. An upstream rewording is copied only where ours still
says what upstream used to say; where we wrote our own text, ours is kept.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field
from typing import Any

TEXT_KEYS = ("description", "summary")
Pointer = tuple[str, ...]


@dataclass
class TextMerge:
    applied: list[str] = field(default_factory=list)
    kept_ours: list[str] = field(default_factory=list)
    no_place: list[str] = field(default_factory=list)


def _texts(node: Any, at: Pointer = ()) -> Iterator[tuple[Pointer, str]]:
    """(pointer, text) of every description/summary reachable through mappings only
    (list positions differ between documents, so texts inside lists are left alone)."""
    if not isinstance(node, MutableMapping):
        return
    for key, value in node.items():
        key = str(key)
        if key in TEXT_KEYS and isinstance(value, str):
            yield (*at, key), value
        elif isinstance(value, MutableMapping):
            yield from _texts(value, (*at, key))


def _parent(root: Any, pointer: Pointer) -> MutableMapping[str, Any] | None:
    node = root
    for key in pointer[:-1]:
        if not isinstance(node, MutableMapping) or key not in node:
            return None
        node = node[key]
    return node if isinstance(node, MutableMapping) else None


def show(pointer: Pointer) -> str:
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in pointer)


def merge_texts(
    upstream_old: MutableMapping[str, Any],
    upstream_new: MutableMapping[str, Any],
    ours: MutableMapping[str, Any],
) -> TextMerge:
    """Edit `ours` in place; report what was copied and what was left as ours."""
    old, new = dict(_texts(upstream_old)), dict(_texts(upstream_new))
    result = TextMerge()
    for pointer in sorted(set(old) | set(new)):
        before, after = old.get(pointer), new.get(pointer)
        if before == after:
            continue
        # A text that comes or goes with its whole node is not a rewording: the node is
        # new upstream (ours, if we have it, is our own) or gone (a schema change).
        if _parent(upstream_old if before is None else upstream_new, pointer) is None:
            continue
        parent = _parent(ours, pointer)
        if parent is None or "$ref" in parent:  # a $ref's siblings mean nothing in 3.0
            result.no_place.append(show(pointer))
            continue
        current = parent.get(pointer[-1])
        if current == after:
            continue
        if current != before:
            result.kept_ours.append(show(pointer))
            continue
        if after is None:
            del parent[pointer[-1]]
        else:
            parent[pointer[-1]] = after
        result.applied.append(show(pointer))
    return result
