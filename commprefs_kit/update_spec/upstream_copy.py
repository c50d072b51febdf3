"""HubSpot's published document at the revision openapi/deviations.yaml names: fetched by URL,
checked against the recorded sha256, and cached outside the repository.

The deviation test (pinned spec vs upstream, except recorded deviations) needs that document.
A checkout beside the project's reference data reads it there; anywhere else (a user's fork, its
CI) `scripts/fetch-upstream` downloads it once into the cache, and the test finds it there.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from commprefs_kit import paths
from commprefs_kit.update_spec.source import SourceError, fetch

FETCH_COMMAND = "scripts/fetch-upstream"


class UpstreamCopyError(Exception):
    """The recorded revision cannot be had or does not match its sha256; one line for the user."""


@dataclass(frozen=True)
class Pin:
    """The upstream revision the deviations are recorded against."""

    url: str
    sha256: str

    @property
    def cached(self) -> Path:
        return cache_dir() / f"{self.sha256}.json"


def cache_dir() -> Path:
    """``$COMMPREFS_CACHE`` or ``$XDG_CACHE_HOME/commprefs-kit`` (``~/.cache/commprefs-kit``)."""
    explicit = os.environ.get("COMMPREFS_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "commprefs-kit" / "upstream"


def read_pin(deviations: Path = paths.DEVIATIONS_PATH) -> Pin:
    try:
        data: Any = yaml.safe_load(deviations.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise UpstreamCopyError(f"cannot read {deviations}: {exc}") from None
    url = data.get("upstream_url") if isinstance(data, dict) else None
    sha = data.get("upstream_sha256") if isinstance(data, dict) else None
    if not isinstance(url, str) or not isinstance(sha, str):
        raise UpstreamCopyError(f"{deviations} names no upstream_url and upstream_sha256")
    return Pin(url=url, sha256=sha)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def local_copy(pin: Pin, reference: Path = paths.UPSTREAM_2026_03) -> Path | None:
    """The recorded revision on this machine: the reference data first, then the cache; only a
    file whose sha256 matches counts."""
    for candidate in (reference, pin.cached):
        if candidate.is_file() and _sha256(candidate.read_bytes()) == pin.sha256:
            return candidate
    return None


def download(pin: Pin) -> Path:
    """Fetch the recorded revision into the cache (refusing a sha256 mismatch); its path."""
    try:
        fetched = fetch(pin.url)
    except SourceError as exc:
        raise UpstreamCopyError(f"cannot fetch {pin.url}: {exc}") from None
    actual = _sha256(fetched.data)
    if actual != pin.sha256:
        raise UpstreamCopyError(
            f"{pin.url} has sha256 {actual}, openapi/deviations.yaml records {pin.sha256}: "
            "not the revision the deviations were recorded against; nothing was cached"
        )
    pin.cached.parent.mkdir(parents=True, exist_ok=True)
    temporary = pin.cached.with_suffix(".part")
    temporary.write_bytes(fetched.data)
    temporary.replace(pin.cached)
    return pin.cached


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=FETCH_COMMAND,
        description="Fetch HubSpot's published document at the revision openapi/deviations.yaml "
        "records (checked against its sha256) into the cache the deviation test reads.",
    )
    parser.parse_args(argv)
    try:
        pin = read_pin()
        found = local_copy(pin)
        path = found if found is not None else download(pin)
    except UpstreamCopyError as exc:
        print(f"{FETCH_COMMAND}: error: {exc}", file=sys.stderr)
        return 2
    print(f"upstream document (sha256 {pin.sha256[:12]}): {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
