"""The store's lock: a request is atomic even when the app is shared across threads.

Served by `scripts/mock` (one worker, one event loop) handlers never overlap. Embedded in a test
process they can: each `SyncASGITransport` or thread with its own `httpx.AsyncClient` runs the
app on its own event loop, and test code resets or reads the store from the main thread. Here
one request is paused half-way through its writes (after the first of five subscriptions), and
a request or a reset from another thread must see the store before or after it, never between.
Without the lock (or with the handlers run outside it) the other thread gets in between, and
these tests fail.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import httpx
from mock_testing import AUTH, BASE, EMAIL, UNIT0

from mock_server import MockApp, MockConfig, create_app

KEY = "ann@example.com"
SAFETY = 60.0  # seconds: only so that a broken test cannot hang the run; never reached


class _PausingRecords(dict[int, Any]):
    """A subscriber's records that stop the writing thread after its first write."""

    def __init__(self) -> None:
        super().__init__()
        self.paused = threading.Event()
        self.go = threading.Event()

    def __setitem__(self, key: int, value: Any) -> None:
        super().__setitem__(key, value)
        if not self.paused.is_set():
            self.paused.set()
            assert self.go.wait(SAFETY)


class _ProbeLock:
    """The store's lock as seen by late comers: says when one reaches it, then takes it."""

    def __init__(self, inner: Any, reached: threading.Event) -> None:
        self.inner = inner
        self.reached = reached

    def __enter__(self) -> Any:
        self.reached.set()
        return self.inner.__enter__()

    def __exit__(self, *exc: object) -> Any:
        return self.inner.__exit__(*exc)


def _request(app: MockApp, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """One request on a fresh event loop in the calling thread."""

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url=f"http://mock{BASE}", headers=AUTH
        ) as client:
            response = await client.request(method, path, **kwargs)
            await response.aread()
            return response

    return asyncio.run(send())


class _Thread(threading.Thread):
    def __init__(self, work: Callable[[], Any], done: threading.Event | None = None) -> None:
        super().__init__(daemon=True)
        self.work = work
        self.done = done
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.work()
        except BaseException as exc:  # reported by the test
            self.error = exc
        finally:
            if self.done is not None:
                self.done.set()


def _with_a_paused_opt_out(app: MockApp, other: Callable[[], Any]) -> Any:
    """Run `other` in a thread while an unsubscribe-all of KEY is paused mid-write."""
    records = _PausingRecords()
    app.store.statuses[KEY] = records
    writer = _Thread(
        lambda: _request(
            app, "POST", f"/statuses/{KEY}/unsubscribe-all", params={**EMAIL, "verbose": "true"}
        )
    )
    writer.start()
    assert records.paused.wait(SAFETY), "the opt-out never started writing"
    # The writer holds the real lock now; whoever comes next meets the probe.
    progress = threading.Event()
    app.store.lock = _ProbeLock(app.store.lock, progress)  # type: ignore[assignment]
    late = _Thread(other, progress)
    late.start()
    # The late comer either reached the lock (and waits there) or finished without it.
    assert progress.wait(SAFETY)
    records.go.set()
    writer.join(SAFETY)
    late.join(SAFETY)
    assert writer.error is None and late.error is None, (writer.error, late.error)
    assert writer.result.status_code == 200
    return late.result


def test_a_read_from_another_thread_sees_the_whole_opt_out_or_none() -> None:
    app = create_app(MockConfig())
    read = _with_a_paused_opt_out(
        app, lambda: _request(app, "GET", f"/statuses/{KEY}", params=EMAIL)
    )
    assert read.status_code == 200
    statuses = {s["subscriptionId"]: s["status"] for s in read.json()["results"]}
    assert set(statuses) == set(UNIT0)
    # The read waited for the opt-out: every subscription is out, none half-way.
    assert set(statuses.values()) == {"UNSUBSCRIBED"}, statuses


def test_a_reset_from_another_thread_waits_for_the_request_in_flight() -> None:
    app = create_app(MockConfig())
    _with_a_paused_opt_out(app, app.reset)
    # The reset came after the whole opt-out: nothing of it is left (without the lock the
    # writer's wide opt-out survives a reset that cleared its statuses).
    dump = app.store.dump()
    assert dump["subscribers"] == {}
    wide = _request(app, "GET", f"/statuses/{KEY}/unsubscribe-all", params=EMAIL)
    assert wide.json()["results"] == []
