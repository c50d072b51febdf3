"""The ASGI application: routing, faults, auth, rate limit, validation, then the handler.

Order of checks for an API request (each step answers in HubSpot's shape and stops):
404/405 (route) -> queued answer (``POST /_mock/queue``) -> ``Prefer: code=NNN`` ->
injected fault (before anything changes) -> 401 (token) -> 429 (rate limit) -> 403 (scopes)
-> 400 (query/path) -> 415/413/400 (body) -> handler (400 for semantic problems) -> optional
"lost response" fault (after the change was made). Each request then writes one access-log
line when the log is on (mock_server/README.md).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import stat
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from commprefs_spec.model import Operation, Spec, SpecError, load_spec, pinned_spec
from mock_server import answers, errors
from mock_server.accesslog import AccessLog, authorization_secret, logged_target, open_destination
from mock_server.answers import Answer
from mock_server.clock import correlation_id as new_correlation_id
from mock_server.clock import iso_now
from mock_server.config import DEFAULT_TOKEN, MockConfig
from mock_server.errors import ApiError
from mock_server.faults import FaultInjector
from mock_server.fixtures import FixtureError, load_fixtures, parse_fixtures
from mock_server.handlers import Handlers, Request
from mock_server.ratelimit import RateLimiter
from mock_server.store import Store
from mock_server.validation import OperationValidator

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Headers = list[tuple[bytes, bytes]]

log = logging.getLogger("mock_server")

CONTENT_TYPE_JSON = errors.CONTENT_TYPE_JSON
CONTENT_TYPE_HTML = errors.CONTENT_TYPE_HTML
HOOK_PREFIX = "/_mock/"
HOOKS = {
    "reset": ("POST",),
    "fixtures": ("GET", "POST"),
    "state": ("GET",),
    "queue": ("GET", "POST", "DELETE"),
}
PREFER_SOURCE = "answer requested with Prefer: code={code}"
QUEUE_SOURCE = "answer queued with POST /_mock/queue"
# At most this many errors[] entries are quoted in an access-log line.
_LOGGED_DETAILS = 3
_FAULT_ERRORS = {
    "500": (500, "INTERNAL_ERROR", "internal error"),
    "502": (502, "BAD_GATEWAY", "Bad Gateway: the upstream service failed to answer"),
    "503": (503, "SERVICE_UNAVAILABLE", "Service Unavailable: please retry later"),
}


class ConnectionDropped(httpx.RemoteProtocolError):
    """Raised when a fault drops the connection and the server cannot simply close the socket.

    In-process (httpx.ASGITransport) the client sees it as the same transport error httpx
    raises for a server that disconnects without answering."""


@dataclass
class Response:
    status: int
    body: bytes
    headers: Headers = field(default_factory=list)
    content_type: tuple[bytes, bytes] | None = CONTENT_TYPE_JSON


class _Trace:
    """What the access log says about one request besides its method, path and status."""

    __slots__ = ("operation", "query_names", "reason", "via")

    def __init__(self) -> None:
        self.operation = "-"
        self.query_names: frozenset[str] = frozenset()
        self.via: str | None = None  # how the answer was made: prefer, queue, fault, ...
        self.reason: str | None = None  # why a request was refused


class _Drop(Exception):
    """Internal signal: close the connection without an answer."""


class _ClientGone(Exception):
    """Internal signal: the client disconnected; there is nobody to answer."""


class MockApp:
    """One mock server: spec-driven routing and validation over its own in-memory state."""

    def __init__(self, config: MockConfig | None = None) -> None:
        self.config = config or MockConfig()
        self.spec = served_spec(self.config)
        self.router = self.spec.router
        #: Accepted tokens; by default DEFAULT_TOKEN with every scope the served spec names.
        self.tokens = (
            self.config.tokens
            if self.config.tokens is not None
            else {DEFAULT_TOKEN: self.spec.scopes}
        )
        self.validators = {oid: OperationValidator(op) for oid, op in self.spec.operations.items()}
        self.initial_fixtures = load_fixtures(self.config.fixtures, self.spec)
        self.store = Store(self.initial_fixtures)
        self.handlers = Handlers(self.store, self.config)
        unserved = sorted(set(self.spec.operations) - set(self.handlers.table))
        if unserved:
            raise SpecNotServable(
                f"{self.spec.source} has operation(s) the mock has no behaviour for: "
                f"{', '.join(unserved)}. The mock serves {', '.join(sorted(self.handlers.table))}; "
                "a new operation needs its semantics written in mock_server/handlers.py"
            )
        self.limiter = RateLimiter(self.config.rate_limit) if self.config.rate_limit else None
        self.faults = (
            FaultInjector(self.config.faults, self.config.seed) if self.config.faults else None
        )
        self.request_count = 0
        self._granted: dict[tuple[str, str], bool] = {}
        # Answers queued per operation by POST /_mock/queue, consumed in order.
        self.queue: dict[str, deque[Answer]] = {}
        self._query_names = {
            oid: frozenset(p.name for p in op.parameters if p.location == "query")
            for oid, op in self.spec.operations.items()
        }
        self.access_log = (
            AccessLog(open_destination(self.config.access_log), self.tokens)
            if self.config.access_log
            else None
        )

    # -- ASGI entry --------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await _lifespan(receive, send)
        elif kind == "websocket":
            await send({"type": "websocket.close", "code": 1000})

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        correlation_id = new_correlation_id()
        extra: Headers = []
        trace = _Trace()
        try:
            response = await self._serve(scope, receive, correlation_id, extra, trace)
        except ApiError as exc:
            response = Response(exc.status, exc.body(correlation_id), exc.headers)
            if self.access_log is not None:
                trace.reason = _reason(exc)
        except _Drop:
            if self.access_log is not None:
                self._log(scope, "-", correlation_id, trace)
            await _drop_connection(send, scope)
            return
        except _ClientGone:
            if self.access_log is not None:
                trace.reason = "the client disconnected before sending its whole body"
                self._log(scope, "-", correlation_id, trace)
            return
        except Exception:
            log.exception("mock_server: internal error (correlationId %s)", correlation_id)
            err = errors.internal_error()
            response = Response(err.status, err.body(correlation_id))
            trace.reason = "internal error (see the traceback above)"
        headers = [
            (b"content-length", str(len(response.body)).encode()),
            (b"x-hubspot-correlation-id", correlation_id.encode()),
            *extra,
            *response.headers,
        ]
        if response.content_type is not None:
            headers.insert(0, response.content_type)
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": response.body})
        if self.access_log is not None:
            self._log(scope, str(response.status), correlation_id, trace)

    def _log(self, scope: Scope, status: str, correlation_id: str, trace: _Trace) -> None:
        assert self.access_log is not None
        raw_path = scope.get("raw_path")
        path = raw_path.decode("latin-1") if raw_path else scope["path"]
        fields = [
            iso_now(),
            scope["method"],
            logged_target(path, scope.get("query_string", b""), trace.query_names),
            status,
            trace.operation,
            correlation_id,
        ]
        if trace.via is not None:
            fields.append(f"via={trace.via}")
        if trace.reason is not None:
            fields.append(f"reason={trace.reason!r}")
        self.access_log.write(fields, authorization_secret(scope["headers"]))

    async def _serve(
        self, scope: Scope, receive: Receive, correlation_id: str, extra: Headers, trace: _Trace
    ) -> Response:
        raw_path = scope.get("raw_path")
        path = raw_path.decode("latin-1") if raw_path else scope["path"]
        method = scope["method"]
        if path.startswith(HOOK_PREFIX):
            return await self._hook(method, path, scope, receive)
        match = self.router.match(method, path)
        if match is None:
            raise errors.not_found(method, path)
        op = match.operation
        if op is None:
            raise errors.method_not_allowed(method, match.allowed)
        trace.operation = op.operation_id
        trace.query_names = self._query_names[op.operation_id]
        self.request_count += 1
        started = iso_now()

        # Deterministic answers: a queued one first, else Prefer: code=NNN. Neither changes
        # state; a 2xx JSON answer is simply served as usual.
        answer = self._next_queued(op.operation_id) if self.queue else None
        source = ""
        if answer is not None:
            source = QUEUE_SOURCE
            trace.via = f"queue:{answer.describe().replace(' ', ':')}"
        else:
            code = answers.preferred_code(scope["headers"])
            if code is not None:
                answer = answers.prefer_answer(op, code)
                source = PREFER_SOURCE.format(code=code)
                trace.via = f"prefer:{code}"
        if answer is not None and not answer.served_normally:
            if answer.drop:
                raise _Drop()
            built = answers.build(op, answer, correlation_id, source)
            return Response(built.status, built.body, built.headers, built.content_type)

        draw = self.faults.draw() if self.faults is not None else None
        if draw is not None and draw.before is not None:
            if draw.before == "latency":
                await asyncio.sleep(self.config.faults.latency_ms / 1000)  # type: ignore[union-attr]
            else:
                trace.via = f"fault:{draw.before}"
                return self._fault(draw.before, correlation_id)

        token = _bearer_token(scope["headers"])
        scopes = self.tokens.get(token) if token is not None else None
        if token is None or scopes is None:
            raise errors.unauthorized()
        if self.limiter is not None:
            decision = self.limiter.check(token)
            extra.extend(decision.headers)
            if not decision.allowed:
                trace.reason = decision.message
                return Response(
                    429,
                    errors.rate_limit_body(
                        correlation_id, decision.message, decision.policy_name, str(uuid.uuid4())
                    ),
                    [(b"retry-after", str(decision.retry_after).encode())],
                )
        self._check_scopes(token, scopes, op)

        validator = self.validators[op.operation_id]
        query = validator.query(scope["query_string"])
        path_params = validator.path(match.path_params) if match.path_params else {}
        body = None
        if op.body_schema is not None:
            raw = await self._read_body(scope, receive)
            body = validator.body(raw)
        request = Request(query, path_params, body, started)
        handler = self.handlers.table[op.operation_id]
        with self.store.lock:
            status, payload = handler(self.handlers, request)

        if draw is not None and draw.after is not None:
            trace.via = f"lost-response:{draw.after}"
            return self._fault(draw.after, correlation_id)
        return Response(status, payload)

    def _next_queued(self, operation_id: str) -> Answer | None:
        pending = self.queue.get(operation_id)
        if not pending:
            return None
        answer = pending.popleft()
        if not pending:
            del self.queue[operation_id]
        return answer

    # -- steps -------------------------------------------------------------------------------
    def _check_scopes(self, token: str, scopes: frozenset[str], op: Operation) -> None:
        key = (token, op.operation_id)
        granted = self._granted.get(key)
        if granted is None:
            granted = not op.scope_sets or any(need <= scopes for need in op.scope_sets)
            self._granted[key] = granted
        if not granted:
            required: dict[str, None] = {}
            for need in op.scope_sets:
                required.update(dict.fromkeys(sorted(need)))
            raise errors.missing_scopes(list(required))

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes:
        content_type = ""
        length = None
        for name, value in scope["headers"]:
            if name == b"content-type":
                content_type = value.decode("latin-1")
            elif name == b"content-length":
                length = value
        media = content_type.split(";", 1)[0].strip().lower()
        if media != "application/json":
            raise errors.unsupported_media_type(content_type)
        limit = self.config.max_body_bytes
        if length is not None and length.isdigit() and int(length) > limit:
            raise errors.payload_too_large(limit)
        return await self._read_raw(receive, limit)

    def _fault(self, kind: str, correlation_id: str) -> Response:
        faults = self.config.faults
        assert faults is not None
        if kind == "drop":
            raise _Drop()
        if kind == "429":
            body = errors.rate_limit_body(
                correlation_id,
                "You have reached your ten secondly limit.",
                "TEN_SECONDLY_ROLLING",
                str(uuid.uuid4()),
            )
            return Response(429, body, [(b"retry-after", str(faults.retry_after_seconds).encode())])
        if kind == "html":
            return Response(502, errors.html_page(502).encode(), content_type=CONTENT_TYPE_HTML)
        status, category, message = _FAULT_ERRORS[kind]
        return Response(status, ApiError(status, category, message).body(correlation_id))

    # -- test hooks --------------------------------------------------------------------------
    async def _hook(self, method: str, path: str, scope: Scope, receive: Receive) -> Response:
        name = path[len(HOOK_PREFIX) :]
        if name not in HOOKS:
            raise errors.not_found(method, path)
        if method not in HOOKS[name]:
            raise errors.method_not_allowed(method, HOOKS[name])
        if name == "reset":
            self.reset()
            return Response(200, orjson.dumps({"status": "reset"}))
        if name == "state":
            with self.store.lock:
                state = self.store.dump()
            state["requestCount"] = self.request_count
            state["faultDraws"] = self.faults.count if self.faults is not None else 0
            state["queue"] = self._queue_json()
            return Response(200, orjson.dumps(state))
        if name == "queue":
            return await self._queue_hook(method, scope, receive)
        if method == "GET":
            with self.store.lock:
                units = self.store.dump()["businessUnits"]
            return Response(
                200,
                orjson.dumps(
                    {"businessUnits": [{"id": int(u), "definitions": d} for u, d in units.items()]}
                ),
            )
        raw = await self._read_body(scope, receive)
        try:
            fixtures = parse_fixtures(orjson.loads(raw), self.spec)
        except orjson.JSONDecodeError as exc:
            raise errors.validation_error(f"Fixtures are not valid JSON: {exc.msg}") from None
        except FixtureError as exc:
            raise errors.validation_error(str(exc)) from None
        self.load(fixtures)
        count = sum(len(defs) for defs in fixtures.units.values())
        return Response(
            200, orjson.dumps({"businessUnits": len(fixtures.units), "definitions": count})
        )

    async def _queue_hook(self, method: str, scope: Scope, receive: Receive) -> Response:
        if method == "GET":
            return Response(200, orjson.dumps({"queue": self._queue_json()}))
        if method == "DELETE":
            cleared = sum(len(pending) for pending in self.queue.values())
            self.queue.clear()
            return Response(200, orjson.dumps({"cleared": cleared}))
        # Any content type is read as JSON: a hook is a test's tool, not HubSpot's API.
        raw = await self._read_raw(receive, self.config.max_body_bytes)
        operation_id, queued = answers.parse_queue(raw, self.spec.operations)
        self.queue.setdefault(operation_id, deque()).extend(queued)
        pending = [a.to_json() for a in self.queue[operation_id]]
        return Response(200, orjson.dumps({"operationId": operation_id, "queued": pending}))

    def _queue_json(self) -> dict[str, list[dict[str, Any]]]:
        return {oid: [a.to_json() for a in pending] for oid, pending in self.queue.items()}

    async def _read_raw(self, receive: Receive, limit: int) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _ClientGone()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise errors.payload_too_large(limit)
            chunks.append(chunk)
            if not message.get("more_body", False):
                return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def reset(self) -> None:
        """Forget every status, restore the configured fixtures, restart limits and faults,
        clear the answer queue."""
        self.queue.clear()
        self.load(self.initial_fixtures)
        if self.limiter is not None:
            self.limiter.reset()
        if self.faults is not None:
            self.faults.reset()
        self.request_count = 0

    def load(self, fixtures: Any) -> None:
        with self.store.lock:
            self.store.replace(fixtures)
            self.handlers.forget_cache()


def _bearer_token(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            token = token.strip()
            if scheme.lower() == "bearer" and token:
                return token
            return None
    return None


def _reason(exc: ApiError) -> str:
    """An error's message and its first ``errors[]`` entries, for the access log."""
    parts = [exc.message]
    for entry in exc.errors[:_LOGGED_DETAILS]:
        text = str(entry["message"])
        if text in exc.message:
            continue
        where = entry.get("in")
        parts.append(f"{where}: {text}" if where else text)
    if len(exc.errors) > _LOGGED_DETAILS:
        parts.append(f"(+{len(exc.errors) - _LOGGED_DETAILS} more)")
    return "; ".join(dict.fromkeys(parts))


