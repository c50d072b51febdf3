"""Forwarding: send a request upstream unchanged, over pooled keep-alive connections.

The request keeps its method, raw (percent-encoded) path, query, headers (the token too) and
body; only hop-by-hop headers (RFC 9110 section 7.6.1) are dropped and ``Host`` names the
upstream. The answer is passed on as received (a compressed body stays compressed); it is
read whole, since it is judged, and `Answer.decoded` is the body the judge reads.

Real upstreams are reached through `upstream.Connections` (httptools' parser over asyncio
streams; why not httpx.AsyncClient or h11 is explained there, with figures). An injected httpx
transport (tests: an in-process upstream through httpx.ASGITransport) is used as is. Failures
to get an answer become `UpstreamFailure` with HubSpot's error body, never an exception for the
server to turn into a traceback.
"""

from __future__ import annotations

import ssl
import uuid
import zlib
from dataclasses import dataclass

import httpx
import orjson

from commprefs_kit.proxy.upstream import (
    Connections,
    Origin,
    UpstreamTimeout,
    UpstreamUnreachable,
)

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


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def decodable(self) -> bool:
        """False for a content-encoding the judge cannot undo (br, zstd): the body is then
        passed on but not judged."""
        for name, value in self.headers:
            if name == "content-encoding":
                return value.strip().lower() in ("", "identity", "gzip", "x-gzip", "deflate")
        return True

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
                Origin(self._scheme.decode(), self._host.decode("idna"), self._port),
                limit=max_connections,
                connect_timeout=connect_timeout,
                timeout=timeout,
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
        except (UpstreamTimeout, httpx.TimeoutException) as exc:
            return _failure(
                "upstream-timeout",
                f"{self._origin} did not answer in time ({type(exc).__name__})",
                504,
            )
        except (UpstreamUnreachable, httpx.ConnectError) as exc:
            return _failure(
                "upstream-unreachable", f"cannot reach {self._origin}: {_why(exc)}", 502
            )
        except (httpx.HTTPError, ssl.SSLError, OSError) as exc:
            return _failure("upstream-unreachable", f"{self._origin} failed: {_why(exc)}", 502)
        except ValueError as exc:  # a header that cannot be sent as it is (upstream.py)
            return _failure("upstream-unreachable", f"not sent to {self._origin}: {exc}", 502)
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
        return await self.pool.request(method, target, headers, body)

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
