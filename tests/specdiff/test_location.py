"""Structured locations: what a change's key is rendered from, and what tools read instead of
parsing keys (update-spec's locate, the proxy's findings)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from commprefs_kit.specdiff import Change, Severity, diff_documents
from commprefs_kit.specdiff.model import Location, render_key, schema_path

Doc = dict[str, Any]
P_ = "GET /v1/items/{id}"


def by_key(changes: list[Change]) -> dict[str, Change]:
    return {c.key: c for c in changes}


def test_schema_pointer_renders_as_the_keys_json_path() -> None:
    pointer = "/properties/results/items/properties/a~1b c/additionalProperties/oneOf/1"
    assert schema_path(pointer, body=True) == '$.results[]["a/b c"].*<oneOf[1]>'
    assert schema_path("", body=True) == "$"
    assert schema_path("", body=False) == ""  # a parameter's own schema
    assert schema_path("/items", body=False) == "[]"
    with pytest.raises(ValueError, match="not a schema location"):
        schema_path("/allOf/0", body=True)


def test_location_text_for_each_section() -> None:
    op = Location("POST", "/x/{id}")
    assert op.text == "POST /x/{id}"
    param = Location("POST", "/x/{id}", "parameters", name="id", param_in="path", pointer="")
    assert param.text == "POST /x/{id} parameters.path.id"
    header = Location(
        "POST", "/x", "responses", status="429", part="headers", part_name="Retry-After", pointer=""
    )
    assert header.text == "POST /x responses.429 headers.Retry-After"
    content = Location("POST", "/x", "requestBody", part="content", part_name="text/csv")
    assert content.text == "POST /x requestBody content text/csv"
    body = Location("POST", "/x", "responses", status="5XX", media="text/html", pointer="/items")
    assert (body.text, body.media_type) == ("POST /x responses.5XX[text/html] $[]", "text/html")
    scope = Location(section="securitySchemes", name="oauth2", flow="authorizationCode")
    scope = replace(scope, part="scopes", part_name="crm.read")
    assert scope.text == "components.securitySchemes.oauth2 flows.authorizationCode scopes.crm.read"
    assert render_key(Location(section="servers"), "changed", ["a"], ["b"]) == "servers: [a] -> [b]"
    security = Location("GET", "/x", "security")
    assert (
        render_key(security, "removed", detail="oauth2[a]") == "GET /x security removed: oauth2[a]"
    )


def test_changes_carry_method_path_section_and_pointer(base_doc: Callable[[], Doc]) -> None:
    old, new = base_doc(), base_doc()
    schemas = new["components"]["schemas"]
    schemas["Item"]["properties"]["color"] = {"type": "string"}
    new["paths"]["/v1/items/{id}"]["get"]["parameters"][0]["schema"]["default"] = 20
    changes = by_key(diff_documents(old, new))
    added = changes[f"{P_} responses.200 $.color added"].location
    assert added == Location(
        "GET", "/v1/items/{id}", "responses", status="200", pointer="/properties/color"
    )
    default = changes[f"{P_} parameters.query.limit default: 10 -> 20"]
    assert default.location == Location(
        "GET",
        "/v1/items/{id}",
        "parameters",
        name="limit",
        param_in="query",
        pointer="",
        attribute="default",
    )
    assert default.as_json()["location"] == {
        "method": "GET",
        "path": "/v1/items/{id}",
        "section": "parameters",
        "name": "limit",
        "param_in": "query",
        "pointer": "",
        "attribute": "default",
    }


def test_a_change_made_elsewhere_needs_no_location() -> None:
    """The proxy builds Changes from its findings: same fields as before, no location."""
    change = Change(key="op where: detail", kind="type-changed", severity=Severity.BREAKING)
    assert change.location is None
    assert "location" not in change.as_json()
    # equality and ordering stay by the recorded fields
    located = Change("k", "type-changed", Severity.BREAKING, location=Location("GET", "/x"))
    assert located == Change("k", "type-changed", Severity.BREAKING)
