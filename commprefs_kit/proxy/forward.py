"""Forwarding: send a request upstream unchanged, over pooled keep-alive connections.

The request keeps its method, raw (percent-encoded) path, query, headers (the token too) and
body; only hop-by-hop headers (RFC 9110 section 7.6.1) are dropped and ``Host`` names the
upstream. The answer is passed on as received (a compressed body stays compressed); it is
read whole, since it is judged, and `Answer.decoded` is the body the judge reads.

Requests go over httpcore's HTTP/1.1 connections (the engine under httpx.AsyncClient): the
client's own layers (URL merging, redirects, auth, cookies, event hooks, response decoding)
have nothing to do in a proxy and doubled the per-request cost on this project's 2-core
machine. The connections are kept in a small free list (`Connections`) rather than in
httpcore's AsyncConnectionPool, whose single lock and per-event scan of all requests cut
throughput from 780 to 435 requests/s at 16 concurrent requests here, where the free list
gives 1,250 (benchmarks/README.md, "proxy overhead"). An injected httpx transport (tests: an
in-process upstream through httpx.ASGITransport) is used as is.
Failures to get an answer become `UpstreamFailure` with HubSpot's error body, never an
exception for the server to turn into a traceback.
"""

from __future__ import annotations

import asyncio
import ssl
import uuid
import zlib
from dataclasses import dataclass

import httpcore
import httpx
import orjson

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)
_RESPONSE_DROP = HOP_BY_HOP
KEEPALIVE_S = 5.0  # idle connections older than this are not reused (servers close them)


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def decoded(self) -> bytes:
        """The body without its content-encoding (gzip and deflate; others stay as sent)."""
        encoding = ""
        for name, value in self.headers:
            if name == "content-encoding":
                encoding = value.strip().lower()
        if encoding in ("gzip", "x-gzip", "deflate"):
            try:
                # wbits 47: zlib or gzip header, detected (zlib manual, "decompressobj").
                return zlib.decompress(self.body, 47)
            except zlib.error:
                try:
                    return zlib.decompress(self.body, -15)  # raw deflate
                except zlib.error:
                    return self.body
        return self.body


@dataclass
class UpstreamFailure:
    """No answer from the upstream: what the proxy answers instead, and the finding kind."""

    kind: str  # upstream-unreachable / upstream-timeout
    reason: str
    answer: Answer


def hubspot_error(
    status: int, category: str, message: str, errors: list[dict[str, str]] | None = None
) -> Answer:
    """An answer with HubSpot's error body (mock_server/README.md, "errors")."""
    cid = str(uuid.uuid4())
    body: dict[str, object] = {
        "status": "error",
        "message": message,
        "correlationId": cid,
        "category": category,
    }
    if errors:
        body["errors"] = errors
    return Answer(
        status,
        [
            ("content-type", "application/json;charset=utf-8"),
            ("x-hubspot-correlation-id", cid),
        ],
        orjson.dumps(body),
    )


