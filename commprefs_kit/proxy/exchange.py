"""One request and its answer, as the proxy saw it or a traffic file recorded it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Exchange:
    method: str
    raw_path: str  # percent-encoded, without the query
    query: str = ""  # raw query string, without "?"
    request_headers: list[tuple[str, str]] = field(default_factory=list)  # names lower case
    request_body: bytes = b""
    status: int | None = None  # None: no answer (upstream failed, or the file has none)
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_body: bytes = b""
    started: str = ""  # ISO 8601
    elapsed_ms: float | None = None
    # Traffic files: the body was cut short (HAR content.size larger than the text).
    response_truncated: bool = False
    request_truncated: bool = False

    def request_header(self, name: str) -> str | None:
        return _header(self.request_headers, name)

    def response_header(self, name: str) -> str | None:
        return _header(self.response_headers, name)

    @property
    def target(self) -> str:
        return f"{self.raw_path}?{self.query}" if self.query else self.raw_path


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    for key, value in headers:
        if key == name:
            return value
    return None
