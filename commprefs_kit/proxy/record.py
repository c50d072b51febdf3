"""The proxy's record (``--record FILE``): one exchange per line, tokens redacted.

JSON Lines, so that a proxy stopped at any moment leaves a readable file (every line is
flushed): a first line ``{"commprefsProxyRecord": 1, ...}``, then one HAR 1.2 ``entry`` object
per line (http://www.softwareishard.com/blog/har-12-spec/#entries). `scripts/contract
--traffic FILE` reads it with the same code as a HAR file.
"""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path
from typing import IO, Any

import orjson

from commprefs_kit.proxy.exchange import Exchange
from commprefs_kit.proxy.redact import Redactor

RECORD_MARKER = "commprefsProxyRecord"
RECORD_VERSION = 1


def _content(body: bytes, mime: str) -> dict[str, Any]:
    try:
        return {"size": len(body), "mimeType": mime, "text": body.decode("utf-8")}
    except UnicodeDecodeError:
        return {
            "size": len(body),
            "mimeType": mime,
            "text": base64.b64encode(body).decode(),
            "encoding": "base64",
        }


def _headers(headers: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in headers]


def har_entry(ex: Exchange, origin: str, redactor: Redactor) -> dict[str, Any]:
    """One HAR 1.2 entry for ``ex``, every token replaced."""
    request_mime = ex.request_header("content-type") or ""
    response_mime = ex.response_header("content-type") or ""
    request: dict[str, Any] = {
        "method": ex.method,
        "url": redactor.text(origin + ex.target),
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": _headers(redactor.headers(ex.request_headers)),
        "queryString": [],
        "headersSize": -1,
        "bodySize": len(ex.request_body),
    }
    if ex.request_body:
        request["postData"] = {
            "mimeType": request_mime,
            "text": redactor.data(ex.request_body).decode("utf-8", "replace"),
        }
    response: dict[str, Any] = {
        "status": ex.status if ex.status is not None else 0,
        "statusText": "",
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": _headers(redactor.headers(ex.response_headers)),
        "content": _content(redactor.data(ex.response_body), response_mime),
        "redirectURL": "",
        "headersSize": -1,
        "bodySize": len(ex.response_body),
    }
    return {
        "startedDateTime": ex.started or now_iso(),
        "time": ex.elapsed_ms if ex.elapsed_ms is not None else -1,
        "request": request,
        "response": response,
        "cache": {},
        "timings": {"send": -1, "wait": ex.elapsed_ms or -1, "receive": -1},
    }


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Recorder:
    def __init__(self, path: Path, origin: str, redactor: Redactor) -> None:
        self.path = path
        self._origin = origin.rstrip("/")
        self._redactor = redactor
        self._file: IO[bytes] | None = None

    def open(self) -> None:
        """Open for appending (idempotent); raises OSError when the file cannot be written."""
        if self._file is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("ab")
        if self.path.stat().st_size == 0:
            header = {RECORD_MARKER: RECORD_VERSION, "upstream": self._origin, "created": now_iso()}
            self._write(header)

    def add(self, ex: Exchange) -> None:
        if self._file is not None:
            self._write(har_entry(ex, self._origin, self._redactor))

    def _write(self, value: Any) -> None:
        assert self._file is not None
        self._file.write(orjson.dumps(value) + b"\n")
        self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
