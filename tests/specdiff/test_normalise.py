"""Normalisation: what must NOT show as a change, and the upstream oddities tolerated."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from commprefs_kit.specdiff import SpecError, diff_documents, load_document

Doc = dict[str, Any]
G_ = "GET /v1/items/{id}"


def get_op(d: Doc) -> Doc:
    return d["paths"]["/v1/items/{id}"]["get"]


def test_noise_is_ignored(base_doc: Callable[[], Doc]) -> None:
    old, new = base_doc(), base_doc()
    new["openapi"] = "3.0.1"  # patch level
    new["info"] = {"title": "Other", "version": "2", "description": "x"}
    new["tags"] = [{"name": "Items", "description": "the items"}]
    op = get_op(new)
    op.update(summary="Get", description="Gets one", externalDocs={"url": "https://x"})
    op["x-hubspot-product-tier-requirements"] = {"marketing": "STARTER"}
    op["parameters"][0].update(description="page size", style="form", explode=True, example=None)
    item = new["components"]["schemas"]["Item"]
    item.update(description="An item", example=None, title="Item")
    item["properties"]["name"].update(description="its name", example="x", readOnly=True)
    op["responses"]["200"]["description"] = "changed"
    assert diff_documents(old, new) == []


def test_inline_and_referenced_definitions_compare_by_content(
    base_doc: Callable[[], Doc],
) -> None:
    old, new = base_doc(), base_doc()
    comps = new["components"]
    path_item = new["paths"]["/v1/items/{id}"]
    path_item["parameters"] = [comps["parameters"]["id"]]  # components/parameters inlined
    get_op(new)["responses"]["default"] = comps["responses"]["Error"]  # components/responses
    get_op(new)["parameters"][1]["schema"] = {"type": "string", "enum": ["SMS", "EMAIL"]}
    comps["schemas"]["Item"]["properties"]["channel"] = {"type": "string", "enum": ["EMAIL", "SMS"]}
    # a response whose $ref points to another $ref
    comps["responses"]["Alias"] = {"$ref": "#/components/responses/Error"}
    new["paths"]["/v1/items"]["post"]["responses"]["default"] = {
        "description": "sibling keys of a $ref are ignored",
        "$ref": "#/components/responses/Alias",
    }
    assert diff_documents(old, new) == []


def test_path_parameter_names_and_version_segments_are_normalised(
    base_doc: Callable[[], Doc],
) -> None:
    old, new = base_doc(), base_doc()
    new["paths"] = {
        "/v2/items/{itemId}": new["paths"]["/v1/items/{id}"],
        "/v2/items": new["paths"]["/v1/items"],
    }
    new["components"]["parameters"]["id"]["name"] = "itemId"
    keys = [c.key for c in diff_documents(old, new)]
    assert keys == [
        "GET /v2/items/{itemId} parameters.path.itemId name: id -> itemId",
        "paths version: [v1] -> [v2]",
    ]
    exact = {c.key for c in diff_documents(old, new, match_versions=False)}
    assert "GET /v1/items/{id} removed" in exact and "GET /v2/items/{itemId} added" in exact


def test_server_base_path_is_part_of_the_operation_path(base_doc: Callable[[], Doc]) -> None:
    """Ballerina's copy puts `/communication-preferences/v4` in the server URL."""
    old, new = base_doc(), base_doc()
    new["servers"] = [{"url": "https://api.example.com/v1"}]
    new["paths"] = {p.removeprefix("/v1"): v for p, v in new["paths"].items()}
    assert diff_documents(old, new) == []


def test_explicit_error_status_is_compared_with_the_default_that_covered_it(
    base_doc: Callable[[], Doc],
) -> None:
    old, new = base_doc(), base_doc()
    responses = get_op(new)["responses"]
    responses["404"] = {"$ref": "#/components/responses/Error"}
    assert diff_documents(old, new) == []  # declared explicitly, same content: no change
    responses["4XX"] = {
        "description": "client errors",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"message": {"type": "string"}, "status": {"type": "string"}},
                }
            }
        },
    }
    assert [c.key for c in diff_documents(old, new)] == [
        f"{G_} responses.4XX $.message required: true -> false",
        f"{G_} responses.4XX $.status added",
    ]


def test_a_new_2xx_is_never_compared_with_default(base_doc: Callable[[], Doc]) -> None:
    old, new = base_doc(), base_doc()
    get_op(new)["responses"]["207"] = get_op(new)["responses"]["200"]
    assert [c.key for c in diff_documents(old, new)] == [f"{G_} responses.207 added"]