def _fd_dir() -> str | None:
    for candidate in ("/proc/self/fd", "/dev/fd"):
        if os.path.isdir(candidate):
            return candidate
    return None


def _shutdown_client_socket(scope: Scope) -> bool:
    """Shut down this process's TCP socket connected to the request's client; True if found.

    granian gives an ASGI app no way to close its connection, so the socket is found among
    the process's open descriptors by its two addresses (client and server, from the ASGI
    scope) and shut down: the client receives no byte, as from a server that vanished.
    """
    client, server = scope.get("client"), scope.get("server")
    folder = _fd_dir()
    if not client or not server or folder is None:
        return False
    try:
        want_peer = (str(client[0]), int(client[1]))
        want_port = int(server[1])
        names = os.listdir(folder)
    except (OSError, TypeError, ValueError):
        return False
    for name in names:
        try:
            fd = int(name)
            if not stat.S_ISSOCK(os.fstat(fd).st_mode):
                continue
            sock = socket.socket(fileno=os.dup(fd))
        except (OSError, ValueError):
            continue
        with sock:
            try:
                if sock.family not in (socket.AF_INET, socket.AF_INET6):
                    continue
                peer = sock.getpeername()
                if (peer[0], peer[1]) == want_peer and sock.getsockname()[1] == want_port:
                    sock.shutdown(socket.SHUT_RDWR)
                    return True
            except OSError:
                continue
    return False


