"""The proxy's upstream connections (commprefs_kit/proxy/upstream.py) against a raw TCP server
that answers with scripted bytes: every way an HTTP/1.1 answer can be framed, answers cut
short, and when a connection may be used again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pytest

from commprefs_kit.proxy.upstream import (
    Connections,
    Origin,
    UpstreamTimeout,
    UpstreamUnreachable,
)

OK_HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"


@dataclass
class Scripted:
    """A server that reads one request head (and its Content-Length body), then writes the next
    scripted answer; an answer ending in ``CLOSE`` closes the connection after it, one ending in
    ``HOLD`` keeps it open without a word more."""

    answers: list[bytes]
    port: int = 0
    connections: int = 0
    requests: list[bytes] = field(default_factory=list)


Start = Callable[..., Awaitable[Scripted]]
CLOSE = b"<close>"
HOLD = b"<hold>"


@pytest.fixture
async def scripted() -> AsyncIterator[Start]:
    servers: list[asyncio.Server] = []

    async def start(*answers: bytes) -> Scripted:
        script = Scripted(list(answers))

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            script.connections += 1
            try:
                while script.answers:
                    head = await reader.readuntil(b"\r\n\r\n")
                    length = 0
                    for line in head.split(b"\r\n"):
                        name, _, value = line.partition(b":")
                        if name.strip().lower() == b"content-length":
                            length = int(value)
                    script.requests.append(head + await reader.readexactly(length))
                    answer = script.answers.pop(0)
                    writer.write(answer.removesuffix(CLOSE).removesuffix(HOLD))
                    await writer.drain()
                    if answer.endswith(HOLD):
                        await asyncio.sleep(30)
                    if answer.endswith(CLOSE):
                        break
            except (asyncio.IncompleteReadError, ConnectionError):
                pass
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        servers.append(server)
        script.port = server.sockets[0].getsockname()[1]
        return script

    yield start
    for server in servers:
        server.close()


def pool(script: Scripted, timeout: float = 5.0) -> Connections:
    return Connections(
        Origin("http", "127.0.0.1", script.port), limit=4, connect_timeout=5, timeout=timeout
    )


async def get(
    connections: Connections, method: str = "GET", body: bytes = b""
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    headers = [(b"host", b"upstream"), (b"authorization", b"Bearer t")]
    if body:
        headers.append((b"content-length", str(len(body)).encode()))
    return await connections.request(method, b"/x?a=1", headers, body)


async def test_content_length_answers_reuse_one_connection(scripted: Start) -> None:
    script = await scripted(
        OK_HEAD + b'content-length: 7\r\n\r\n{"a":1}',
        OK_HEAD + b"content-length: 2\r\n\r\n{}",
    )
    connections = pool(script)
    first = await get(connections, "POST", b'{"inputs":[]}')
    second = await get(connections)
    assert first == (200, [(b"content-type", b"application/json"), (b"content-length", b"7")],
                     b'{"a":1}')  # fmt: skip
    assert second[2] == b"{}"
    assert script.connections == 1
    # The request went out as sent: method, target, headers, and the body after them.
    assert script.requests[0] == (
        b"POST /x?a=1 HTTP/1.1\r\nhost: upstream\r\nauthorization: Bearer t\r\n"
        b'content-length: 13\r\n\r\n{"inputs":[]}'
    )
    await connections.aclose()


async def test_chunked_answer_is_joined(scripted: Start) -> None:
    script = await scripted(
        OK_HEAD + b'transfer-encoding: chunked\r\n\r\n3\r\n{"a\r\n4\r\n":1}\r\n0\r\n\r\n',
        OK_HEAD + b"content-length: 2\r\n\r\n{}",
    )
    connections = pool(script)
    status, _, body = await get(connections)
    assert (status, body) == (200, b'{"a":1}')
    assert (await get(connections))[2] == b"{}"
    assert script.connections == 1


async def test_connection_close_is_not_reused(scripted: Start) -> None:
    script = await scripted(
        OK_HEAD + b"connection: close\r\ncontent-length: 2\r\n\r\n{}",
        OK_HEAD + b"content-length: 2\r\n\r\n[]",
    )
    connections = pool(script)
    assert (await get(connections))[2] == b"{}"
    assert (await get(connections))[2] == b"[]"
    assert script.connections == 2


async def test_body_ended_by_the_connection_is_whole(scripted: Start) -> None:
    script = await scripted(OK_HEAD + b"\r\n" + b'{"results":[]}' + CLOSE)
    status, _, body = await get(pool(script))
    assert (status, body) == (200, b'{"results":[]}')


async def test_answer_cut_short_is_unreachable(scripted: Start) -> None:
    script = await scripted(OK_HEAD + b'content-length: 100\r\n\r\n{"resu' + CLOSE)
    with pytest.raises(UpstreamUnreachable, match="before answering"):
        await get(pool(script), "POST", b"{}")


async def test_chunked_answer_cut_short_is_unreachable(scripted: Start) -> None:
    script = await scripted(OK_HEAD + b'transfer-encoding: chunked\r\n\r\n5\r\n{"re' + CLOSE)
    with pytest.raises(UpstreamUnreachable):
        await get(pool(script), "POST", b"{}")


async def test_close_before_any_answer_is_unreachable(scripted: Start) -> None:
    script = await scripted(CLOSE)
    with pytest.raises(UpstreamUnreachable):
        await get(pool(script), "POST", b"{}")


async def test_informational_answers_come_before_the_answer(scripted: Start) -> None:
    script = await scripted(
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\n"
        + b"HTTP/1.1 207 Multi-Status\r\ncontent-length: 2\r\n\r\n{}",
        OK_HEAD + b"content-length: 2\r\n\r\n[]",
    )
    connections = pool(script)
    status, headers, body = await get(connections, "POST", b"{}")
    assert (status, headers, body) == (207, [(b"content-length", b"2")], b"{}")
    assert (await get(connections))[2] == b"[]"
    assert script.connections == 1


async def test_head_answer_has_no_body_and_is_not_reused(scripted: Start) -> None:
    script = await scripted(
        OK_HEAD + b"content-length: 50\r\n\r\n",
        OK_HEAD + b"content-length: 2\r\n\r\n{}",
    )
    connections = pool(script, timeout=2)
    status, _, body = await get(connections, "HEAD")
    assert (status, body) == (200, b"")
    assert (await get(connections))[2] == b"{}"
    assert script.connections == 2


async def test_no_content_answers_end_at_their_head(scripted: Start) -> None:
    script = await scripted(
        b"HTTP/1.1 204 No Content\r\n\r\n", OK_HEAD + b"content-length: 2\r\n\r\n{}"
    )
    connections = pool(script, timeout=2)
    assert (await get(connections, "POST", b"{}"))[:2] == (204, [])
    assert (await get(connections))[2] == b"{}"
    assert script.connections == 1


async def test_a_second_answer_is_dropped_with_the_connection(scripted: Start) -> None:
    script = await scripted(
        OK_HEAD
        + b"content-length: 2\r\n\r\n{}"
        + b"HTTP/1.1 500 Oops\r\ncontent-length: 0\r\n\r\n",
        OK_HEAD + b"content-length: 2\r\n\r\n[]",
    )
    connections = pool(script)
    assert await get(connections) == (
        200, [(b"content-type", b"application/json"), (b"content-length", b"2")], b"{}"
    )  # fmt: skip
    assert (await get(connections))[2] == b"[]"
    assert script.connections == 2


async def test_garbage_is_unreachable_not_a_traceback(scripted: Start) -> None:
    script = await scripted(b"SSH-2.0-OpenSSH_9.6\r\n\r\n" + CLOSE)
    with pytest.raises(UpstreamUnreachable, match=r"not valid HTTP/1\.1"):
        await get(pool(script))


async def test_silence_is_a_timeout(scripted: Start) -> None:
    script = await scripted(b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n{" + HOLD)
    with pytest.raises(UpstreamTimeout):
        await get(pool(script, timeout=0.3), "POST", b"{}")


async def test_a_read_on_a_connection_the_upstream_closed_is_sent_again(scripted: Start) -> None:
    # The first answer keeps the connection alive by its headers, then the server closes it:
    # the next GET finds it dead and is sent once more on a new connection.
    script = await scripted(
        OK_HEAD + b"content-length: 2\r\n\r\n{}" + CLOSE,
        OK_HEAD + b"content-length: 2\r\n\r\n[]",
    )
    connections = pool(script)
    assert (await get(connections))[2] == b"{}"
    await asyncio.sleep(0.05)  # the close reaches the idle connection
    assert (await get(connections))[2] == b"[]"
    assert script.connections == 2


async def test_a_header_with_a_line_break_is_not_sent(scripted: Start) -> None:
    script = await scripted(OK_HEAD + b"content-length: 2\r\n\r\n{}")
    with pytest.raises(ValueError, match="line break"):
        await pool(script).request("GET", b"/", [(b"x-evil", b"a\r\nhost: elsewhere")], b"")
    assert script.requests == []


async def test_smuggling_framing_is_refused(scripted: Start) -> None:
    # Both Content-Length and chunked: which one ends the answer is ambiguous (RFC 9112 6.3).
    script = await scripted(
        OK_HEAD + b"content-length: 2\r\ntransfer-encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
    )
    with pytest.raises(UpstreamUnreachable, match=r"not valid HTTP/1\.1"):
        await get(pool(script))
