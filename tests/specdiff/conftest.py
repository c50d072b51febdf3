"""Fixtures for the spec-diff tests: a small hand-made document and the reference data."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from commprefs_kit import paths

UPSTREAM_DIR = paths.SHARED_REFERENCE_DIR / "upstream"

Doc = dict[str, Any]

_ITEM_RESPONSE = {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}

BASE: Doc = {
    "openapi": "3.0.3",
    "info": {"title": "Items", "version": "1"},
    "servers": [{"url": "https://api.example.com"}],
    "paths": {
        "/v1/items/{id}": {
            "parameters": [{"$ref": "#/components/parameters/id"}],
            "get": {
                "operationId": "get_item",
                "tags": ["Items"],
                "parameters": [
                    {
                        "name": "limit",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "format": "int32", "default": 10},
                    },
                    {
                        "name": "channel",
                        "in": "query",
                        "required": True,
                        "schema": {"$ref": "#/components/schemas/Channel"},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "the item",
                        "headers": {"X-Id": {"schema": {"type": "string"}}},
                        "links": {"self": {"operationId": "get_item"}},
                        "content": _ITEM_RESPONSE,
                    },
                    "default": {"$ref": "#/components/responses/Error"},
                },
                "security": [{"oauth2": ["read"]}],
            },
        },
        "/v1/items": {
            "post": {
                "operationId": "create_item",
                "tags": ["Items"],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/ItemInput"}}
                    },
                },
                "responses": {
                    "200": {
                        "description": "created",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"id": {"type": "integer", "format": "int64"}},
                                }
                            }
                        },
                    },
                    "default": {"$ref": "#/components/responses/Error"},
                },
                "security": [{"oauth2": ["write"]}],
            }
        },
    },
    "components": {
        "parameters": {
            "id": {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
        },
        "responses": {
            "Error": {
                "description": "an error",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
        },
        "securitySchemes": {
            "oauth2": {
                "type": "oauth2",
                "flows": {
                    "authorizationCode": {
                        "authorizationUrl": "https://auth.example.com/authorize",
                        "tokenUrl": "https://auth.example.com/token",
                        "scopes": {"read": "", "write": ""},
                    }
                },
            }
        },
        "schemas": {
            "Channel": {"type": "string", "enum": ["EMAIL", "SMS"]},
            "Item": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {
                    "id": {"type": "integer", "format": "int64"},
                    "name": {"type": "string"},
                    "channel": {"$ref": "#/components/schemas/Channel"},
                    "count": {"type": "integer", "format": "int32"},
                    "created": {"type": "string", "format": "date"},
                    "note": {"type": "string"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "meta": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            },
            "ItemInput": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "maxLength": 100},
                    "channel": {"$ref": "#/components/schemas/Channel"},
                    "size": {"type": "integer", "format": "int32"},
                    "email": {"type": "string"},
                    "data": {},
                    "extra": {"type": "object"},
                    "choice": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
                },
            },
            "Error": {
                "type": "object",
                "required": ["message"],
                "properties": {"message": {"type": "string"}},
            },
        },
    },
}


@pytest.fixture
def base_doc() -> Callable[[], Doc]:
    """A factory: each call gives a fresh deep copy of the small reference document."""
    return lambda: copy.deepcopy(BASE)


@pytest.fixture
def upstream_dir() -> Path:
    if not UPSTREAM_DIR.is_dir():
        pytest.skip(f"reference data absent ({UPSTREAM_DIR})")
    return UPSTREAM_DIR
