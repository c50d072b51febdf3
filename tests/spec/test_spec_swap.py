"""A candidate revision of the spec is served by the mock and judged by the contract suite with
no code change: routing (another version prefix), validation (a new enum value), scopes (an extra
scope), and responses (a new optional field). What cannot adapt by design, a new operation's
semantics, is refused with a clear message."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from commprefs_kit import paths
from commprefs_spec import load_spec, pinned_spec
from mock_server import MockConfig, create_app
from mock_server.app import SpecNotServable
from mock_server.process import serve_in_subprocess
from tests.spec import spec_variants as v

CHANGE = {"channel": "EMAIL", "statusState": "SUBSCRIBED", "subscriptionId": 100001}


@pytest.fixture
def variant(tmp_path: Path) -> Path:
    return v.write(v.next_version(), tmp_path / "candidate-2026-09.yaml")


def test_the_spec_model_reads_the_variant(variant: Path) -> None:
    spec = load_spec(variant)
    assert spec.prefix == v.NEW_PREFIX and pinned_spec().prefix == v.OLD_PREFIX
    assert v.NEW_SCOPE in spec.scopes and v.NEW_SCOPE not in pinned_spec().scopes
    assert v.NEW_LEGAL_BASIS in spec.enum_values("LegalBasis")
    assert spec.match("GET", f"{v.NEW_PREFIX}/definitions") is not None
    assert spec.match("GET", f"{v.OLD_PREFIX}/definitions") is None


@pytest.fixture
async def client(variant: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(MockConfig(spec=variant, tokens=None, require_legal_basis=True))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as c:
        c.headers["Authorization"] = "Bearer test-token"
        yield c


async def test_the_mock_routes_validates_and_scopes_by_the_variant(
    client: httpx.AsyncClient,
) -> None:
    # Routing: the new prefix is served, the old one is not.
    assert (await client.get(f"{v.NEW_PREFIX}/definitions")).status_code == 200
    assert (await client.get(f"{v.OLD_PREFIX}/definitions")).status_code == 404
    # Validation: the new enum value is accepted, and comes back in the answer.
    body = {**CHANGE, "legalBasis": v.NEW_LEGAL_BASIS, "legalBasisExplanation": "new purpose"}
    r = await client.post(f"{v.NEW_PREFIX}/statuses/ann@example.com", json=body)
    assert r.status_code == 200, r.text
    assert r.json()["results"][0]["legalBasis"] == v.NEW_LEGAL_BASIS
    wrong = {**body, "legalBasis": "NOT_A_BASIS"}
    assert (
        await client.post(f"{v.NEW_PREFIX}/statuses/ann@example.com", json=wrong)
    ).status_code == 400


async def test_the_extra_scope_is_enforced(variant: Path) -> None:
    old_scopes = pinned_spec().scopes
    app = create_app(MockConfig(spec=variant, tokens={"old": old_scopes}))
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": "Bearer old"}
    async with httpx.AsyncClient(transport=transport, base_url="http://m", headers=headers) as c:
        refused = await c.get(f"{v.NEW_PREFIX}/definitions")
        allowed = await c.get(
            f"{v.NEW_PREFIX}/statuses/ann@example.com", params={"channel": "EMAIL"}
        )
    assert refused.status_code == 403
    assert v.NEW_SCOPE in refused.json()["errors"][0]["context"]["requiredScopes"]
    assert allowed.status_code == 200


def test_the_pinned_mock_refuses_the_new_enum_value() -> None:
    """The adaptation above comes from the variant, not from a lax mock."""
    import asyncio

    async def send() -> int:
        app = create_app(MockConfig(require_legal_basis=True))
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": "Bearer test-token"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://m", headers=headers
        ) as c:
            body = {**CHANGE, "legalBasis": v.NEW_LEGAL_BASIS, "legalBasisExplanation": "x"}
            r = await c.post(f"{v.OLD_PREFIX}/statuses/ann@example.com", json=body)
            return r.status_code

    assert asyncio.run(send()) == 400


def test_a_new_operation_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    spec = v.write(v.with_new_operation(v.next_version()), tmp_path / "with-new-op.yaml")
    with pytest.raises(SpecNotServable, match=r"no behaviour for: get_preference_groups\."):
        create_app(MockConfig(spec=spec))
    proc = subprocess.run(
        [sys.executable, "-m", "mock_server", "--port", "9", "--spec", str(spec)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "get_preference_groups" in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr


def _contract(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "commprefs_kit.contract", *args],
        cwd=paths.ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@pytest.mark.slow
def test_the_server_side_suite_runs_against_the_served_variant(
    variant: Path, tmp_path: Path
) -> None:
    with serve_in_subprocess("--spec", str(variant), "--no-access-log") as mock:
        assert f"API under {v.NEW_PREFIX}" in mock.output()
        result = _contract(
            "--spec",
            str(variant),
            "--base-url",
            mock.url,
            "--allow-writes",  # it is our mock
            "--examples",
            "5",
            "--report",
            str(tmp_path / "report.md"),
            "--junit",
            str(tmp_path / "junit.xml"),
        )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "server-side suites only" in output
    report = (tmp_path / "report.md").read_text()
    assert v.NEW_PREFIX in report or "get_definitions" in report


def test_a_bad_spec_file_is_one_line_for_both_verbs(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: 3.0.3\npaths: [not, a, mapping\n")
    contract = _contract("--spec", str(broken), "--allow-writes")
    assert contract.returncode == 2 and "Traceback" not in contract.stderr + contract.stdout
    assert "broken.yaml" in contract.stderr + contract.stdout
    mock = subprocess.run(
        [sys.executable, "-m", "mock_server", "--port", "9", "--spec", str(broken)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert mock.returncode == 2 and "broken.yaml" in mock.stderr and "Traceback" not in mock.stderr
