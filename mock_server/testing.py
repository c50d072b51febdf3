"""The mock inside a test process: what the pytest plugin (mock_server/pytest_plugin.py) is
made of, usable without it (mock_server/README.md, "In your own tests").

- ``InProcessTransport``: an httpx transport serving sync and async clients from the ASGI app,
  with no socket.
- ``CommPrefsMock``: one fresh mock (app, state, helpers to read and seed it, clients wired to
  it).
- ``serve_in_thread``: the same app served over HTTP on 127.0.0.1 (uvicorn in a thread), and
  ``ServedMock``, what a test gets from it.
- ``mock_config``: a ``MockConfig`` from the plugin marker's options.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import anyio.from_thread
import httpx
from hubspot_communication_preferences import AuthenticatedClient, make_client
from hubspot_communication_preferences.lib.testing import RecordedWaits

from mock_server import semantics as sem
from mock_server.app import MockApp, create_app
from mock_server.clock import iso_now
from mock_server.config import ALL_SCOPES, DEFAULT_TOKEN, Faults, MockConfig, RateLimit

#: Base URL of the in-process clients: any host works (nothing is resolved or dialled), and
#: ``.test`` is reserved for testing, so a request can never reach a real host by mistake.
IN_PROCESS_BASE_URL = "http://commprefs-mock.test"
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*$")
_STARTUP_SECONDS = 30.0


# -- the in-process transport ------------------------------------------------------------------
class InProcessTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Serves sync and async httpx clients from an ASGI app in this process, with no socket.

    Async requests go through ``httpx.ASGITransport`` as they are. ``httpx.ASGITransport`` is
    async only, so a sync request is handed to the same transport running on an event loop in a
    helper thread (anyio's blocking portal, the mechanism Starlette's TestClient uses). Written
    here rather than taken from a2wsgi (ASGI -> WSGI, then ``httpx.WSGITransport``): a2wsgi
    builds the ASGI scope without ``raw_path`` (the mock routes on the raw, percent-encoded path)
    and turns an exception from the app into a 500 page, while the mock's dropped connection
    must reach the client as the transport error it is. Here both paths build the scope the same
    way and an exception from the app is raised to the caller.
    """

    def __init__(self, app: Any) -> None:
        self._asgi = httpx.ASGITransport(app=app)
        self._portal_lock = threading.Lock()
        self._portal: anyio.from_thread.BlockingPortal | None = None
        self._stack = ExitStack()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._asgi.handle_async_request(request)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()  # a sync body (e.g. a generator) becomes bytes the async side can send
        status, headers, raw, extensions = self._portal_call(self._send_and_read, request)
        return httpx.Response(
            status, headers=headers, stream=httpx.ByteStream(raw), extensions=extensions
        )

    async def _send_and_read(
        self, request: httpx.Request
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes, dict[str, Any]]:
        response = await self._asgi.handle_async_request(request)
        try:
            # The raw bytes: decoding (if any content-encoding) is left to the client, as for
            # any transport.
            raw = b"".join([chunk async for chunk in response.aiter_raw()])
        finally:
            await response.aclose()
        return response.status_code, response.headers.raw, raw, dict(response.extensions)

    def _portal_call(self, func: Callable[..., Any], *args: Any) -> Any:
        with self._portal_lock:
            if self._portal is None:
                self._portal = self._stack.enter_context(anyio.from_thread.start_blocking_portal())
            portal = self._portal
        return portal.call(func, *args)

    def close(self) -> None:
        """Stop the helper thread (if a sync request started it)."""
        with self._portal_lock:
            self._portal = None
            self._stack.close()

    async def aclose(self) -> None:
        await self._asgi.aclose()


