"""Route table built from the spec's path templates.

Matching works on the raw (still percent-encoded) path, segment by segment, so that an encoded
``/`` (``%2F``) stays inside its segment and ``+`` is never turned into a space. Literal paths
win over templates (``/statuses/batch/read`` is not a subscriber called ``batch``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote

from commprefs_spec.model import Operation


@dataclass(frozen=True)
class _Template:
    segments: tuple[str | None, ...]  # None marks a parameter segment
    names: tuple[str, ...]  # parameter names, in order
    methods: dict[str, Operation]


@dataclass(frozen=True)
class Match:
    """A path that exists in the spec; ``operation`` is None when the method is not allowed."""

    operation: Operation | None
    allowed: tuple[str, ...]
    path_params: dict[str, str]


class Router:
    def __init__(self, operations: Iterable[Operation]) -> None:
        self._literal: dict[str, dict[str, Operation]] = {}
        templates: dict[str, dict[str, Operation]] = {}
        for op in operations:
            target = templates if "{" in op.path else self._literal
            target.setdefault(op.path, {})[op.method] = op
        # Literal paths have no parameters: their matches are built once.
        self._literal_matches = {
            (method, path): Match(op, tuple(sorted(methods)), {})
            for path, methods in self._literal.items()
            for method, op in methods.items()
        }
        self._templates: list[_Template] = []
        for path, methods in templates.items():
            parts = path.split("/")
            segs = tuple(None if p.startswith("{") else p for p in parts)
            names = tuple(p[1:-1] for p in parts if p.startswith("{"))
            self._templates.append(_Template(segs, names, methods))

    def match(self, method: str, raw_path: str) -> Match | None:
        """The route for ``raw_path`` (percent-encoded, no query), or None when unknown."""
        found = self._literal_matches.get((method, raw_path))
        if found is not None:
            return found
        methods = self._literal.get(raw_path)
        params: dict[str, str] = {}
        if methods is None:
            parts = raw_path.split("/")
            for template in self._templates:
                if len(template.segments) != len(parts):
                    continue
                values = []
                for want, got in zip(template.segments, parts, strict=True):
                    if want is None:
                        values.append(got)
                    elif want != got:
                        break
                else:
                    methods = template.methods
                    # unquote, not unquote_plus: '+' in an email is a literal plus.
                    params = {n: unquote(v) for n, v in zip(template.names, values, strict=True)}
                    break
            if methods is None:
                return None
        return Match(methods.get(method), tuple(sorted(methods)), params)
