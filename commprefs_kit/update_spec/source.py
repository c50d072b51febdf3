"""Getting the new document: read a file or fetch a URL, parse it, validate it.

Nothing here writes anywhere: a fetch failure or an invalid document stops the update
before any file of the repository is touched.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson
import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from referencing.exceptions import Unresolvable

from commprefs_kit import paths

FETCH_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
MAX_BYTES = 20 * 1024 * 1024  # an OpenAPI document of one API is far smaller


class SourceError(Exception):
    """The new document could not be had or is not a valid OpenAPI document."""


@dataclass(frozen=True)
class Fetched:
    label: str  # what the user gave (path or URL)
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def is_url(text: str) -> bool:
    return urlsplit(text).scheme in ("http", "https")


def fetch(source: str, client: httpx.Client | None = None) -> Fetched:
    """The bytes of `source`, a path or an http(s) URL."""
    if is_url(source):
        return Fetched(source, _download(source, client))
    path = paths.user_path(source)
    try:
        if path.is_dir():
            raise SourceError(f"{source}: is a folder, not an OpenAPI document")
        return Fetched(source, path.read_bytes())
    except FileNotFoundError:
        raise SourceError(f"{source}: no such file") from None
    except OSError as exc:
        raise SourceError(f"{source}: cannot read: {exc.strerror or exc}") from None


def _download(url: str, client: httpx.Client | None) -> bytes:
    own = client is None
    http = client or httpx.Client(timeout=FETCH_TIMEOUT, follow_redirects=True)
    try:
        response = http.get(url)
    except httpx.TimeoutException:
        raise SourceError(f"{url}: no answer within {FETCH_TIMEOUT.read:.0f} s") from None
    except httpx.HTTPError as exc:
        raise SourceError(f"{url}: could not fetch: {type(exc).__name__}: {exc}") from None
    finally:
        if own:
            http.close()
    if response.status_code != 200:
        raise SourceError(f"{url}: HTTP {response.status_code} {response.reason_phrase}")
    if len(response.content) > MAX_BYTES:
        raise SourceError(f"{url}: {len(response.content)} bytes is too large for a spec")
    return response.content


def parse(fetched: Fetched) -> dict[str, Any]:
    """JSON or YAML; the top level must be a mapping."""
    try:
        text = fetched.data.decode("utf-8")
    except UnicodeDecodeError:
        raise SourceError(f"{fetched.label}: not UTF-8 text") from None
    document: Any
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError:
        try:
            document = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 1})" if mark else ""
            raise SourceError(f"{fetched.label}: not valid JSON or YAML{where}") from None
    if not isinstance(document, dict):
        raise SourceError(f"{fetched.label}: not an OpenAPI document (no mapping at the top)")
    return document


def validate_document(document: dict[str, Any], label: str) -> None:
    """openapi-spec-validator's verdict, as one readable line."""
    version = str(document.get("openapi", ""))
    if not version.startswith("3."):
        raise SourceError(f"{label}: not an OpenAPI 3.x document (openapi: {version or 'missing'})")
    try:
        validate(document)
    except OpenAPIValidationError as exc:
        where = exc.json_path if exc.absolute_path else "$"
        message = exc.message if len(exc.message) < 300 else exc.message[:300] + "..."
        raise SourceError(f"{label}: invalid OpenAPI at {where}: {message}") from None
    except Unresolvable as exc:
        ref = getattr(exc, "ref", "?")
        raise SourceError(f"{label}: invalid OpenAPI: $ref to {ref!r} points nowhere") from None
    except Exception as exc:  # the validator's other failures (unknown version, odd values)
        text = str(exc)[:300]
        raise SourceError(f"{label}: invalid OpenAPI: {type(exc).__name__}: {text}") from None


def load_valid(source: str, client: httpx.Client | None = None) -> tuple[Fetched, dict[str, Any]]:
    fetched = fetch(source, client)
    document = parse(fetched)
    validate_document(document, fetched.label)
    return fetched, document