def test_status_codes_and_media_types_are_normalised(base_doc: Callable[[], Doc]) -> None:
    old, new = base_doc(), base_doc()
    get_op(old)["responses"]["4xx"] = {"$ref": "#/components/responses/Error"}
    get_op(new)["responses"]["4XX"] = {"$ref": "#/components/responses/Error"}
    ok = get_op(new)["responses"]["200"]
    ok["content"] = {"application/json; charset=utf-8": ok["content"]["application/json"]}
    assert diff_documents(old, new) == []


def test_missing_operation_ids_are_tolerated(base_doc: Callable[[], Doc]) -> None:
    old, new = base_doc(), base_doc()
    del get_op(old)["operationId"]
    del get_op(new)["operationId"]
    assert diff_documents(old, new) == []
    get_op(new)["operationId"] = "get_item"
    assert [c.key for c in diff_documents(old, new)] == [f"{G_} operationId: none -> get_item"]


def test_cyclic_schemas_terminate(base_doc: Callable[[], Doc]) -> None:
    old, new = base_doc(), base_doc()
    for doc in (old, new):
        doc["components"]["schemas"]["Node"] = {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
                "parent": {"allOf": [{"$ref": "#/components/schemas/Node"}], "nullable": True},
            },
        }
        doc["components"]["schemas"]["Item"]["properties"]["tree"] = {
            "$ref": "#/components/schemas/Node"
        }
        doc["components"]["schemas"]["Loop"] = {"allOf": [{"$ref": "#/components/schemas/Loop"}]}
        doc["components"]["schemas"]["Item"]["properties"]["loop"] = {
            "$ref": "#/components/schemas/Loop"
        }
    new["components"]["schemas"]["Node"]["properties"]["name"]["format"] = "email"
    keys = [c.key for c in diff_documents(old, new)]
    # reported where the cycle is first entered (and once through the nullable parent)
    assert keys == [
        f"{G_} responses.200 $.tree.name format: none -> email",
        f"{G_} responses.200 $.tree.parent.name format: none -> email",
    ]


def test_upstream_oddities_parse(tmp_path: Path, base_doc: Callable[[], Doc]) -> None:
    """YAML with unquoted integer status codes, `example: null`, `*/*`, 3.1-style types."""
    doc = base_doc()
    get_op(doc)["responses"] = {
        200: get_op(doc)["responses"]["200"],
        "default": {"description": "", "content": {"*/*": {"schema": {}, "example": None}}},
    }
    doc["components"]["schemas"]["Item"]["properties"]["note"] = {"type": ["string", "null"]}
    path = tmp_path / "odd.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    keys = {c.key for c in diff_documents(base_doc(), path)}
    assert f"{G_} responses.200 $.note nullable: false -> true" in keys
    assert f"{G_} responses.default content: application/json -> */*" in keys


def test_documents_load_from_json_yaml_and_mappings(
    tmp_path: Path, base_doc: Callable[[], Doc]
) -> None:
    (tmp_path / "a.json").write_text(json.dumps(base_doc()), encoding="utf-8")
    (tmp_path / "b.yml").write_text(yaml.safe_dump(base_doc()), encoding="utf-8")
    (tmp_path / "c.txt").write_text(json.dumps(base_doc()), encoding="utf-8")
    assert diff_documents(tmp_path / "a.json", str(tmp_path / "b.yml")) == []
    assert diff_documents(load_document(tmp_path / "c.txt"), base_doc()) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("openapi: [", "not valid JSON or YAML"),
        ("- just\n- a list\n", "top level is not a mapping"),
        ("swagger: '2.0'\npaths: {}\n", "Swagger 2.0 is not supported"),
        ("openapi: 3.0.3\ninfo: {}\n", "no 'paths' mapping"),
        ("title: not a spec\n", "not an OpenAPI 3.x document"),
    ],
)
def test_invalid_documents_raise_one_line_errors(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SpecError, match=message) as caught:
        load_document(path)
    assert "\n" not in str(caught.value) and str(path) in str(caught.value)


def test_missing_file_and_external_refs_raise(tmp_path: Path, base_doc: Callable[[], Doc]) -> None:
    with pytest.raises(SpecError, match="no such file"):
        load_document(tmp_path / "missing.yaml")
    new = base_doc()
    new["components"]["schemas"]["Item"]["properties"]["note"] = {"$ref": "other.yaml#/Note"}
    with pytest.raises(
        SpecError, match=re.escape("external $ref 'other.yaml#/Note' is not supported")
    ):
        diff_documents(base_doc(), new)
    new = base_doc()
    get_op(new)["responses"]["default"] = {"$ref": "#/components/responses/Nope"}
    with pytest.raises(
        SpecError, match=re.escape("unresolvable $ref '#/components/responses/Nope'")
    ):
        diff_documents(base_doc(), new)
