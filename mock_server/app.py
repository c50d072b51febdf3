"""The ASGI application: routing, faults, auth, rate limit, validation, then the handler.

Order of checks for an API request (each step answers in HubSpot's shape and stops):
404/405 (route) -> injected fault (before anything changes) -> 401 (token) -> 429 (rate limit)
-> 403 (scopes) -> 400 (query/path) -> 415/413/400 (body) -> handler (400 for semantic
problems) -> optional "lost response" fault (after the change was made).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from mock_server import errors
from mock_server.clock import correlation_id as new_correlation_id
from mock_server.clock import iso_now
from mock_server.config import MockConfig
from mock_server.errors import ApiError
from mock_server.faults import FaultInjector
from mock_server.fixtures import FixtureError, load_fixtures, parse_fixtures
from mock_server.handlers import Handlers, Request
from mock_server.ratelimit import RateLimiter
from mock_server.routing import Router
from mock_server.spec import Operation, pinned_spec
from mock_server.store import Store
from mock_server.validation import OperationValidator

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Headers = list[tuple[bytes, bytes]]

log = logging.getLogger("mock_server")

CONTENT_TYPE_JSON = (b"content-type", b"application/json;charset=utf-8")
CONTENT_TYPE_HTML = (b"content-type", b"text/html; charset=utf-8")
HOOK_PREFIX = "/_mock/"

_HTML_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>{status} {reason}</title></head>"
    "<body><h1>{status} {reason}</h1><p>The upstream server did not answer in time.</p>"
    "<hr><address>hubspot-mock-proxy</address></body></html>\n"
)
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
    content_type: tuple[bytes, bytes] = CONTENT_TYPE_JSON


class _Drop(Exception):
    """Internal signal: close the connection without an answer."""


class _ClientGone(Exception):
    """Internal signal: the client disconnected; there is nobody to answer."""


class MockApp:
    """One mock server: spec-driven routing and validation over its own in-memory state."""

    def __init__(self, config: MockConfig | None = None) -> None:
        self.config = config or MockConfig()
        self.spec = pinned_spec()
        self.router = Router(self.spec.operations.values())
        self.validators = {oid: OperationValidator(op) for oid, op in self.spec.operations.items()}
        self.initial_fixtures = load_fixtures(self.config.fixtures, self.spec)
        self.store = Store(self.initial_fixtures)
        self.handlers = Handlers(self.store, self.config)
        self.limiter = RateLimiter(self.config.rate_limit) if self.config.rate_limit else None
        self.faults = (
            FaultInjector(self.config.faults, self.config.seed) if self.config.faults else None
        )
        self.request_count = 0
        self._granted: dict[tuple[str, str], bool] = {}

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
        try:
            response = await self._serve(scope, receive, correlation_id, extra)
        except ApiError as exc:
            response = Response(exc.status, exc.body(correlation_id), exc.headers)
        except _Drop:
            await _drop_connection(send)
            return
        except _ClientGone:
            return
        except Exception:
            log.exception("mock_server: internal error (correlationId %s)", correlation_id)
            err = errors.internal_error()
            response = Response(err.status, err.body(correlation_id))
        headers = [
            response.content_type,
            (b"content-length", str(len(response.body)).encode()),
            (b"x-hubspot-correlation-id", correlation_id.encode()),
            *extra,
            *response.headers,
        ]
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": response.body})

    async def _serve(
        self, scope: Scope, receive: Receive, correlation_id: str, extra: Headers
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
        self.request_count += 1
        started = iso_now()

        draw = self.faults.draw() if self.faults is not None else None
        if draw is not None and draw.before is not None:
            if draw.before == "latency":
                await asyncio.sleep(self.config.faults.latency_ms / 1000)  # type: ignore[union-attr]
            else:
                return self._fault(draw.before, correlation_id)

        token = _bearer_token(scope["headers"])
        scopes = self.config.tokens.get(token) if token is not None else None
        if token is None or scopes is None:
            raise errors.unauthorized()
        if self.limiter is not None:
            decision = self.limiter.check(token)
            extra.extend(decision.headers)
            if not decision.allowed:
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
            return self._fault(draw.after, correlation_id)
        return Response(status, payload)

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
                break
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

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
            page = _HTML_PAGE.format(status=502, reason="Bad Gateway").encode()
            return Response(502, page, content_type=CONTENT_TYPE_HTML)
        status, category, message = _FAULT_ERRORS[kind]
        return Response(status, ApiError(status, category, message).body(correlation_id))

    # -- test hooks --------------------------------------------------------------------------
    async def _hook(self, method: str, path: str, scope: Scope, receive: Receive) -> Response:
        name = path[len(HOOK_PREFIX) :]
        allowed = {"reset": ("POST",), "fixtures": ("GET", "POST"), "state": ("GET",)}
        if name not in allowed:
            raise errors.not_found(method, path)
        if method not in allowed[name]:
            raise errors.method_not_allowed(method, allowed[name])
        if name == "reset":
            self.reset()
            return Response(200, orjson.dumps({"status": "reset"}))
        if name == "state":
            with self.store.lock:
                state = self.store.dump()
            state["requestCount"] = self.request_count
            state["faultDraws"] = self.faults.count if self.faults is not None else 0
            return Response(200, orjson.dumps(state))
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

    def reset(self) -> None:
        """Forget every status, restore the configured fixtures, restart limits and faults."""
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


async def _drop_connection(send: Send) -> None:
    """Close the connection without an answer, as far as the server lets an app do that."""
    owner = getattr(send, "__self__", None)
    transport = getattr(owner, "transport", None)
    if transport is not None and hasattr(transport, "abort"):
        # uvicorn: abort the socket; nothing at all reaches the client.
        transport.abort()
        await asyncio.sleep(0)  # let the server notice the disconnect before we return
        return
    if type(owner).__module__.startswith("granian"):
        # granian answers 500 for an app that fails before responding; the closest it allows
        # is a response cut off after its first byte.
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


def create_app(config: MockConfig | None = None) -> MockApp:
    """A new ASGI 3 application with its own in-memory state."""
    return MockApp(config)