async def _drop_connection(send: Send, scope: Scope) -> None:
    """Close the connection without an answer, as far as the server lets an app do that."""
    owner = getattr(send, "__self__", None)
    transport = getattr(owner, "transport", None)
    if transport is not None and hasattr(transport, "abort"):
        # uvicorn: abort the socket; nothing at all reaches the client.
        transport.abort()
        await asyncio.sleep(0)  # let the server notice the disconnect before we return
        return
    if type(owner).__module__.startswith("granian"):
        if _shutdown_client_socket(scope):
            # Nothing reaches the client; this answer only ends the request inside granian.
            await send({"type": "http.response.start", "status": 500, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        # Fallback (no descriptor listing on this system): granian answers 500 for an app
        # that fails before responding; the closest it allows is a response cut off after
        # its first byte.
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [CONTENT_TYPE_JSON, (b"content-length", b"4096")],
            }
        )
        await send({"type": "http.response.body", "body": b"{", "more_body": True})
    raise ConnectionDropped("mock_server dropped the connection (injected fault)")


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


class SpecNotServable(SpecError):
    """The spec to serve has an operation the mock has no behaviour for."""


def served_spec(config: MockConfig) -> Spec:
    """The spec the mock serves: the pinned one, or ``config.spec`` (SpecError if unreadable)."""
    return pinned_spec() if config.spec is None else load_spec(config.spec)


def create_app(config: MockConfig | None = None) -> MockApp:
    """A new ASGI 3 application with its own in-memory state."""
    return MockApp(config)
