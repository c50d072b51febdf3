"""Helpers for the proxy's tests: the proxy in process in front of any ASGI app, the proxy
served by its command line, and one round of all ten operations through the generated client."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from hubspot_communication_preferences import AuthenticatedClient
from hubspot_communication_preferences.api.batch import (
    batch_get_statuses,
    batch_get_unsubscribe_all_statuses,
    batch_unsubscribe_all,
    batch_update_statuses,
)
from hubspot_communication_preferences.api.definitions import get_definitions
from hubspot_communication_preferences.api.status import (
    generate_links,
    get_statuses,
    get_unsubscribe_all_status,
    unsubscribe_all,
    update_status,
)
from hubspot_communication_preferences.models import (
    BatchInputPublicStatusRequest,
    BatchInputString,
    Channel,
    LinkGenerationRequest,
    PartialPublicStatusRequest,
    PublicStatusRequest,
    SubscriptionStatus,
)

from commprefs_kit import paths
from commprefs_kit.proxy import FindingLog, ProxyApp, ProxyConfig
from commprefs_kit.proxy.redact import Redactor
from mock_server.process import free_port

TOKEN = "test-token"  # the mock's default token
API = "/communication-preferences/2026-03"
SUBSCRIPTION = 100001  # in the mock's default fixtures
EMAIL = Channel.EMAIL


@dataclass
class InProcess:
    proxy: ProxyApp
    log: FindingLog
    live: io.StringIO

    def client(self, token: str | None = TOKEN) -> httpx.AsyncClient:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.proxy), base_url="http://proxy", headers=headers
        )

    def generated(self, token: str = TOKEN) -> AuthenticatedClient:
        return AuthenticatedClient(
            base_url="http://proxy",
            token=token,
            httpx_args={"transport": httpx.ASGITransport(app=self.proxy)},
        )

    def kinds(self) -> set[str]:
        return {kind for _, kind in self.log.groups}


def in_process(upstream_app: Any, *, strict: bool = False, defer: bool = False) -> InProcess:
    live = io.StringIO()
    log = FindingLog(Redactor(), live=live)
    proxy = ProxyApp(
        ProxyConfig(
            upstream="http://upstream",
            strict=strict,
            transport=httpx.ASGITransport(app=upstream_app),
            defer_judging=defer,
        ),
        log=log,
        errors=live,
    )
    return InProcess(proxy, log, live)


async def full_round_async(client: AuthenticatedClient) -> list[int]:
    """All ten operations once; returns the status codes."""
    a, b = "ann@example.com", "bob@example.com"
    statuses = [
        (await get_definitions.asyncio_detailed(client=client)).status_code,
        (await get_statuses.asyncio_detailed(a, client=client, channel=EMAIL)).status_code,
        (
            await update_status.asyncio_detailed(
                a,
                client=client,
                body=PartialPublicStatusRequest(
                    channel=EMAIL,
                    status_state=SubscriptionStatus.SUBSCRIBED,
                    subscription_id=SUBSCRIPTION,
                ),
            )
        ).status_code,
        (
            await get_unsubscribe_all_status.asyncio_detailed(a, client=client, channel=EMAIL)
        ).status_code,
        (
            await unsubscribe_all.asyncio_detailed(a, client=client, channel=EMAIL, verbose=True)
        ).status_code,
        (await get_statuses.asyncio_detailed(a, client=client, channel=EMAIL)).status_code,
        (
            await batch_get_statuses.asyncio_detailed(
                client=client, channel=EMAIL, body=BatchInputString(inputs=[a, b])
            )
        ).status_code,
        (
            await batch_update_statuses.asyncio_detailed(
                client=client,
                body=BatchInputPublicStatusRequest(
                    inputs=[
                        PublicStatusRequest(
                            channel=EMAIL,
                            status_state=SubscriptionStatus.UNSUBSCRIBED,
                            subscriber_id_string=b,
                            subscription_id=SUBSCRIPTION,
                        )
                    ]
                ),
            )
        ).status_code,
        (
            await batch_unsubscribe_all.asyncio_detailed(
                client=client, channel=EMAIL, body=BatchInputString(inputs=[a, b])
            )
        ).status_code,
        (
            await batch_get_unsubscribe_all_statuses.asyncio_detailed(
                client=client, channel=EMAIL, body=BatchInputString(inputs=[a, b])
            )
        ).status_code,
        (
            await generate_links.asyncio_detailed(
                client=client,
                channel=EMAIL,
                body=LinkGenerationRequest(subscriber_id_string=a, subscription_id=SUBSCRIPTION),
            )
        ).status_code,
        (
            await get_unsubscribe_all_status.asyncio_detailed(a, client=client, channel=EMAIL)
        ).status_code,
    ]
    return statuses


def full_round(client: AuthenticatedClient) -> list[int]:
    """The same round with the synchronous calls (a real HTTP server behind base_url)."""
    a, b = "ann@example.com", "bob@example.com"
    return [
        get_definitions.sync_detailed(client=client).status_code,
        get_statuses.sync_detailed(a, client=client, channel=EMAIL).status_code,
        update_status.sync_detailed(
            a,
            client=client,
            body=PartialPublicStatusRequest(
                channel=EMAIL,
                status_state=SubscriptionStatus.SUBSCRIBED,
                subscription_id=SUBSCRIPTION,
            ),
        ).status_code,
        get_unsubscribe_all_status.sync_detailed(a, client=client, channel=EMAIL).status_code,
        unsubscribe_all.sync_detailed(a, client=client, channel=EMAIL, verbose=True).status_code,
        get_statuses.sync_detailed(a, client=client, channel=EMAIL).status_code,
        batch_get_statuses.sync_detailed(
            client=client, channel=EMAIL, body=BatchInputString(inputs=[a, b])
        ).status_code,
        batch_update_statuses.sync_detailed(
            client=client,
            body=BatchInputPublicStatusRequest(
                inputs=[
                    PublicStatusRequest(
                        channel=EMAIL,
                        status_state=SubscriptionStatus.UNSUBSCRIBED,
                        subscriber_id_string=b,
                        subscription_id=SUBSCRIPTION,
                    )
                ]
            ),
        ).status_code,
        batch_unsubscribe_all.sync_detailed(
            client=client, channel=EMAIL, body=BatchInputString(inputs=[a, b])
        ).status_code,
        batch_get_unsubscribe_all_statuses.sync_detailed(
            client=client, channel=EMAIL, body=BatchInputString(inputs=[a, b])
        ).status_code,
        generate_links.sync_detailed(
            client=client,
            channel=EMAIL,
            body=LinkGenerationRequest(subscriber_id_string=a, subscription_id=SUBSCRIPTION),
        ).status_code,
    ]


@dataclass
class ServedProxy:
    url: str
    process: subprocess.Popen[bytes]
    stderr_path: Path

    def stop(self) -> tuple[int, str]:
        """SIGTERM, as a user's Ctrl-C or a service manager would; (exit code, stderr)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        return code, self.stderr_path.read_text(errors="replace")


@contextmanager
def served_proxy(*args: str) -> Iterator[ServedProxy]:
    """`python -m commprefs_kit.proxy --port P *args` until the block ends."""
    port = free_port()
    fd, name = tempfile.mkstemp(prefix="proxy-", suffix=".log")
    os.close(fd)
    log_path = Path(name)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "commprefs_kit.proxy", "--port", str(port), *args],
            cwd=paths.ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    served = ServedProxy(f"http://127.0.0.1:{port}", process, log_path)
    try:
        # The socket listens before the line is printed; requests wait in its backlog until
        # the server takes them. (An HTTP probe would be forwarded and judged like any other.)
        deadline = time.monotonic() + 30
        while "proxy on http" not in log_path.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the proxy did not start:\n" + log_path.read_text())
            time.sleep(0.05)
        yield served
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        log_path.unlink(missing_ok=True)
