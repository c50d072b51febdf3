"""Reading SOURCE: URLs through httpx with clear errors, and only valid OpenAPI documents."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from commprefs_kit import paths
from commprefs_kit.update_spec import source
from commprefs_kit.update_spec.source import SourceError

HISTORY_DIR = paths.SHARED_REFERENCE_DIR / "upstream" / "2026-03-history"


def test_a_url_is_fetched(serve: Callable[[str, bytes], str]) -> None:
    data = paths.SPEC_PATH.read_bytes()
    fetched, document = source.load_valid(serve("spec.yaml", data))
    assert fetched.data == data
    assert document["info"]["version"] == "2026-03"


def test_nothing_listening_is_a_clear_error() -> None:
    with pytest.raises(SourceError, match=r"http://127\.0\.0\.1:9/none: could not fetch"):
        source.fetch("http://127.0.0.1:9/none")


def test_http_error_status_is_a_clear_error(serve: Callable[[str, bytes], str]) -> None:
    url = serve("present.json", b"{}").replace("present.json", "absent.json")
    with pytest.raises(SourceError, match="HTTP 404"):
        source.fetch(url)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("openapi: 3.0.3\ninfo: [unclosed", "not valid JSON or YAML"),
        ("- just\n- a list\n", "no mapping at the top"),
        ('{"swagger": "2.0", "paths": {}}', "not an OpenAPI 3.x document"),
        ("openapi: 3.0.3\ninfo: {title: t, version: '1'}\n", "invalid OpenAPI"),  # no paths
        (
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n"
            "      responses:\n        '200': {$ref: '#/components/responses/Nope'}\n",
            "points nowhere",
        ),
    ],
)
def test_invalid_documents_are_refused(tmp_path: Path, text: str, message: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    with pytest.raises(SourceError, match=message):
        source.load_valid(str(bad))


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        source.fetch(str(tmp_path / "nope.json"))
    with pytest.raises(SourceError, match="is a folder"):
        source.fetch(str(tmp_path))


@pytest.mark.parametrize(
    ("revision", "message"),
    [
        ("083-20260615T110036-04f343b836.json", "PublicStatusBulkResponse' points nowhere"),
        ("010-20260409T140443-de3ce9485d.json", "components.securitySchemes.oauth2"),
    ],
)
def test_real_invalid_upstream_revisions_are_refused(
    upstream_dir: Path, revision: str, message: str
) -> None:
    # HubSpot published these: a dangling $ref, and an oauth2 flow without scopes.
    with pytest.raises(SourceError, match=message):
        source.load_valid(str(HISTORY_DIR / revision))


def test_relative_paths_are_the_callers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "new.yaml").write_bytes(paths.SPEC_PATH.read_bytes())
    monkeypatch.chdir(tmp_path)
    assert source.fetch("new.yaml").data == paths.SPEC_PATH.read_bytes()
