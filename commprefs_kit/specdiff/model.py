"""The records the engine produces: a severity, a side, and one Change per difference."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class Severity(enum.IntEnum):
    """How a change affects a consumer; ordered so that max() gives the worst."""

    SAFE = 0
    POTENTIALLY_BREAKING = 1
    BREAKING = 2

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", "-")

    @classmethod
    def from_label(cls, label: str) -> Severity:
        try:
            return cls[label.upper().replace("-", "_")]
        except KeyError:
            choices = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {label!r} (one of {choices})") from None


class Side(enum.Enum):
    """Which way data flows where a schema change happens: the consumer sends or receives it."""

    REQUEST = "request"
    RESPONSE = "response"


@dataclass(frozen=True, order=True)
class Change:
    """One difference between two documents.

    `key` is stable across runs and readable (it names where, what and old -> new),
    so it can be recorded (openapi/deviations.yaml) and compared exactly.
    """

    key: str
    kind: str
    severity: Severity
    old: Any = None
    new: Any = None

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "severity": self.severity.label,
            "old": self.old,
            "new": self.new,
        }
