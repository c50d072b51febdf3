"""The recorded upstream revision: found locally only when its sha256 matches, fetched by URL into
the cache, a mismatch refused; the deviation test skips with the command that fetches it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from commprefs_kit.update_spec import upstream_copy
from commprefs_kit.update_spec.source import Fetched
from commprefs_kit.update_spec.upstream_copy import Pin, UpstreamCopyError

DOCUMENT = b'{"openapi": "3.0.1", "paths": {}}'
SHA = hashlib.sha256(DOCUMENT).hexdigest()


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("COMMPREFS_CACHE", str(folder))
    return folder


def test_the_deviations_file_names_a_url_and_a_sha256() -> None:
    pin = upstream_copy.read_pin()
    assert pin.url.startswith("https://") and len(pin.sha256) == 64


def test_download_checks_the_sha256_and_caches(
    monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    pin = Pin(url="https://example.test/subscriptions.json", sha256=SHA)
    monkeypatch.setattr(upstream_copy, "fetch", lambda url: Fetched(label=url, data=DOCUMENT))
    path = upstream_copy.download(pin)
    assert path == cache / f"{SHA}.json" and path.read_bytes() == DOCUMENT
    assert upstream_copy.local_copy(pin, reference=Path("/nonexistent")) == path


def test_a_different_document_is_refused_and_not_cached(
    monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    pin = Pin(url="https://example.test/subscriptions.json", sha256=SHA)
    monkeypatch.setattr(upstream_copy, "fetch", lambda url: Fetched(label=url, data=b"{}"))
    with pytest.raises(UpstreamCopyError, match="not the revision"):
        upstream_copy.download(pin)
    assert not pin.cached.exists()


def test_a_local_file_with_another_sha256_does_not_count(tmp_path: Path) -> None:
    other = tmp_path / "subscriptions.json"
    other.write_bytes(b"{}")
    assert upstream_copy.local_copy(Pin(url="x", sha256=SHA), reference=other) is None


def test_offline_fetch_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(upstream_copy, "local_copy", lambda pin: None)

    def offline(url: str) -> Fetched:
        raise upstream_copy.SourceError("network unreachable")

    monkeypatch.setattr(upstream_copy, "fetch", offline)
    assert upstream_copy.main([]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "network unreachable" in err[0]