# -- the mock and its state ----------------------------------------------------------------------
class CommPrefsMock:
    """One in-process mock: ``app`` (the ASGI app), its state, and what a test does with it.

    Reads and hooks go through the mock's own test hooks (``/_mock/...``, the same ones a served
    mock offers); ``set_status`` and ``opt_out_of_all`` arrange state directly in the store, so
    seeding is neither rate limited nor hit by injected faults.
    """

    def __init__(self, config: MockConfig) -> None:
        self.config = config
        self.app: MockApp = create_app(config)
        self.transport = InProcessTransport(self.app)
        #: Waits the plugin's clients asked for between retries (they do not sleep).
        self.retry_waits = RecordedWaits()
        self._hooks = httpx.Client(transport=self.transport, base_url=IN_PROCESS_BASE_URL)

    # -- tokens and clients ------------------------------------------------------------------
    @property
    def token(self) -> str:
        """The token the plugin's clients send: ``test-token``, or the first configured one."""
        tokens = self.config.tokens
        if tokens is None or DEFAULT_TOKEN in tokens:
            return DEFAULT_TOKEN
        return next(iter(tokens))

    def make_client(self, token: str | None = None, **options: Any) -> AuthenticatedClient:
        """``make_client`` wired to this mock in-process; ``options`` go to ``make_client``.

        Retries record their waits in ``retry_waits`` instead of sleeping unless ``retry=`` is
        given (``retry=None`` sends every request once)."""
        options.setdefault("retry", self.retry_waits.policy())
        options.setdefault("base_url", IN_PROCESS_BASE_URL)
        return make_client(
            self.token if token is None else token, transport=self.transport, **options
        )

    # -- looking at state ----------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """``GET /_mock/state``: businessUnits (definitions), subscribers (statuses, wide
        opt-outs), requestCount, faultDraws, queue."""
        return self._hook("GET", "state")

    def subscriber(self, email: str) -> dict[str, Any] | None:
        """What the mock keeps for one contact (any spelling of the address), or None."""
        found: dict[str, Any] | None = self.state()["subscribers"].get(sem.subscriber_key(email))
        return found

    def status(self, email: str, subscription_id: int | str) -> str:
        """A contact's status for one subscription (``NOT_SPECIFIED`` when never set)."""
        entry = self.subscriber(email) or {}
        record = entry.get("statuses", {}).get(str(subscription_id))
        return str(record["status"]) if record else sem.NOT_SPECIFIED

    def opted_out_of_all(self, email: str, business_unit_id: int = 0) -> bool:
        """Whether the contact is unsubscribed from all email in that business unit."""
        entry = self.subscriber(email) or {}
        return str(business_unit_id) in entry.get("wideStatuses", {})

    @property
    def request_count(self) -> int:
        """API requests the mock received (test hooks not counted)."""
        return int(self.state()["requestCount"])

    def definitions(self, business_unit_id: int = 0) -> list[dict[str, Any]]:
        """The subscription definitions of one business unit, as the API serves them."""
        units = self._hook("GET", "fixtures")["businessUnits"]
        for unit in units:
            if unit["id"] == business_unit_id:
                return list(unit["definitions"])
        return []

    # -- seeding state ---------------------------------------------------------------------------
    def load_fixtures(self, fixtures: Mapping[str, Any]) -> dict[str, Any]:
        """``POST /_mock/fixtures``: replace the definitions (format in mock_server/README.md);
        every status is forgotten."""
        return self._hook("POST", "fixtures", json=fixtures)

    def set_status(
        self,
        email: str,
        subscription_id: int | str,
        status: str,
        *,
        legal_basis: str | None = None,
        legal_basis_explanation: str | None = None,
    ) -> None:
        """Record a contact's status for one subscription, as an API write would."""
        store = self.app.store
        with store.lock:
            definition = store.fixtures.by_id.get(int(subscription_id))
            if definition is None:
                raise KeyError(f"no subscription definition {subscription_id} in the fixtures")
            store.write(
                sem.subscriber_key(email),
                definition,
                status,
                legal_basis,
                legal_basis_explanation,
                iso_now(),
            )

    def opt_out_of_all(self, email: str, business_unit_id: int = 0) -> None:
        """Unsubscribe a contact from all email of a business unit, as unsubscribe-all would."""
        store = self.app.store
        with store.lock:
            if business_unit_id not in store.fixtures.units:
                raise KeyError(f"no business unit {business_unit_id} in the fixtures")
            store.unsubscribe_all(
                sem.subscriber_key(email), business_unit_id, iso_now(), details=False
            )

    def queue(self, operation_id: str, *answers: Mapping[str, Any]) -> list[dict[str, Any]]:
        """``POST /_mock/queue``: the next answers of one operation, in order, e.g.
        ``queue("get_definitions", {"status": 429, "retryAfter": 0}, {"drop": True})``."""
        body = {"operationId": operation_id, "answers": list(answers)}
        queued: list[dict[str, Any]] = self._hook("POST", "queue", json=body)["queued"]
        return queued

    def reset(self) -> None:
        """``POST /_mock/reset``: statuses forgotten; fixtures, limits, faults, queue restored."""
        self._hook("POST", "reset")

    def _hook(self, method: str, name: str, **kwargs: Any) -> dict[str, Any]:
        response = self._hooks.request(method, f"/_mock/{name}", **kwargs)
        if response.status_code != 200:
            raise AssertionError(f"{method} /_mock/{name}: {response.status_code} {response.text}")
        result: dict[str, Any] = response.json()
        return result

    def close(self) -> None:
        self._hooks.close()
        self.transport.close()


