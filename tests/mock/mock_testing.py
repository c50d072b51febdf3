"""Helpers shared by the mock server's tests (imported by conftest.py and the tests)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
import jsonschema_rs
import orjson

from commprefs_spec.model import Spec
from commprefs_spec.routing import Router

BASE = "/communication-preferences/2026-03"
AUTH = {"Authorization": "Bearer test-token"}
EMAIL = {"channel": "EMAIL"}
UNIT0 = [100001, 100002, 100003, 100004, 100005]  # default fixtures, business unit 0
UNIT1 = [200001, 200002]


def _validator(schema: dict[str, Any]) -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for(schema, validate_formats=True)


@dataclass
class SpecChecker:
    """Checks a response against what the spec declares for its operation."""

    spec: Spec
    router: Router
    checked: int = 0
    _cache: dict[tuple[str, str, str], jsonschema_rs.Validator] = field(default_factory=dict)

    def check(
        self, method: str, raw_path: str, status: int, content_type: str, body: bytes
    ) -> None:
        if raw_path.startswith("/_mock/"):
            return
        media = content_type.split(";", 1)[0].strip().lower()
        match = self.router.match(method, raw_path)
        if match is None or match.operation is None:
            # Outside every operation (404/405): still HubSpot's Error body.
            assert 400 <= status < 500, (status, raw_path)
            assert media == "application/json"
            schema = self.spec.component("Error")
            key = ("-", "-", "Error")
        else:
            op = match.operation
            declared = str(status) if str(status) in op.responses else f"{str(status)[0]}XX"
            assert declared in op.responses, f"{op.operation_id} does not declare {status}"
            contents = op.responses[declared]
            assert media in contents, f"{op.operation_id} {status}: undeclared {media}"
            schema = contents[media]
            key = (op.operation_id, declared, media)
        if media == "application/json":
            validator = self._cache.get(key) or self._cache.setdefault(key, _validator(schema))
            instance = orjson.loads(body)
            errors = [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(instance)]
            assert not errors, f"{method} {raw_path} -> {status} breaks the spec: {errors}"
            if status >= 400 and status != 429:
                assert instance["status"] == "error"
        self.checked += 1


def checking_hook(checker: SpecChecker) -> Callable[[httpx.Response], Any]:
    async def hook(response: httpx.Response) -> None:
        await response.aread()
        request = response.request
        raw_path = request.url.raw_path.decode().split("?", 1)[0]
        checker.check(
            request.method,
            raw_path,
            response.status_code,
            response.headers.get("content-type", ""),
            response.content,
        )

    return hook


async def state(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("http://mock/_mock/state")
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


def path_of(url: str) -> str:
    return urlsplit(url).path
