"""Which server the contract suite talks to, with which token, and whether it answers at all.

One switch: without a base URL the suite runs against an ASGI app in-process (the mock by
default, or any `module:factory`); with one, against whatever serves that URL (the mock over
HTTP, Prism, Steady, or HubSpot itself). The same settings travel as environment variables, so
`pytest contract_tests` and `scripts/contract` read them alike.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from commprefs_kit.contract.asgi import SyncASGITransport
from commprefs_spec import Spec, load_spec, pinned_spec

ENV_BASE_URL = "COMMPREFS_BASE_URL"
ENV_TOKEN = "HUBSPOT_ACCESS_TOKEN"
ENV_APP = "COMMPREFS_CONTRACT_APP"
# Another revision of the OpenAPI document to judge the server by (scripts/contract --spec).
ENV_SPEC = "COMMPREFS_SPEC"
DEFAULT_APP = "mock_server:create_app"
# The mock's built-in token with every scope (see mock_server/README.md).
DEFAULT_TOKEN = "test-token"
IN_PROCESS_BASE_URL = "http://mock.local"
TOKEN_PLACEHOLDER = "$HUBSPOT_ACCESS_TOKEN"


class TargetError(Exception):
    """The target cannot be used; the message is one line meant for the user."""


@dataclass(frozen=True)
class Target:
    base_url: str | None
    token: str
    app_spec: str = DEFAULT_APP
    token_from_env: bool = False
    #: The OpenAPI document the server is judged by; None = the pinned spec.
    spec_path: Path | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Target:
        env = os.environ if environ is None else environ
        base_url = (env.get(ENV_BASE_URL) or "").strip() or None
        token = env.get(ENV_TOKEN) or ""
        return cls(
            base_url=normalize_base_url(base_url) if base_url else None,
            token=token or DEFAULT_TOKEN,
            app_spec=(env.get(ENV_APP) or "").strip() or DEFAULT_APP,
            token_from_env=bool(token),
            spec_path=Path(env[ENV_SPEC]) if env.get(ENV_SPEC) else None,
        )

    @property
    def spec(self) -> Spec:
        """The spec the server is judged by (SpecError when --spec cannot be read)."""
        return pinned_spec() if self.spec_path is None else load_spec(self.spec_path)

    @property
    def in_process(self) -> bool:
        return self.base_url is None

    @property
    def label(self) -> str:
        return self.base_url or f"in-process ASGI app ({self.app_spec})"

    @property
    def url(self) -> str:
        """Where requests go: the base URL, or a placeholder host for the in-process app."""
        return self.base_url or IN_PROCESS_BASE_URL

    def redact(self, text: str) -> str:
        return redact(text, self.token)


def write_refusal(base_url: str | None, *, read_only: bool, allow_writes: bool) -> str | None:
    """Why the suite must not run against ``base_url`` as asked (None when it may).

    The suite writes: it unsubscribes generated addresses from all email and changes statuses.
    Only the in-process mock is known to be this project's mock; any server behind a URL (even
    the mock served by `scripts/mock`, which cannot be told from HubSpot without sending a
    request) needs the user to choose. Decided before any request is sent.
    """
    if base_url is None or read_only or allow_writes:
        return None
    return (
        f"{base_url} is not the in-process mock and the suite writes (it unsubscribes generated "
        "addresses from all email): add --read-only to run only the operations that change "
        "nothing (safe on any portal), or --allow-writes for a test portal or a mock"
    )


def normalize_base_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise TargetError(f"invalid base URL {value!r}: expected http(s)://host[:port]")
    return value.rstrip("/")


def redact(text: str, token: str) -> str:
    """Replace the token wherever it appears; tokens shorter than 4 characters are left alone,
    since replacing them would mangle ordinary text (the mock's test token is longer)."""
    if len(token) < 4:
        return text
    return text.replace(token, TOKEN_PLACEHOLDER)


def load_app_factory(spec: str) -> Any:
    """Import `module:attribute` or `path/to/file.py:attribute`; the attribute is an app
    factory or an ASGI app."""
    module_name, _, attribute = spec.rpartition(":")
    if not module_name or not attribute:
        raise TargetError(f"invalid app {spec!r}: expected module:factory or file.py:factory")
    try:
        if module_name.endswith(".py"):
            module = _import_file(Path(module_name))
        else:
            module = importlib.import_module(module_name)
        return getattr(module, attribute)
    except (ImportError, AttributeError, OSError) as exc:
        raise TargetError(f"cannot load the app {spec!r}: {exc}") from None


def _import_file(path: Path) -> Any:
    name = f"commprefs_contract_app_{path.stem}"
    loaded = sys.modules.get(name)
    if loaded is not None:
        return loaded
    spec = importlib.util.spec_from_file_location(name, path.resolve())
    if spec is None or spec.loader is None:
        raise ImportError(f"{path} is not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def build_app(spec: str, spec_path: Path | None = None) -> Any:
    """A fresh ASGI app from `module:factory` (each mock app has its own state); the mock serves
    `spec_path` when given (another revision of the document)."""
    factory = load_app_factory(spec)
    # A factory takes no arguments (mock_server.create_app has only optional ones);
    # an ASGI app takes three. Call only the former.
    if _is_asgi_app(factory):
        return factory
    if spec_path is not None and spec == DEFAULT_APP:
        from mock_server import MockConfig  # the mock is only needed in-process

        return factory(MockConfig(spec=spec_path))
    return factory()


def _is_asgi_app(obj: Any) -> bool:
    import inspect

    if not callable(obj):
        return False
    try:
        parameters = inspect.signature(obj).parameters
    except (TypeError, ValueError):
        return False
    required = [p for p in parameters.values() if p.default is inspect.Parameter.empty]
    return len(required) == 3


def http_client(target: Target, app: Any | None = None, *, timeout: float = 30.0) -> httpx.Client:
    """A plain httpx client for `target` (in-process when `app` is given), token included."""
    headers = {"Authorization": f"Bearer {target.token}"}
    if target.in_process:
        if app is None:
            raise TargetError("an in-process target needs an app")
        return httpx.Client(
            base_url=IN_PROCESS_BASE_URL,
            transport=SyncASGITransport(app),
            headers=headers,
            timeout=timeout,
        )
    return httpx.Client(base_url=target.url, headers=headers, timeout=timeout)


# Plain `pytest contract_tests` against COMMPREFS_BASE_URL: writes need this set to 1 (what
# `scripts/contract --allow-writes` sets). `scripts/contract --read-only` sets the second one
# while its test selection (runner.ReadOnlyPlugin) is active.
ENV_ALLOW_WRITES = "COMMPREFS_ALLOW_WRITES"
ENV_READ_ONLY_RUN = "COMMPREFS_READ_ONLY_RUN"


def preflight(target: Target, app: Any | None = None) -> None:
    """Raise `TargetError` (one line, token-free) when the target is unreachable or rejects
    the token, or when it is a server behind a URL and nobody chose whether the suite may
    write there (checked first: then nothing is sent)."""
    if not target.in_process and not (
        os.environ.get(ENV_ALLOW_WRITES) == "1" or os.environ.get(ENV_READ_ONLY_RUN) == "1"
    ):
        raise TargetError(
            f"{target.label} is not the in-process mock and the suite writes (it unsubscribes "
            f"generated addresses from all email): set {ENV_ALLOW_WRITES}=1 for a test portal "
            "or a mock, or run `scripts/contract --read-only` (only operations that change "
            "nothing)"
        )
    definitions = definitions_path(target)
    try:
        with http_client(target, app, timeout=10.0) as client:
            response = client.get(definitions)
    except httpx.ConnectError as exc:
        raise TargetError(f"cannot reach {target.label}: {_reason(exc)}") from None
    except httpx.TimeoutException:
        raise TargetError(f"{target.label} did not answer within 10 s") from None
    except httpx.HTTPError as exc:
        raise TargetError(f"request to {target.label} failed: {_reason(exc)}") from None
    if response.status_code == 401:
        source = f"the token in ${ENV_TOKEN}" if target.token_from_env else "the mock's test token"
        raise TargetError(
            f"{target.label} rejected {source} (401 on GET {definitions}): "
            f"set {ENV_TOKEN} to a valid access token"
        )
    if response.status_code == 404:
        raise TargetError(
            f"{target.label} does not serve {definitions} (404): is the base URL right?"
        )


def definitions_path(target: Target) -> str:
    """The cheap read every check starts with: get_definitions' path in the judged spec."""
    return target.spec.operation("get_definitions").path


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0]


@dataclass(frozen=True)
class Known:
    """Ids the target knows, so that schema-valid requests can name real things."""

    subscription_ids: tuple[int, ...]
    business_units: tuple[int, ...]


def discover(target: Target, app: Any | None = None) -> Known:
    """Active subscription types and business units the target's definitions list names.

    The default unit 0 is always included. Ids that are not whole numbers (a stateless mock's
    placeholder "string") are skipped: they could never be a valid `subscriptionId`.
    """
    ids: set[int] = set()
    units: set[int] = {0}
    try:
        with http_client(target, app, timeout=10.0) as client:
            response = client.get(definitions_path(target))
        payload = response.json() if response.status_code == 200 else {}
    except (httpx.HTTPError, ValueError):
        payload = {}
    results = payload.get("results") if isinstance(payload, dict) else None
    for item in results if isinstance(results, list) else []:
        if not isinstance(item, dict) or item.get("isActive") is False:
            continue
        raw_id = item.get("id")
        if isinstance(raw_id, str) and raw_id.isdigit():
            ids.add(int(raw_id))
        unit = item.get("businessUnitId")
        if isinstance(unit, int) and not isinstance(unit, bool) and unit >= 0:
            units.add(unit)
    return Known(subscription_ids=tuple(sorted(ids)), business_units=tuple(sorted(units)))
