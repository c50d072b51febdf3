"""The records the engine produces: a severity, a side, and one Change per difference, with
the structured Location its key is rendered from."""

from __future__ import annotations

import enum
import json
import re
from dataclasses import dataclass, field, fields, replace
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
    so it can be recorded (openapi/deviations.yaml) and compared exactly. spec-diff renders
    it from `location` (`render_key`); a Change made elsewhere (e.g. the proxy's findings)
    may have a key of its own and no location.
    """

    key: str
    kind: str
    severity: Severity
    old: Any = None
    new: Any = None
    location: Location | None = field(default=None, compare=False)

    def as_json(self) -> dict[str, Any]:
        out = {
            "key": self.key,
            "kind": self.kind,
            "severity": self.severity.label,
            "old": self.old,
            "new": self.new,
        }
        if self.location is not None:
            out["location"] = self.location.as_json()
        return out


JSON_MEDIA = "application/json"
#: What a `Location.section` may be: parts of an operation, then document-level places.
OPERATION_SECTIONS = ("", "parameters", "requestBody", "responses", "security")
DOCUMENT_SECTIONS = ("openapi", "servers", "paths", "securitySchemes")
_PLAIN_NAME = re.compile(r"^[A-Za-z_][\w-]*$")


def pointer_token(text: str) -> str:
    """One JSON pointer reference token (RFC 6901): `~` and `/` escaped."""
    return text.replace("~", "~0").replace("/", "~1")


def pointer_tokens(pointer: str) -> list[str]:
    """The unescaped reference tokens of a JSON pointer (`""` is the whole schema)."""
    if not pointer:
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"not a JSON pointer: {pointer!r}")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def schema_path(pointer: str, *, body: bool) -> str:
    """A schema pointer as the JSONPath-like text of change keys.

    `$` is a body, `.name` (or `["odd name"]`) a property, `[]` an array's items, `.*` a map's
    values, `<oneOf[0]>` an alternative; a parameter's or header's own schema has no `$`.
    """
    text = "$" if body else ""
    tokens = pointer_tokens(pointer)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token == "properties" and i + 1 < len(tokens):
            name = tokens[i + 1]
            text += f".{name}" if _PLAIN_NAME.match(name) else f'["{name}"]'
            i += 2
        elif token == "items":
            text, i = text + "[]", i + 1
        elif token == "additionalProperties":
            text, i = text + ".*", i + 1
        elif token in ("oneOf", "anyOf") and i + 1 < len(tokens):
            text, i = text + f"<{token}[{tokens[i + 1]}]>", i + 2
        else:
            raise ValueError(f"not a schema location: {pointer!r}")
    return text


@dataclass(frozen=True)
class Location:
    """Where a change happened, as data; `text` renders it the way change keys read.

    An operation's place: `method` and `path` (the full path, server base path included, as
    the document serves it), then `section`: "" (the operation itself), "parameters"
    (`param_in`, `name`), "requestBody", "responses" (`status`) or "security". A body's media
    type is `media` ("" for application/json). `part`/`part_name` name a part of a body or
    response that is not a schema: "content" (a media type), "headers" (then the header's
    schema may follow), "links". `pointer` is a JSON pointer (RFC 6901) into the schema at that
    place, e.g. `/properties/results/items/properties/status`; None when the change is not
    inside a schema. `attribute` is the keyword or field that changed (`enum`, `required`,
    `operationId`, ...); "" when the thing itself was added or removed.

    Document-level places have no method: section "openapi", "servers", "paths" (their
    versions), or "securitySchemes" (`name` the scheme, `flow` an OAuth flow, `part` "scopes").
    """

    method: str = ""
    path: str = ""
    section: str = ""
    name: str = ""
    param_in: str = ""
    status: str = ""
    media: str = ""
    flow: str = ""
    part: str = ""
    part_name: str = ""
    pointer: str | None = None
    attribute: str = ""

    @property
    def operation(self) -> str:
        """`METHOD /path`, or "" for a document-level place."""
        return f"{self.method} {self.path}" if self.method else ""

    @property
    def media_type(self) -> str:
        return self.media or JSON_MEDIA

    @property
    def header(self) -> str:
        return self.part_name if self.part == "headers" else ""

    @property
    def in_body(self) -> bool:
        """Whether `pointer` starts at a body (rendered `$`), not a parameter or header."""
        return self.section in ("requestBody", "responses") and self.part != "headers"

    @property
    def text(self) -> str:
        """The key's place: `POST /x responses.200 $.results[].status enum`."""
        words = [self.operation] if self.method else []
        media = f"[{self.media}]" if self.media else ""
        if self.section == "parameters":
            words.append(f"parameters.{self.param_in}.{self.name}")
        elif self.section == "requestBody":
            words.append(f"requestBody{media}")
        elif self.section == "responses":
            words.append(f"responses.{self.status}{media}")
        elif self.section == "securitySchemes":
            words.append(f"components.securitySchemes.{self.name}")
        elif self.section:
            words.append(self.section)
        if self.flow:
            words.append(f"flows.{self.flow}")
        if self.part == "content":
            words.append(f"content {self.part_name}")
        elif self.part:
            words.append(f"{self.part}.{self.part_name}")
        if self.pointer is not None:
            path = schema_path(self.pointer, body=self.in_body)
            if path:
                words.append(path)
        if self.attribute:
            words.append(self.attribute)
        return " ".join(words)

    def within(self, *tokens: str) -> Location:
        """The place `tokens` further into the schema (the root schema when not yet in one)."""
        extra = "".join("/" + pointer_token(t) for t in tokens)
        return replace(self, pointer=(self.pointer or "") + extra)

    def as_json(self) -> dict[str, Any]:
        """The fields that are set (`pointer` whenever the place is inside a schema)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        return {k: v for k, v in out.items() if v is not None and (v != "" or k == "pointer")}


def render_key(
    where: Location, event: str, old: Any = None, new: Any = None, detail: str = ""
) -> str:
    """A change's key from its place: `<place> added`, `<place> removed[: detail]`, or
    `<place>: <old> -> <new>` for event "changed" (values rendered by `show`)."""
    if event == "changed":
        return f"{where.text}: {show(old)} -> {show(new)}"
    if event not in ("added", "removed"):
        raise ValueError(f"unknown event {event!r}")
    return f"{where.text} {event}: {detail}" if detail else f"{where.text} {event}"


def show(value: Any) -> str:
    """A short, deterministic rendering of a value for a change key."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return json.dumps(value, sort_keys=True, default=str)