class Connections:
    """Keep-alive connections to one origin: take an idle one (most recent first) or open a
    new one, at most ``limit`` in use; a connection goes back only if it can take another
    request (httpcore says so)."""

    def __init__(
        self, origin: httpcore.Origin, ssl_context: ssl.SSLContext | None, limit: int
    ) -> None:
        self._origin = origin
        self._ssl = ssl_context
        self._idle: list[httpcore.AsyncHTTPConnection] = []
        self._slots = asyncio.Semaphore(limit)

    async def _take(self) -> tuple[httpcore.AsyncHTTPConnection, bool]:
        while self._idle:
            connection = self._idle.pop()
            if connection.is_available() and not connection.has_expired():
                return connection, True
            await connection.aclose()
        return self._new(), False

    def _new(self) -> httpcore.AsyncHTTPConnection:
        return httpcore.AsyncHTTPConnection(
            origin=self._origin, ssl_context=self._ssl, keepalive_expiry=KEEPALIVE_S
        )

    async def request(
        self, request: httpcore.Request
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        async with self._slots:
            connection, reused = await self._take()
            try:
                return await self._exchange(connection, request)
            except (httpcore.RemoteProtocolError, httpcore.ReadError):
                if not reused or request.method not in (b"GET", b"HEAD"):
                    raise
                # The upstream closed an idle connection as it was reused; a read is safe to
                # send again, once, on a new connection.
                connection = self._new()
                return await self._exchange(connection, request)

    async def _exchange(
        self, connection: httpcore.AsyncHTTPConnection, request: httpcore.Request
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        try:
            response = await connection.handle_async_request(request)
            try:
                chunks = [chunk async for chunk in response.stream]  # type: ignore[union-attr]
            finally:
                await response.aclose()
        except BaseException:
            await connection.aclose()
            raise
        if connection.is_available():
            self._idle.append(connection)
        else:
            await connection.aclose()
        return response.status, list(response.headers), b"".join(chunks)

    async def aclose(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.aclose()


class Forwarder:
    def __init__(
        self,
        upstream: str,
        *,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        max_connections: int = 100,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.upstream = httpx.URL(upstream.rstrip("/"))
        self._prefix = self.upstream.raw_path.rstrip(b"/")
        self._host_header = self.upstream.netloc
        self._scheme = self.upstream.raw_scheme
        self._host = self.upstream.raw_host
        self._port = self.upstream.port or (443 if self._scheme == b"https" else 80)
        self._timeout = {
            "connect": connect_timeout,
            "read": timeout,
            "write": timeout,
            "pool": timeout,
        }
        self.transport = transport
        self.pool = (
            None
            if transport is not None
            else Connections(
                httpcore.Origin(self._scheme, self._host, self._port),
                ssl.create_default_context() if self._scheme == b"https" else None,
                max_connections,
            )
        )

    async def aclose(self) -> None:
        if self.pool is not None:
            await self.pool.aclose()
        if self.transport is not None:
            await self.transport.aclose()

    async def send(
        self, method: str, raw_path: str, query: str, headers: list[tuple[str, str]], body: bytes
    ) -> Answer | UpstreamFailure:
        target = self._prefix + raw_path.encode("latin-1")
        if query:
            target += b"?" + query.encode("latin-1")
        sent = [(b"host", self._host_header)]
        sent += [
            (k.encode("latin-1"), v.encode("latin-1")) for k, v in headers if k not in HOP_BY_HOP
        ]
        if body or method not in ("GET", "HEAD", "DELETE", "OPTIONS"):
            sent.append((b"content-length", str(len(body)).encode()))
        try:
            if self.pool is not None:
                status, raw_headers, content = await self._send_pool(method, target, sent, body)
            else:
                status, raw_headers, content = await self._send_transport(
                    method, target, sent, body
                )
        except (httpcore.TimeoutException, httpx.TimeoutException) as exc:
            return _failure(
                "upstream-timeout",
                f"{self._origin} did not answer in time ({type(exc).__name__})",
                504,
            )
        except (httpcore.ConnectError, httpx.ConnectError) as exc:
            return _failure(
                "upstream-unreachable", f"cannot reach {self._origin}: {_why(exc)}", 502
            )
        except (
            httpcore.NetworkError,
            httpcore.ProtocolError,
            httpx.HTTPError,
            ssl.SSLError,
            OSError,
        ) as exc:
            return _failure("upstream-unreachable", f"{self._origin} failed: {_why(exc)}", 502)
        out = [
            (name, v.decode("latin-1"))
            for k, v in raw_headers
            if (name := k.decode("latin-1").lower()) not in _RESPONSE_DROP
        ]
        return Answer(status, out, content)

    async def _send_pool(
        self, method: str, target: bytes, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        assert self.pool is not None
        request = httpcore.Request(
            method.encode("ascii"),
            httpcore.URL(scheme=self._scheme, host=self._host, port=self._port, target=target),
            headers=headers,
            content=body,
            extensions={"timeout": self._timeout},
        )
        return await self.pool.request(request)

    async def _send_transport(
        self, method: str, target: bytes, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        assert self.transport is not None
        request = httpx.Request(
            method,
            self.upstream.copy_with(raw_path=target),
            headers=headers,
            content=body,
            extensions={"timeout": self._timeout},
        )
        response = await self.transport.handle_async_request(request)
        try:
            # The raw bytes: a compressed answer is passed on compressed (Answer.decoded).
            content = b"".join([chunk async for chunk in response.aiter_raw()])
        finally:
            await response.aclose()
        return response.status_code, list(response.headers.raw), content

    @property
    def _origin(self) -> str:
        return str(self.upstream.copy_with(raw_path=b"/")).rstrip("/")


def _why(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]


def _failure(kind: str, reason: str, status: int) -> UpstreamFailure:
    category = "GATEWAY_TIMEOUT" if status == 504 else "BAD_GATEWAY"
    return UpstreamFailure(
        kind, reason, hubspot_error(status, category, f"The proxy got no answer: {reason}")
    )
