"""Round-trip YAML for the curated spec: edits keep its comments, order and flow style."""

from __future__ import annotations

import io
import re
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML

# ruamel writes `[{$ref: X}]` back as `[$ref: X]` (same data, a single-pair mapping in
# a flow sequence); put the braces back so that an update changes only what it must.
_BARE_PAIR_IN_FLOW_SEQ = re.compile(r"\[\$ref: (\"[^\"]*\"|'[^']*'|[^,\]\s]+)\]")


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap long descriptions
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def load(text: str) -> Any:
    return _yaml().load(text)


def dump(document: Any) -> str:
    buffer = io.StringIO()
    _yaml().dump(document, buffer)
    return _BARE_PAIR_IN_FLOW_SEQ.sub(r"[{$ref: \1}]", buffer.getvalue())


def safe_load(text: str) -> Any:
    """Plain data, fast (libyaml when PyYAML has it): for reading, never for writing back."""
    return pyyaml.load(text, Loader=getattr(pyyaml, "CSafeLoader", pyyaml.SafeLoader))