class ServedMock:
    """A ``CommPrefsMock``'s app served over HTTP on 127.0.0.1 (uvicorn in a thread)."""

    def __init__(self, mock: CommPrefsMock, url: str, port: int) -> None:
        self.mock = mock
        self.url = url  # the base URL make_client and --base-url take: scheme, host, port
        self.port = port

    def make_client(self, token: str | None = None, **options: Any) -> AuthenticatedClient:
        """``make_client`` over real HTTP to this server (retry waits recorded, as in-process)."""
        options.setdefault("retry", self.mock.retry_waits.policy())
        return make_client(
            self.mock.token if token is None else token, base_url=self.url, **options
        )


@contextmanager
def serve_in_thread(app: MockApp) -> Iterator[tuple[str, int]]:
    import uvicorn  # only when a test asks for a served mock

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))  # the OS picks a free port; no other process can take it now
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, lifespan="off", access_log=False, log_level="warning")
    )
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="commprefs-mock-server", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + _STARTUP_SECONDS
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("mock_server.testing: uvicorn did not start")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}", port
    finally:
        server.should_exit = True
        thread.join(_STARTUP_SECONDS)
        sock.close()


# -- configuration from markers ------------------------------------------------------------------
def _rate_limit(value: Any) -> RateLimit | None:
    if value is None or isinstance(value, RateLimit):
        return value
    found = _RATE.match(str(value))
    if not found:
        raise ValueError(
            f"commprefs_mock(rate_limit={value!r}): expected 'N/SECONDS' (e.g. '100/10') "
            "or a RateLimit"
        )
    return RateLimit(max_requests=int(found.group(1)), interval_seconds=float(found.group(2)))


def _faults(value: Any) -> Faults | None:
    if value is None or isinstance(value, Faults):
        return value
    if isinstance(value, Mapping):
        options = dict(value)
        if "kinds" in options:
            kinds = options["kinds"]
            options["kinds"] = tuple(kinds.split(",") if isinstance(kinds, str) else kinds)
        return Faults(**options)
    raise ValueError(
        f"commprefs_mock(faults={value!r}): expected a Faults or a mapping of its fields"
    )


def _tokens(value: Any) -> Mapping[str, frozenset[str]] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return {value: ALL_SCOPES}
    if isinstance(value, Mapping):
        return {
            str(token): ALL_SCOPES if scopes is None else frozenset(_scopes(scopes))
            for token, scopes in value.items()
        }
    raise ValueError(
        f"commprefs_mock(tokens={value!r}): expected a token or a mapping token -> scopes"
    )


def _scopes(scopes: str | Iterable[str]) -> Iterable[str]:
    return scopes.split(",") if isinstance(scopes, str) else scopes


def mock_config(options: Mapping[str, Any], tmp_dir: Path | None = None) -> MockConfig:
    """A ``MockConfig`` from the marker's keywords: ``MockConfig``'s fields, where
    ``rate_limit`` may be ``"N/SECONDS"``, ``faults`` a mapping of ``Faults``' fields,
    ``tokens`` a token or a mapping token -> scopes (None: every scope), and ``fixtures`` a
    path or the fixtures themselves (a mapping, written to ``tmp_dir``)."""
    fields = set(MockConfig.__dataclass_fields__)
    unknown = sorted(set(options) - fields)
    if unknown:
        raise ValueError(
            f"commprefs_mock: unknown option(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(fields))}"
        )
    values = dict(options)
    if "rate_limit" in values:
        values["rate_limit"] = _rate_limit(values["rate_limit"])
    if "faults" in values:
        values["faults"] = _faults(values["faults"])
    if "tokens" in values:
        values["tokens"] = _tokens(values["tokens"])
    fixtures = values.get("fixtures")
    if isinstance(fixtures, Mapping):
        if tmp_dir is None:
            raise ValueError("commprefs_mock(fixtures={...}) needs a folder to write to")
        path = tmp_dir / "commprefs-fixtures.json"
        path.write_text(json.dumps(fixtures), encoding="utf-8")
        values["fixtures"] = path
    elif fixtures is not None:
        values["fixtures"] = Path(fixtures)
    return MockConfig(**values)


def close_client(client: AuthenticatedClient) -> None:
    """Close a client's sync httpx client if it made one (the async one needs no closing:
    its transport holds no connection)."""
    sync_client = client._client
    if sync_client is not None:
        sync_client.close()
