"""Keeping tokens out of everything the proxy writes: live lines, the record and the reports.

Every bearer token seen in a request is remembered (the most recent ones), and replaced by
``$HUBSPOT_ACCESS_TOKEN`` wherever it appears, also inside a body where an upstream echoes it;
``Authorization`` headers are replaced whole. Any ``Bearer <credential>`` left in free text is
masked too, for tokens the proxy never saw in a header.
"""

from __future__ import annotations

import re
from collections import OrderedDict

from commprefs_kit.contract.target import TOKEN_PLACEHOLDER

PLACEHOLDER = TOKEN_PLACEHOLDER
_BEARER = re.compile(r"(?i)\b(bearer)\s+(?!\$HUBSPOT_ACCESS_TOKEN)[A-Za-z0-9._~+/=:-]{4,}")
# Headers whose whole value is a credential.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
MIN_TOKEN = 4  # shorter "tokens" would mangle ordinary text


class Redactor:
    def __init__(self, tokens: tuple[str, ...] = (), keep: int = 256) -> None:
        self._tokens: OrderedDict[str, None] = OrderedDict()
        self._keep = keep
        for token in tokens:
            self.learn(token)

    def learn(self, token: str) -> None:
        token = token.strip()
        if len(token) < MIN_TOKEN:
            return
        self._tokens[token] = None
        self._tokens.move_to_end(token)
        while len(self._tokens) > self._keep:
            self._tokens.popitem(last=False)

    def learn_header(self, value: str) -> None:
        """Remember the credential of an ``Authorization`` value (``Bearer <token>``)."""
        scheme, _, credential = value.strip().partition(" ")
        self.learn(credential if credential else scheme)

    def text(self, value: str) -> str:
        for token in sorted(self._tokens, key=len, reverse=True):
            if token in value:
                value = value.replace(token, PLACEHOLDER)
        return _BEARER.sub(lambda m: f"{m.group(1)} {PLACEHOLDER}", value)

    def data(self, value: bytes) -> bytes:
        for token in sorted(self._tokens, key=len, reverse=True):
            raw = token.encode("utf-8", "replace")
            if raw in value:
                value = value.replace(raw, PLACEHOLDER.encode())
        return value

    def headers(self, headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
        out = []
        for name, value in headers:
            if name.lower() in SECRET_HEADERS:
                scheme = value.strip().partition(" ")[0]
                shown = f"{scheme} {PLACEHOLDER}" if scheme.lower() == "bearer" else PLACEHOLDER
                out.append((name, shown))
            else:
                out.append((name, self.text(value)))
        return out
