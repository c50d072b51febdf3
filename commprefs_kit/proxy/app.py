"""The validating proxy as an ASGI 3 app: judge the request, forward it (or, with ``strict``,
refuse it), answer, then judge the answer, report and record.

The answer goes back to the client before it is judged, so validation adds nothing to the
client's wait but the request check. With ``defer_judging`` (the command line), an answer is
judged while the upstream works on the next request, or 5 ms later when none comes, so that
judging does not delay reading the next request either; findings keep their order.
Nothing raised while judging reaches the server: a failure to judge one exchange is one line
on stderr and the exchange was still forwarded.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any, TextIO
from urllib.parse import quote

import httpx

from commprefs_kit.proxy.exchange import Exchange
from commprefs_kit.proxy.forward import Answer, Forwarder, UpstreamFailure, hubspot_error
from commprefs_kit.proxy.record import Recorder, now_iso
from commprefs_kit.proxy.redact import Redactor
from commprefs_kit.proxy.report import FindingLog
from commprefs_kit.proxy.spec_view import SpecView, spec_view
from commprefs_kit.proxy.validate import Judge, Problem, RequestCheck, finalize

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

MAX_BODY = 16 * 1024 * 1024  # HubSpot's batch bodies are far smaller
FLUSH_AFTER_S = 0.005  # deferred answers are judged at the latest this long after the last


@dataclass
class ProxyConfig:
    upstream: str
    strict: bool = False
    timeout: float = 30.0
    connect_timeout: float = 10.0
    max_connections: int = 100
    transport: httpx.AsyncBaseTransport | None = None  # tests: an in-process upstream
    tokens: tuple[str, ...] = field(default_factory=tuple)  # known tokens to redact up front
    # Judge an answer later (while the upstream works on the next request, or after
    # FLUSH_AFTER_S), not before the next request is read; the command line turns it on.
    defer_judging: bool = False


class ProxyApp:
    def __init__(
        self,
        config: ProxyConfig,
        *,
        log: FindingLog | None = None,
        recorder: Recorder | None = None,
        view: SpecView | None = None,
        errors: TextIO | None = None,
    ) -> None:
        self.config = config
        self.redactor = log.redactor if log is not None else Redactor(config.tokens)
        self.log = log if log is not None else FindingLog(self.redactor, live=sys.stderr)
        self.recorder = recorder
        self.judge = Judge(view or spec_view())
        self.errors = errors if errors is not None else sys.stderr
        self._forwarder: Forwarder | None = None
        self._pending: deque[tuple[RequestCheck, Exchange, bool, list[Problem]]] = deque()
        self._flush_timer: asyncio.TimerHandle | None = None

    @property
    def forwarder(self) -> Forwarder:
        if self._forwarder is None:
            self._forwarder = Forwarder(
                self.config.upstream,
                timeout=self.config.timeout,
                connect_timeout=self.config.connect_timeout,
                max_connections=self.config.max_connections,
                transport=self.config.transport,
            )
        return self._forwarder

    async def aclose(self) -> None:
        self.flush()
        if self._forwarder is not None:
            await self._forwarder.aclose()
            self._forwarder = None
        if self.recorder is not None:
            self.recorder.close()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                if self.recorder is not None:
                    self.recorder.open()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        body = await _read_body(receive)
        if body is None:
            await _answer(send, hubspot_error(413, "VALIDATION_ERROR", "The body is too large"))
            return
        raw_path, query = _target(scope)
        headers = [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope["headers"]]
        ex = Exchange(
            method=scope["method"],
            raw_path=raw_path,
            query=query,
            request_headers=headers,
            request_body=body,
            started=now_iso(),
        )
        authorization = ex.request_header("authorization")
        if authorization:
            self.redactor.learn_header(authorization)
        check: RequestCheck | None
        try:
            check = self.judge.request(ex)
        except Exception as exc:  # a bug in judging must not stop the traffic
            self._internal("request", ex, exc)
            check = None
        refused = bool(self.config.strict and check is not None and check.blocking)
        extra: list[Problem] = []
        if refused and check is not None:
            answer = _refusal(check)
        else:
            sending = self.forwarder.send(ex.method, raw_path, query, headers, body)
            if self._pending:
                # Judge earlier answers while the upstream works on this request: put the
                # request on the wire first (one turn of the loop), then judge, then wait.
                task = asyncio.ensure_future(sending)
                await asyncio.sleep(0)
                self.flush()
                result = await task
            else:
                result = await sending
            if isinstance(result, UpstreamFailure):
                answer = result.answer
                extra.append(Problem(result.kind, None, "upstream", result.reason))
                refused = True
            else:
                answer = result
        await _answer(send, answer)
        ex.status = answer.status
        ex.response_headers = answer.headers
        ex.response_body = answer.decoded
        # A body in an encoding the judge cannot read is not judged (as if cut short).
        ex.response_truncated = not answer.decodable
        ex.elapsed_ms = round((time.perf_counter() - started) * 1000, 3)
        if check is None:
            return
        if not self.config.defer_judging:
            self._judge_answer(check, ex, refused, extra)
            return
        self._pending.append((check, ex, refused, extra))
        if self._flush_timer is None:
            loop = asyncio.get_running_loop()
            self._flush_timer = loop.call_later(FLUSH_AFTER_S, self.flush)

    def flush(self) -> None:
        """Judge every answer still waiting (deferred judging)."""
        if self._flush_timer is not None:
            self._flush_timer.cancel()
            self._flush_timer = None
        while self._pending:
            self._judge_answer(*self._pending.popleft())

    def _judge_answer(
        self, check: RequestCheck, ex: Exchange, refused: bool, extra: list[Problem]
    ) -> None:
        try:
            response = [] if refused else self.judge.response(check, ex)
            findings = finalize(check, ex, check.problems, response + extra, refused=refused)
            self.log.add(check.label, findings, ex)
            if self.recorder is not None:
                self.recorder.add(ex)
        except Exception as exc:  # a bug in judging must not stop the traffic
            self._internal("response", ex, exc)

    def _internal(self, what: str, ex: Exchange, exc: Exception) -> None:
        line = f"proxy: could not judge the {what} of {ex.method} {ex.raw_path}: {exc!r}"
        print(self.redactor.text(line), file=self.errors, flush=True)


def _refusal(check: RequestCheck) -> Answer:
    problems = check.blocking
    first = problems[0]
    return hubspot_error(
        400,
        "VALIDATION_ERROR",
        f"The request breaks the pinned spec of {check.label} and was not forwarded "
        f"(scripts/proxy --strict): {first.where}: {first.detail}",
        [
            {"message": p.detail, "in": p.where.removeprefix("request "), "code": "SPEC_VIOLATION"}
            for p in problems
        ],
    )


def _target(scope: Scope) -> tuple[str, str]:
    raw = scope.get("raw_path")
    if raw:
        path = raw.decode("latin-1")
        if path.startswith(("http://", "https://")):
            # Absolute form (a client told to use this as its HTTP proxy): keep the path.
            path = "/" + path.split("/", 3)[3] if path.count("/") >= 3 else "/"
        path, _, in_path_query = path.partition("?")
    else:
        path, in_path_query = quote(scope["path"], safe="/@+:!$&'()*,;="), ""
    query = scope.get("query_string", b"").decode("latin-1") or in_path_query
    return path, query


async def _read_body(receive: Receive) -> bytes | None:
    chunks = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


async def _answer(send: Send, answer: Answer) -> None:
    headers = [
        (k.encode("latin-1", "replace"), v.encode("latin-1", "replace")) for k, v in answer.headers
    ]
    headers.append((b"content-length", str(len(answer.body)).encode()))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})
