"""The classification table: every change kind and its severity for a consumer.

A consumer is code that calls the API, typically through a client generated from the
document. Schema changes depend on the side: a value the consumer *sends* (request
body, parameter) may be narrowed only at its peril; a value it *receives* (response)
may be narrowed freely but widened only with care (new enum values, nulls, wider ints
reach code that did not expect them). Hence two severities per kind.

Judgement calls, so that they are written down once:
- tags-changed is potentially breaking: the wire is unchanged, but generators that
  group operations by tag (openapi-python-client: `api/<tag>/<operation>.py`) move
  the module, so `from ...api.definitions import unsubscribe_all` stops importing.
  Not breaking, because generators that ignore tags (Stainless, HubSpot's own SDK)
  are unaffected.
- operation-id-changed is breaking: every generator names the function after it.
- a new security alternative is safe (one more way to be authorised); a removed one is
  potentially breaking (a token holding only those scopes is refused from now on).
  An operation without security counts as one anonymous alternative, so requiring
  auth where none was needed shows as that alternative removed.
- a new 2xx status is potentially breaking (a client must parse one more success
  shape); a new error status is safe. A removed 2xx is breaking (the generated parser
  for it goes away); a removed error status is potentially breaking.
"""

from __future__ import annotations

from dataclasses import dataclass

from commprefs_kit.specdiff.model import Severity, Side

S = Severity.SAFE
P = Severity.POTENTIALLY_BREAKING
B = Severity.BREAKING


@dataclass(frozen=True)
class Rule:
    request: Severity
    response: Severity
    meaning: str

    def severity(self, side: Side) -> Severity:
        return self.request if side is Side.REQUEST else self.response


def _same(severity: Severity, meaning: str) -> Rule:
    return Rule(severity, severity, meaning)


RULES: dict[str, Rule] = {
    # document
    "openapi-version-changed": _same(P, "OpenAPI major.minor version changed"),
    "servers-changed": _same(P, "server URLs changed"),
    "path-version-changed": _same(P, "the version segment of every path changed"),
    "security-scheme-added": _same(S, "a security scheme was declared"),
    "security-scheme-removed": _same(P, "a security scheme was removed"),
    "security-scheme-changed": _same(P, "a security scheme's type, location, name or URL changed"),
    "oauth-scope-added": _same(S, "an OAuth flow declares a new scope"),
    "oauth-scope-removed": _same(P, "an OAuth flow no longer declares a scope"),
    # operation
    "operation-added": _same(S, "operation added"),
    "operation-removed": _same(B, "operation removed"),
    "operation-id-changed": _same(B, "operationId changed (renames generated functions)"),
    "tags-changed": _same(P, "tags changed (moves tag-grouped generated modules)"),
    "operation-deprecated": _same(S, "operation deprecated"),
    "operation-undeprecated": _same(S, "operation no longer deprecated"),
    "security-requirement-added": _same(S, "a security alternative was added"),
    "security-requirement-removed": _same(P, "a security alternative was removed"),
    "extension-changed": _same(S, "an x- extension of the operation changed"),
    # parameters (always sent by the consumer)
    "parameter-added-optional": _same(S, "optional parameter added"),
    "parameter-added-required": _same(B, "required parameter added"),
    "parameter-removed": _same(B, "parameter removed"),
    "parameter-renamed": _same(P, "path parameter renamed (renames a generated argument)"),
    "parameter-made-required": _same(B, "parameter made required"),
    "parameter-made-optional": _same(S, "parameter made optional"),
    # request body
    "request-body-added-optional": _same(S, "optional request body added"),
    "request-body-added-required": _same(B, "required request body added"),
    "request-body-removed": _same(B, "request body removed"),
    "request-body-made-required": _same(B, "request body made required"),
    "request-body-made-optional": _same(S, "request body made optional"),
    "request-media-type-added": _same(S, "request media type added"),
    "request-media-type-removed": _same(B, "request media type removed"),
    # responses
    "response-success-added": _same(P, "2xx response added (one more success shape)"),
    "response-success-removed": _same(B, "2xx response removed"),
    "response-error-added": _same(S, "error (or default) response added"),
    "response-error-removed": _same(P, "error (or default) response removed"),
    "response-media-type-added": _same(P, "response media type added"),
    "response-media-type-removed": _same(P, "response media type removed"),
    "media-type-specified": Rule(P, S, "a wildcard media type (*/*) was made concrete"),
    "media-type-generalised": Rule(S, P, "a concrete media type was replaced by a wildcard"),
    "response-header-added": _same(S, "response header added"),
    "response-header-removed": _same(P, "response header removed"),
    "response-link-added": _same(S, "OpenAPI link added"),
    "response-link-removed": _same(P, "OpenAPI link removed"),
    # schemas: (request side, response side)
    "property-added": Rule(S, S, "optional field added"),
    "required-property-added": Rule(B, S, "required field added"),
    "property-removed": Rule(P, B, "field removed"),
    "property-made-required": Rule(B, S, "field made required"),
    "property-made-optional": Rule(S, P, "field made optional"),
    "type-changed": Rule(B, B, "type changed"),
    "type-generalised": Rule(S, P, "type constraint removed (any value allowed)"),
    "type-specialised": Rule(B, S, "type constraint added to an any-type value"),
    "format-changed": Rule(B, B, "format changed"),
    "format-widened": Rule(S, P, "format widened (int32 -> int64, float -> double)"),
    "format-narrowed": Rule(B, S, "format narrowed (int64 -> int32, double -> float)"),
    "format-added": Rule(B, S, "format added"),
    "format-removed": Rule(S, P, "format removed"),
    "enum-widened": Rule(S, P, "enum values added"),
    "enum-narrowed": Rule(B, S, "enum values removed"),
    "enum-replaced": Rule(B, P, "enum values both added and removed"),
    "enum-added": Rule(B, S, "enum constraint added"),
    "enum-removed": Rule(S, P, "enum constraint removed"),
    "made-nullable": Rule(S, P, "null allowed"),
    "made-non-nullable": Rule(B, S, "null no longer allowed"),
    "default-changed": Rule(P, S, "default value changed"),
    "additional-properties-widened": Rule(S, P, "more extra fields allowed"),
    "additional-properties-narrowed": Rule(B, S, "fewer extra fields allowed"),
    "constraint-changed": Rule(P, P, "a validation keyword (pattern, min/max, ...) changed"),
    "reference-broken": _same(B, "a schema $ref names nothing (no client can be generated)"),
    "reference-repaired": _same(S, "a dangling schema $ref resolves again"),
    "composition-changed": Rule(P, P, "oneOf/anyOf alternatives changed in number"),
}

# Widening pairs for numeric formats (old, new).
FORMAT_WIDENING = {("int32", "int64"), ("float", "double")}

# Validation keywords compared as a whole (reported as constraint-changed).
CONSTRAINT_KEYWORDS = (
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
)


def severity_of(kind: str, side: Side = Side.REQUEST) -> Severity:
    return RULES[kind].severity(side)
