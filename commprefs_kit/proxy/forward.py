"""Forwarding: send a request upstream unchanged, with one pooled httpx.AsyncClient.

The request keeps its method, raw (percent-encoded) path, query, headers (the token too) and
body; only hop-by-hop headers (RFC 9110 section 7.6.1) and ``Host`` are left for httpx to set.
The answer is read whole, since it is validated; a compressed answer is passed on decoded
(``content-encoding`` dropped, ``content-length`` fixed), which is the same content.
Failures to get an answer become `UpstreamFailure` with HubSpot's error body, never an
exception for the server to turn into a traceback.
"""

from __future__ import annotations

import ssl
import uuid
from dataclasses import dataclass

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
# Dropped from answers: the body is passed on decoded and with its own length.
_RESPONSE_DROP = HOP_BY_HOP | {"content-encoding"}


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


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
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            follow_redirects=False,
            trust_env=False,
            transport=transport,
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    async def send(
        self, method: str, raw_path: str, query: str, headers: list[tuple[str, str]], body: bytes
    ) -> Answer | UpstreamFailure:
        target = self._prefix + raw_path.encode("latin-1")
        if query:
            target += b"?" + query.encode("latin-1")
        url = self.upstream.copy_with(raw_path=target)
        sent = [(k, v) for k, v in headers if k not in HOP_BY_HOP]
        request = self.client.build_request(method, url, headers=sent, content=body)
        try:
            response = await self.client.send(request)
            try:
                content = await response.aread()
            finally:
                await response.aclose()
        except httpx.TimeoutException as exc:
            return _failure(
                "upstream-timeout",
                f"{self._host} did not answer in time ({type(exc).__name__})",
                504,
            )
        except httpx.ConnectError as exc:
            return _failure("upstream-unreachable", f"cannot reach {self._host}: {_why(exc)}", 502)
        except (httpx.HTTPError, ssl.SSLError, OSError) as exc:
            return _failure("upstream-unreachable", f"{self._host} failed: {_why(exc)}", 502)
        out = [
            (k.lower(), v)
            for k, v in response.headers.multi_items()
            if k.lower() not in _RESPONSE_DROP
        ]
        return Answer(response.status_code, out, content)

    @property
    def _host(self) -> str:
        return str(self.upstream.copy_with(raw_path=b"/")).rstrip("/")


def _why(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]


def _failure(kind: str, reason: str, status: int) -> UpstreamFailure:
    category = "GATEWAY_TIMEOUT" if status == 504 else "BAD_GATEWAY"
    return UpstreamFailure(
        kind, reason, hubspot_error(status, category, f"The proxy got no answer: {reason}")
    )
