"""Every change kind of the table, each on a small hand-made document, with its severity.

Each case mutates the old and/or new copy of the base document (conftest.BASE) and
names the exact changes expected: no more, no fewer, so noise would fail a case too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from commprefs_kit.specdiff import RULES, Severity, Side, diff_documents
from commprefs_kit.specdiff.model import show

Doc = dict[str, Any]
B, P, S = Severity.BREAKING, Severity.POTENTIALLY_BREAKING, Severity.SAFE
G_ = "GET /v1/items/{id}"
P_ = "POST /v1/items"


def get_op(d: Doc) -> Doc:
    return d["paths"]["/v1/items/{id}"]["get"]


def post_op(d: Doc) -> Doc:
    return d["paths"]["/v1/items"]["post"]


def props(d: Doc, schema: str) -> Doc:
    return d["components"]["schemas"][schema]["properties"]


def param(d: Doc, name: str) -> Doc:
    return next(p for p in get_op(d)["parameters"] if p["name"] == name)


def flow(d: Doc) -> Doc:
    return d["components"]["securitySchemes"]["oauth2"]["flows"]["authorizationCode"]


@dataclass
class Case:
    name: str
    kind: str
    severity: Severity
    keys: list[str]
    new: Callable[[Doc], Any] = lambda d: None
    old: Callable[[Doc], Any] = lambda d: None


def _rename_versions(d: Doc) -> None:
    d["paths"] = {p.replace("/v1/", "/v2/"): v for p, v in d["paths"].items()}


def _rename_path_param(d: Doc) -> None:
    d["paths"]["/v1/items/{itemId}"] = d["paths"].pop("/v1/items/{id}")
    d["components"]["parameters"]["id"]["name"] = "itemId"


CASES = [
    # document
    Case(
        "openapi 3.0 -> 3.1",
        "openapi-version-changed",
        P,
        ["openapi version: 3.0 -> 3.1"],
        new=lambda d: d.update(openapi="3.1.0"),
    ),
    Case(
        "server moved",
        "servers-changed",
        P,
        ["servers: [https://api.example.com] -> [https://other.example.com]"],
        new=lambda d: d.update(servers=[{"url": "https://other.example.com"}]),
    ),
    Case(
        "version segment",
        "path-version-changed",
        P,
        ["paths version: [v1] -> [v2]"],
        new=_rename_versions,
    ),
    Case(
        "scheme added",
        "security-scheme-added",
        S,
        ["components.securitySchemes.key added"],
        new=lambda d: d["components"]["securitySchemes"].update(
            key={"type": "apiKey", "in": "header", "name": "X-Key"}
        ),
    ),
    Case(
        "scheme removed",
        "security-scheme-removed",
        P,
        ["components.securitySchemes.key removed"],
        old=lambda d: d["components"]["securitySchemes"].update(
            key={"type": "apiKey", "in": "header", "name": "X-Key"}
        ),
    ),
    Case(
        "token URL moved",
        "security-scheme-changed",
        P,
        [
            "components.securitySchemes.oauth2 flows.authorizationCode tokenUrl: "
            "https://auth.example.com/token -> https://auth.example.com/v2/token"
        ],
        new=lambda d: flow(d).update(tokenUrl="https://auth.example.com/v2/token"),
    ),
    Case(
        "flow scope declared",
        "oauth-scope-added",
        S,
        ["components.securitySchemes.oauth2 flows.authorizationCode scopes.admin added"],
        new=lambda d: flow(d)["scopes"].update(admin=""),
    ),
    Case(
        "flow scope dropped",
        "oauth-scope-removed",
        P,
        ["components.securitySchemes.oauth2 flows.authorizationCode scopes.admin removed"],
        old=lambda d: flow(d)["scopes"].update(admin=""),
    ),
    # operations
    Case(
        "operation added",
        "operation-added",
        S,
        ["DELETE /v1/items/{id} added"],
        new=lambda d: d["paths"]["/v1/items/{id}"].update(
            delete={"responses": {"204": {"description": "gone"}}}
        ),
    ),
    Case(
        "operation removed",
        "operation-removed",
        B,
        [f"{P_} removed"],
        new=lambda d: d["paths"]["/v1/items"].pop("post"),
    ),
    Case(
        "operationId renamed",
        "operation-id-changed",
        B,
        [f"{G_} operationId: get_item -> fetch_item"],
        new=lambda d: get_op(d).update(operationId="fetch_item"),
    ),
    Case(
        "tag changed",
        "tags-changed",
        P,
        [f"{G_} tags: [Items] -> [Things]"],
        new=lambda d: get_op(d).update(tags=["Things"]),
    ),
    Case(
        "deprecated",
        "operation-deprecated",
        S,
        [f"{G_} deprecated: false -> true"],
        new=lambda d: get_op(d).update(deprecated=True),
    ),
    Case(
        "undeprecated",
        "operation-undeprecated",
        S,
        [f"{G_} deprecated: true -> false"],
        old=lambda d: get_op(d).update(deprecated=True),
    ),
    Case(
        "security alternative added",
        "security-requirement-added",
        S,
        [f"{G_} security added: oauth2[admin]"],
        new=lambda d: get_op(d)["security"].append({"oauth2": ["admin"]}),
    ),
    Case(
        "security alternative removed",
        "security-requirement-removed",
        P,
        [f"{G_} security removed: oauth2[admin]"],
        old=lambda d: get_op(d)["security"].append({"oauth2": ["admin"]}),
    ),
    Case(
        "x- extension",
        "extension-changed",
        S,
        [f"{G_} x-retry-safe: absent -> true"],
        new=lambda d: get_op(d).update({"x-retry-safe": True}),
    ),
    # parameters
    Case(
        "optional parameter added",
        "parameter-added-optional",
        S,
        [f"{G_} parameters.query.q added"],
        new=lambda d: get_op(d)["parameters"].append(
            {"name": "q", "in": "query", "schema": {"type": "string"}}
        ),
    ),
    Case(
        "required parameter added",
        "parameter-added-required",
        B,
        [f"{G_} parameters.header.X-Tenant added"],
        new=lambda d: get_op(d)["parameters"].append(
            {"name": "X-Tenant", "in": "header", "required": True, "schema": {"type": "string"}}
        ),
    ),
    Case(
        "parameter removed",
        "parameter-removed",
        B,
        [f"{G_} parameters.query.limit removed"],
        new=lambda d: get_op(d)["parameters"].pop(0),
    ),
    Case(
        "path parameter renamed",
        "parameter-renamed",
        P,
        ["GET /v1/items/{itemId} parameters.path.itemId name: id -> itemId"],
        new=_rename_path_param,
    ),
    Case(
        "parameter made required",
        "parameter-made-required",
        B,
        [f"{G_} parameters.query.limit required: false -> true"],
        new=lambda d: param(d, "limit").update(required=True),
    ),
    Case(
        "parameter made optional",
        "parameter-made-optional",
        S,
        [f"{G_} parameters.query.channel required: true -> false"],
        new=lambda d: param(d, "channel").update(required=False),
    ),
    Case(
        "parameter default",
        "default-changed",
        P,
        [f"{G_} parameters.query.limit default: 10 -> 20"],
        new=lambda d: param(d, "limit")["schema"].update(default=20),
    ),
    Case(
        "query enum narrowed",
        "enum-narrowed",
        B,
        [f"{G_} parameters.query.channel enum: [EMAIL, SMS] -> [EMAIL]"],
        new=lambda d: param(d, "channel").update(schema={"type": "string", "enum": ["EMAIL"]}),
    ),
    Case(
        "query enum widened",
        "enum-widened",
        S,
        [f"{G_} parameters.query.channel enum: [EMAIL, SMS] -> [EMAIL, SMS, WHATSAPP]"],
        new=lambda d: param(d, "channel").update(
            schema={"type": "string", "enum": ["SMS", "EMAIL", "WHATSAPP"]}
        ),
    ),
    Case(
        "query int32 -> int64",
        "format-widened",
        S,
        [f"{G_} parameters.query.limit format: int32 -> int64"],
        new=lambda d: param(d, "limit")["schema"].update(format="int64"),
    ),
    # request body
    Case(
        "optional body added",
        "request-body-added-optional",
        S,
        [f"{G_} requestBody added"],
        new=lambda d: get_op(d).update(requestBody={"content": {"application/json": {}}}),
    ),
    Case(
        "required body added",
        "request-body-added-required",
        B,
        [f"{G_} requestBody added"],
        new=lambda d: get_op(d).update(
            requestBody={"required": True, "content": {"application/json": {}}}
        ),
    ),
    Case(
        "body removed",
        "request-body-removed",
        B,
        [f"{P_} requestBody removed"],
        new=lambda d: post_op(d).pop("requestBody"),
    ),
    Case(
        "body made required",
        "request-body-made-required",
        B,
        [f"{P_} requestBody required: false -> true"],
        old=lambda d: post_op(d)["requestBody"].update(required=False),
    ),
    Case(
        "body made optional",
        "request-body-made-optional",
        S,
        [f"{P_} requestBody required: true -> false"],
        new=lambda d: post_op(d)["requestBody"].update(required=False),
    ),
    Case(
        "request media type added",
        "request-media-type-added",
        S,
        [f"{P_} requestBody content application/x-www-form-urlencoded added"],
        new=lambda d: post_op(d)["requestBody"]["content"].update(
            {"application/x-www-form-urlencoded": {}}
        ),
    ),
    Case(
        "request media type removed",
        "request-media-type-removed",
        B,
        [f"{P_} requestBody content application/xml removed"],
        old=lambda d: post_op(d)["requestBody"]["content"].update({"application/xml": {}}),
    ),
    # responses
    Case(
        "207 added",
        "response-success-added",
        P,
        [f"{G_} responses.207 added"],
        new=lambda d: get_op(d)["responses"].update({"207": {"description": "partial"}}),
    ),
    Case(
        "200 removed",
        "response-success-removed",
        B,
        [f"{G_} responses.200 removed"],
        new=lambda d: get_op(d)["responses"].pop("200"),
    ),
    Case(
        "default added",
        "response-error-added",
        S,
        [f"{G_} responses.default added"],
        old=lambda d: get_op(d)["responses"].pop("default"),
    ),
    Case(
        "default removed",
        "response-error-removed",
        P,
        [f"{G_} responses.default removed"],
        new=lambda d: get_op(d)["responses"].pop("default"),
    ),
    Case(
        "response media type added",
        "response-media-type-added",
        P,
        [f"{G_} responses.200 content text/plain added"],
        new=lambda d: get_op(d)["responses"]["200"]["content"].update({"text/plain": {}}),
    ),
    Case(
        "response media type removed",
        "response-media-type-removed",
        P,
        [f"{G_} responses.200 content text/plain removed"],
        old=lambda d: get_op(d)["responses"]["200"]["content"].update({"text/plain": {}}),
    ),
    Case(
        "*/* made application/json",
        "media-type-specified",
        S,
        [
            f"{G_} responses.default content: */* -> application/json",
            f"{P_} responses.default content: */* -> application/json",
        ],
        old=lambda d: d["components"]["responses"]["Error"].update(
            content={"*/*": {"schema": {"$ref": "#/components/schemas/Error"}}}
        ),
    ),
    Case(
        "application/json made */*",
        "media-type-generalised",
        P,
        [
            f"{G_} responses.default content: application/json -> */*",
            f"{P_} responses.default content: application/json -> */*",
        ],
        new=lambda d: d["components"]["responses"]["Error"].update(
            content={"*/*": {"schema": {"$ref": "#/components/schemas/Error"}}}
        ),
    ),
    Case(
        "response header added",
        "response-header-added",
        S,
        [f"{G_} responses.200 headers.Retry-After added"],
        new=lambda d: get_op(d)["responses"]["200"]["headers"].update(
            {"Retry-After": {"schema": {"type": "integer"}}}
        ),
    ),
    Case(
        "response header removed",
        "response-header-removed",
        P,
        [f"{G_} responses.200 headers.X-Id removed"],
        new=lambda d: get_op(d)["responses"]["200"].pop("headers"),
    ),
    Case(
        "link added",
        "response-link-added",
        S,
        [f"{G_} responses.200 links.again added"],
        new=lambda d: get_op(d)["responses"]["200"]["links"].update(
            again={"operationId": "get_item"}
        ),
    ),
    Case(
        "link removed",
        "response-link-removed",
        P,
        [f"{G_} responses.200 links.self removed"],
        new=lambda d: get_op(d)["responses"]["200"].pop("links"),
    ),
    # schemas, response side
    Case(
        "response field added",
        "property-added",
        S,
        [f"{G_} responses.200 $.color added"],
        new=lambda d: props(d, "Item").update(color={"type": "string"}),
    ),
    Case(
        "response field removed",
        "property-removed",
        B,
        [f"{G_} responses.200 $.note removed"],
        new=lambda d: props(d, "Item").pop("note"),
    ),
    Case(
        "response field made optional",
        "property-made-optional",
        P,
        [f"{G_} responses.200 $.name required: true -> false"],
        new=lambda d: d["components"]["schemas"]["Item"].update(required=["id"]),
    ),
    Case(
        "response type changed",
        "type-changed",
        B,
        [f"{G_} responses.200 $.count type: integer -> string"],
        new=lambda d: props(d, "Item").update(count={"type": "string"}),
    ),
    Case(
        "array item type changed",
        "type-changed",
        B,
        [f"{G_} responses.200 $.tags[] type: string -> integer"],
        new=lambda d: props(d, "Item")["tags"].update(items={"type": "integer"}),
    ),
    Case(
        "map value type changed",
        "type-changed",
        B,
        [f"{G_} responses.200 $.meta.* type: string -> integer"],
        new=lambda d: props(d, "Item")["meta"].update(additionalProperties={"type": "integer"}),
    ),
    Case(
        "response type made any",
        "type-generalised",
        P,
        [f"{G_} responses.200 $.note type: string -> any"],
        new=lambda d: props(d, "Item").update(note={"description": "anything"}),
    ),
    Case(
        "response int32 -> int64",
        "format-widened",
        P,
        [f"{G_} responses.200 $.count format: int32 -> int64"],
        new=lambda d: props(d, "Item")["count"].update(format="int64"),
    ),
    Case(
        "response format changed",
        "format-changed",
        B,
        [f"{G_} responses.200 $.created format: date -> date-time"],
        new=lambda d: props(d, "Item")["created"].update(format="date-time"),
    ),
    Case(
        "response format removed",
        "format-removed",
        P,
        [f"{G_} responses.200 $.id format: int64 -> none"],
        new=lambda d: props(d, "Item")["id"].pop("format"),
    ),
    Case(
        "response enum widened",
        "enum-widened",
        P,
        [f"{G_} responses.200 $.channel enum: [EMAIL, SMS] -> [EMAIL, SMS, WHATSAPP]"],
        new=lambda d: props(d, "Item").update(
            channel={"type": "string", "enum": ["EMAIL", "SMS", "WHATSAPP"]}
        ),
    ),
    Case(
        "response enum narrowed",
        "enum-narrowed",
        S,
        [f"{G_} responses.200 $.channel enum: [EMAIL, SMS] -> [EMAIL]"],
        new=lambda d: props(d, "Item").update(channel={"type": "string", "enum": ["EMAIL"]}),
    ),
    Case(
        "response enum dropped",
        "enum-removed",
        P,
        [f"{G_} responses.200 $.channel enum: [EMAIL, SMS] -> none"],
        new=lambda d: props(d, "Item").update(channel={"type": "string"}),
    ),
    Case(
        "response made nullable",
        "made-nullable",
        P,
        [f"{G_} responses.200 $.note nullable: false -> true"],
        new=lambda d: props(d, "Item")["note"].update(nullable=True),
    ),
    Case(
        "allOf [X] + nullable is a nullable X",
        "made-nullable",
        P,
        [f"{G_} responses.200 $.channel nullable: false -> true"],
        new=lambda d: props(d, "Item").update(
            channel={"allOf": [{"$ref": "#/components/schemas/Channel"}], "nullable": True}
        ),
    ),
    Case(
        "response extra fields allowed",
        "additional-properties-widened",
        P,
        [f"{G_} responses.200 $.meta additionalProperties: schema -> any"],
        new=lambda d: props(d, "Item")["meta"].update(additionalProperties=True),
    ),
    Case(
        "broken $ref",
        "reference-broken",
        B,
        [f"{G_} responses.200 $.note unresolvable $ref: none -> #/components/schemas/Gone"],
        new=lambda d: props(d, "Item").update(note={"$ref": "#/components/schemas/Gone"}),
    ),
    Case(
        "repaired $ref",
        "reference-repaired",
        S,
        [f"{G_} responses.200 $.note unresolvable $ref: #/components/schemas/Gone -> none"],
        old=lambda d: props(d, "Item").update(note={"$ref": "#/components/schemas/Gone"}),
    ),
    # schemas, request side
    Case(
        "request optional field added",
        "property-added",
        S,
        [f"{P_} requestBody $.color added"],
        new=lambda d: props(d, "ItemInput").update(color={"type": "string"}),
    ),
    Case(
        "request required field added",
        "required-property-added",
        B,
        [f"{P_} requestBody $.color added"],
        new=lambda d: (
            props(d, "ItemInput").update(color={"type": "string"}),
            d["components"]["schemas"]["ItemInput"].update(required=["name", "color"]),
        ),
    ),
    Case(
        "request field removed",
        "property-removed",
        P,
        [f"{P_} requestBody $.email removed"],
        new=lambda d: props(d, "ItemInput").pop("email"),
    ),
    Case(
        "request field made required",
        "property-made-required",
        B,
        [f"{P_} requestBody $.size required: false -> true"],
        new=lambda d: d["components"]["schemas"]["ItemInput"].update(required=["name", "size"]),
    ),
    Case(
        "request any-type given a type",
        "type-specialised",
        B,
        [f"{P_} requestBody $.data type: any -> string"],
        new=lambda d: props(d, "ItemInput").update(data={"type": "string"}),
    ),
    Case(
        "request int32 -> int64",
        "format-widened",
        S,
        [f"{P_} requestBody $.size format: int32 -> int64"],
        new=lambda d: props(d, "ItemInput")["size"].update(format="int64"),
    ),
    Case(
        "request int64 -> int32",
        "format-narrowed",
        B,
        [f"{P_} requestBody $.size format: int64 -> int32"],
        old=lambda d: props(d, "ItemInput")["size"].update(format="int64"),
    ),
    Case(
        "request format added",
        "format-added",
        B,
        [f"{P_} requestBody $.email format: none -> email"],
        new=lambda d: props(d, "ItemInput")["email"].update(format="email"),
    ),
    Case(
        "request enum replaced",
        "enum-replaced",
        B,
        [f"{P_} requestBody $.channel enum: [EMAIL, SMS] -> [EMAIL, WHATSAPP]"],
        new=lambda d: props(d, "ItemInput").update(
            channel={"type": "string", "enum": ["EMAIL", "WHATSAPP"]}
        ),
    ),
    Case(
        "request enum added",
        "enum-added",
        B,
        [f"{P_} requestBody $.email enum: none -> [a@example.com]"],
        new=lambda d: props(d, "ItemInput")["email"].update(enum=["a@example.com"]),
    ),
    Case(
        "request null refused",
        "made-non-nullable",
        B,
        [f"{P_} requestBody $.email nullable: true -> false"],
        old=lambda d: props(d, "ItemInput")["email"].update(nullable=True),
    ),
    Case(
        "request extra fields refused",
        "additional-properties-narrowed",
        B,
        [f"{P_} requestBody $.extra additionalProperties: any -> none"],
        new=lambda d: props(d, "ItemInput")["extra"].update(additionalProperties=False),
    ),
    Case(
        "request maxLength",
        "constraint-changed",
        P,
        [f"{P_} requestBody $.name maxLength: 100 -> 50"],
        new=lambda d: props(d, "ItemInput")["name"].update(maxLength=50),
    ),
    Case(
        "oneOf grows",
        "composition-changed",
        P,
        [f"{P_} requestBody $.choice oneOf: 2 -> 3"],
        new=lambda d: props(d, "ItemInput")["choice"]["oneOf"].append({"type": "boolean"}),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_change_kind_and_severity(case: Case, base_doc: Callable[[], Doc]) -> None:
    old, new = base_doc(), base_doc()
    case.old(old)
    case.new(new)
    changes = diff_documents(old, new)
    assert [c.key for c in changes] == sorted(case.keys)
    assert {(c.kind, c.severity) for c in changes} == {(case.kind, case.severity)}


def test_every_kind_of_the_table_is_exercised() -> None:
    assert {c.kind for c in CASES} == set(RULES)


def test_rules_give_both_sides_a_severity() -> None:
    for kind, rule in RULES.items():
        assert rule.meaning, kind
        assert isinstance(rule.severity(Side.REQUEST), Severity)
        assert isinstance(rule.severity(Side.RESPONSE), Severity)


def test_replacing_a_scope_is_one_removal_and_one_addition(base_doc: Callable[[], Doc]) -> None:
    old, new = base_doc(), base_doc()
    get_op(new)["security"] = [{"oauth2": ["read", "admin"]}]
    changes = {c.key: c.severity for c in diff_documents(old, new)}
    assert changes == {
        f"{G_} security removed: oauth2[read]": P,
        f"{G_} security added: oauth2[admin, read]": S,
    }


def test_requiring_auth_removes_the_anonymous_alternative(base_doc: Callable[[], Doc]) -> None:
    old, new = base_doc(), base_doc()
    get_op(old)["security"] = []  # explicitly no auth
    changes = {c.key: c.severity for c in diff_documents(old, new)}
    assert changes == {
        f"{G_} security removed: anonymous": P,
        f"{G_} security added: oauth2[read]": S,
    }


def test_identical_documents_have_no_changes(base_doc: Callable[[], Doc]) -> None:
    assert diff_documents(base_doc(), base_doc()) == []


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_key_is_rendered_from_its_location(case: Case, base_doc: Callable[[], Doc]) -> None:
    """The key is the structured location's text plus what happened there; nothing in the
    place is known only to the key."""
    old, new = base_doc(), base_doc()
    case.old(old)
    case.new(new)
    for change in diff_documents(old, new):
        where = change.location
        assert where is not None, change.key
        assert change.key.startswith(where.text), (change.key, where)
        tail = change.key[len(where.text) :]
        values = f": {show(change.old)} -> {show(change.new)}"
        assert tail in (" added", " removed", values) or tail.startswith(
            (" added: ", " removed: ")
        ), (change.key, where)
        if where.attribute:
            assert tail == values  # an attribute changed value
