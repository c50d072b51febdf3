"""The stack over real HTTP on loopback (httpx.HTTPTransport, not a mock): a connection that
breaks off mid-body, or never answers, behaves as with the mock transport."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Callable, Iterator

import httpx
import pytest
from hubspot_communication_preferences import (
    HubSpotConnectionError,
    HubSpotTimeoutError,
    make_client,
)
from hubspot_communication_preferences.api.batch import batch_unsubscribe_all
from hubspot_communication_preferences.api.status import update_status
from hubspot_communication_preferences.models import (
    BatchInputString,
    BatchResponsePublicBulkOptOutFromAllResponse,
    Channel,
    PartialPublicStatusRequest,
    SubscriptionStatus,
)

from commprefs_kit.client_testing import RecordedWaits, envelope

Behaviour = Callable[[socket.socket], None]
BODY = json.dumps(envelope([{"subscriberIdString": "a@x.com", "statuses": []}])).encode()


def _read_request(conn: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    while len(rest) < length:
        rest += conn.recv(65536)


def answer_ok(conn: socket.socket) -> None:
    _read_request(conn)
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
        + f"Content-Length: {len(BODY)}\r\n\r\n".encode()
        + BODY
    )


def break_off_mid_body(conn: socket.socket) -> None:
    _read_request(conn)
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
        + f"Content-Length: {len(BODY)}\r\n\r\n".encode()
        + BODY[:10]
    )


def stay_silent(conn: socket.socket) -> None:
    _read_request(conn)
    conn.recv(1)  # until the client gives up and closes


class LoopbackServer:
    """Serves one scripted behaviour per connection (the last repeats), on 127.0.0.1."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.script: list[Behaviour] = []
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            behaviour = self.script[min(self.connections, len(self.script) - 1)]
            self.connections += 1
            with conn:
                conn.settimeout(5)
                with contextlib.suppress(OSError):  # the client hung up first
                    behaviour(conn)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    running = LoopbackServer()
    yield running
    running.stop()


def test_body_broken_off_is_retried_for_batch_unsubscribe_all(server: LoopbackServer) -> None:
    server.script = [break_off_mid_body, answer_ok]
    waits = RecordedWaits()
    with make_client("t0ken-value", base_url=server.url, retry=waits.policy()) as client:
        parsed = batch_unsubscribe_all.sync(
            client=client, body=BatchInputString(inputs=["a@x.com"]), channel=Channel.EMAIL
        )
    assert isinstance(parsed, BatchResponsePublicBulkOptOutFromAllResponse)
    assert server.connections == 2 and waits == [1.0]


async def test_body_broken_off_is_retried_async(server: LoopbackServer) -> None:
    server.script = [break_off_mid_body, answer_ok]
    waits = RecordedWaits()
    async with make_client("t0ken-value", base_url=server.url, retry=waits.policy()) as client:
        parsed = await batch_unsubscribe_all.asyncio(
            client=client, body=BatchInputString(inputs=["a@x.com"]), channel=Channel.EMAIL
        )
    assert isinstance(parsed, BatchResponsePublicBulkOptOutFromAllResponse)
    assert server.connections == 2


def test_body_broken_off_is_raised_for_update_status(server: LoopbackServer) -> None:
    server.script = [break_off_mid_body, answer_ok]
    with (
        make_client("t0ken-value", base_url=server.url) as client,
        pytest.raises(HubSpotConnectionError, match="not retry-safe"),
    ):
        update_status.sync_detailed(
            "a@x.com",
            client=client,
            body=PartialPublicStatusRequest(
                channel=Channel.EMAIL, status_state=SubscriptionStatus.SUBSCRIBED, subscription_id=1
            ),
        )
    assert server.connections == 1


def test_silence_is_a_timeout_after_the_attempts(server: LoopbackServer) -> None:
    server.script = [stay_silent]
    waits = RecordedWaits()
    short = httpx.Timeout(connect=2.0, read=0.2, write=2.0, pool=2.0)
    with (
        make_client(
            "t0ken-value", base_url=server.url, timeout=short, retry=waits.policy(max_attempts=2)
        ) as client,
        pytest.raises(HubSpotTimeoutError) as caught,
    ):
        batch_unsubscribe_all.sync(
            client=client, body=BatchInputString(inputs=["a@x.com"]), channel=Channel.EMAIL
        )
    assert caught.value.attempts == 2 and "ReadTimeout" in str(caught.value)
