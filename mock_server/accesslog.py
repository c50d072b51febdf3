"""The access log: one line per request, never a token (mock_server/README.md, "Access log").

A line reads::

    2026-03-19T12:00:00.123Z POST /communication-preferences/2026-03/statuses/batch/write
    ?channel=EMAIL 400 batch_update_statuses 019...-correlation-id reason="..."

(one line; wrapped here). Query parameters the operation does not declare are logged by
name with the value ``***``; any accepted token, and the credential of the request's
``Authorization`` header, are replaced by ``[token]`` wherever they occur in the line.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TextIO
from urllib.parse import quote, quote_plus, unquote_plus

REDACTED_VALUE = "***"
TOKEN_MARK = "[token]"
_CONTROL = {i: f"\\x{i:02x}" for i in (*range(32), 127)}


def open_destination(destination: str) -> TextIO:
    """``-`` is stderr; anything else a file opened for appending, one write per line.

    Raises OSError when the file cannot be opened (the CLI checks this before serving)."""
    if destination == "-":
        return sys.stderr
    return open(destination, "a", encoding="utf-8", buffering=1)


def secret_variants(secrets: Iterable[str]) -> tuple[str, ...]:
    """Each secret as sent and in its percent-encoded spellings, longest first."""
    found: set[str] = set()
    for secret in secrets:
        if secret:
            found.update({secret, quote(secret, safe=""), quote_plus(secret, safe="")})
    return tuple(sorted(found, key=len, reverse=True))


def scrub(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, TOKEN_MARK)
    return text


def logged_target(path: str, query: bytes, declared: frozenset[str]) -> str:
    """``path?query`` with the values of undeclared query parameters replaced by ``***``."""
    if not query:
        return path
    parts = []
    for item in query.decode("latin-1").split("&"):
        name, sep, _ = item.partition("=")
        if sep and unquote_plus(name) not in declared:
            parts.append(f"{name}={REDACTED_VALUE}")
        else:
            parts.append(item)
    return f"{path}?{'&'.join(parts)}"


def one_line(text: str) -> str:
    """Control characters (a newline in a request value) escaped: one entry, one line."""
    return text if text.isprintable() else text.translate(_CONTROL)


class AccessLog:
    """Writes access-log lines to a stream; a failing stream turns the log off, never the mock."""

    def __init__(self, stream: TextIO, tokens: Iterable[str]) -> None:
        self._stream = stream
        self._tokens = secret_variants(tokens)
        self._broken = False

    def write(self, fields: list[str], request_secret: str | None) -> None:
        if self._broken:
            return
        line = one_line(" ".join(fields))
        secrets = self._tokens
        if request_secret and request_secret not in secrets:
            secrets = (*secret_variants([request_secret]), *secrets)
        line = scrub(line, secrets)
        try:
            self._stream.write(line + "\n")
        except (OSError, ValueError):
            self._broken = True


def authorization_secret(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """The credential part of the Authorization header, whatever its scheme."""
    for name, value in headers:
        if name == b"authorization":
            text = value.decode("latin-1").strip()
            scheme, _, credential = text.partition(" ")
            return credential.strip() or scheme or None
    return None
