"""Keep-alive HTTP/1.1 connections to the upstream: answers parsed by httptools (the C binding
of llhttp, Node.js's HTTP parser, that uvicorn also uses) over asyncio streams, in a small free
list.

Why not httpx.AsyncClient, httpcore or h11: one batch request of 100 addresses to the mock took
about 0.97 ms through h11 on asyncio streams and 0.58 ms with httptools' parser (the mock
itself answers wrk in about 0.5 ms); httpx.AsyncClient and an httpcore connection cost more than
h11 again, and httpcore's own pool lost half its throughput at 16 concurrent requests
(benchmarks/README.md, "proxy overhead"). The parser does the protocol work of an answer
(status line, headers, Content-Length, chunked bodies, keep-alive rules). What is written here:
the request head (the forwarder always frames the body with Content-Length), the cases llhttp
leaves to its caller (1xx answers, an answer to HEAD, a body that ends with the connection),
and connection reuse.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass

import httptools

KEEPALIVE_S = 5.0  # an idle connection older than this is not reused (servers close them)
READ_CHUNK = 65536

Headers = list[tuple[bytes, bytes]]


class UpstreamTimeout(Exception):
    """No answer within the timeout."""


class UpstreamUnreachable(Exception):
    """No connection (refused, DNS, TLS), or the connection broke before the answer ended."""


@dataclass
class Origin:
    scheme: str  # http or https
    host: str
    port: int


class _Answer:
    """httptools' callbacks for one exchange: the final answer's status, headers and body."""

    def __init__(self, head_request: bool) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.head_request = head_request
        self.status = 0
        self.headers: Headers = []
        self.chunks: list[bytes] = []
        self.headers_done = False
        self.complete = False
        self.keep_alive = False  # llhttp can only say so while the answer is being parsed
        self.extra = False  # the upstream sent more than one final answer

    # After the final answer, anything more the upstream sends is ignored (and the connection
    # is not reused).
    def on_message_begin(self) -> None:
        if self.complete:
            self.extra = True
            return
        self.headers, self.chunks, self.headers_done = [], [], False

    def on_header(self, name: bytes, value: bytes) -> None:
        if not self.complete:
            self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        if self.complete:
            return
        self.status = self.parser.get_status_code()
        self.headers_done = True
        if self.head_request and self.status >= 200:
            # An answer to HEAD has no body whatever its Content-Length says; llhttp cannot be
            # told so, and the connection is not reused after it.
            self.complete = True

    def on_body(self, body: bytes) -> None:
        if not self.complete:
            self.chunks.append(body)

    def on_message_complete(self) -> None:
        # 1xx answers (100 Continue, 103 Early Hints) come before the final one.
        if not self.complete and self.status >= 200:
            self.complete = True
            self.keep_alive = self.parser.should_keep_alive()

    def ended_with_connection(self) -> bool:
        """At EOF: True when the body was framed by the connection's end (no Content-Length,
        not chunked), so the answer is whole; otherwise it was cut short."""
        if not self.headers_done or self.status < 200:
            return False
        framing = {name.lower() for name, _ in self.headers}
        return not framing & {b"content-length", b"transfer-encoding"}


def _request_head(method: bytes, target: bytes, headers: Headers) -> bytes:
    lines = [method + b" " + target + b" HTTP/1.1"]
    for name, value in headers:
        if b"\r" in value or b"\n" in value or b"\r" in name or b"\n" in name:
            raise ValueError(f"a header {name!r} has a line break")
        lines.append(name + b": " + value)
    return b"\r\n".join(lines) + b"\r\n\r\n"


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.idle_since = time.monotonic()
        self.keep_alive = True

    def reusable(self) -> bool:
        return (
            self.keep_alive
            and not self.writer.is_closing()
            and not self.reader.at_eof()
            and time.monotonic() - self.idle_since < KEEPALIVE_S
        )

    def close(self) -> None:
        self.writer.close()

    async def exchange(
        self, method: bytes, target: bytes, headers: Headers, body: bytes
    ) -> tuple[int, Headers, bytes]:
        answer = _Answer(head_request=method == b"HEAD")
        self.keep_alive = False  # until this exchange has ended cleanly
        self.writer.write(_request_head(method, target, headers) + body)
        await self.writer.drain()
        while not answer.complete:
            data = await self.reader.read(READ_CHUNK)
            if not data:
                if answer.ended_with_connection():
                    answer.complete = True
                    break
                raise UpstreamUnreachable("the upstream closed the connection before answering")
            answer.parser.feed_data(data)
        self.keep_alive = answer.keep_alive and not answer.head_request and not answer.extra
        self.idle_since = time.monotonic()
        return answer.status, answer.headers, b"".join(answer.chunks)


class Connections:
    """At most ``limit`` connections in use to one origin; idle ones are reused newest first."""

    def __init__(
        self, origin: Origin, *, limit: int, connect_timeout: float, timeout: float
    ) -> None:
        self.origin = origin
        self._ssl = ssl.create_default_context() if origin.scheme == "https" else None
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(limit)
        self._connect_timeout = connect_timeout
        self._timeout = timeout

    async def _open(self) -> _Connection:
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(
                    self.origin.host,
                    self.origin.port,
                    ssl=self._ssl,
                    server_hostname=self.origin.host if self._ssl else None,
                    limit=READ_CHUNK * 4,
                ),
                self._connect_timeout,
            )
        except TimeoutError:
            raise UpstreamTimeout(f"no connection within {self._connect_timeout:g} s") from None
        except (OSError, ssl.SSLError) as exc:  # refused, unknown host, TLS failure
            raise UpstreamUnreachable(_why(exc)) from None
        return _Connection(reader, writer)

    def _take(self) -> _Connection | None:
        while self._idle:
            connection = self._idle.pop()
            if connection.reusable():
                return connection
            connection.close()
        return None

    async def request(
        self, method: str, target: bytes, headers: Headers, body: bytes
    ) -> tuple[int, Headers, bytes]:
        verb = method.encode("ascii")
        async with self._slots:
            connection = self._take()
            reused = connection is not None
            if connection is None:
                connection = await self._open()
            try:
                return await self._run(connection, verb, target, headers, body)
            except UpstreamUnreachable:
                if not reused or verb not in (b"GET", b"HEAD"):
                    raise
                # The upstream closed an idle connection just as it was reused: a read is
                # safe to send again, once, on a new connection.
                return await self._run(await self._open(), verb, target, headers, body)

    async def _run(
        self, connection: _Connection, verb: bytes, target: bytes, headers: Headers, body: bytes
    ) -> tuple[int, Headers, bytes]:
        try:
            # asyncio.timeout, not wait_for: no extra task, so the request is written in the
            # caller's first turn of the loop (app.py judges while the upstream works).
            async with asyncio.timeout(self._timeout):
                answer = await connection.exchange(verb, target, headers, body)
        except TimeoutError:
            connection.close()
            raise UpstreamTimeout(f"no answer within {self._timeout:g} s") from None
        except httptools.HttpParserError as exc:
            connection.close()
            raise UpstreamUnreachable(f"its answer is not valid HTTP/1.1 ({_why(exc)})") from None
        except (OSError, ssl.SSLError) as exc:
            connection.close()
            raise UpstreamUnreachable(_why(exc)) from None
        except BaseException:
            connection.close()
            raise
        if connection.keep_alive:
            self._idle.append(connection)
        else:
            connection.close()
        return answer

    async def aclose(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()


def _why(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]
