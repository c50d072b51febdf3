"""Masking credentials wherever a request could surface them: messages, URLs, body text."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

REDACTED = "[redacted]"
# Query parameters that carry secrets in HubSpot's legacy schemes.
_SECRET_QUERY_PARAMS = frozenset({"hapikey", "access_token"})
# Very short values would mask ordinary words; real tokens are long.
_MIN_SECRET_LENGTH = 4


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret replaced by ``[redacted]``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def redact_url(url: str, secrets: Iterable[str] = ()) -> str:
    """``url`` with secret query values (``hapikey``, ``access_token``) and ``secrets`` masked."""
    try:
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
    except ValueError:
        return redact(url, secrets)
    if any(key.lower() in _SECRET_QUERY_PARAMS for key, _ in query):
        masked = [(k, REDACTED if k.lower() in _SECRET_QUERY_PARAMS else v) for k, v in query]
        url = urlunsplit(parts._replace(query=urlencode(masked, safe="[]")))
    return redact(url, secrets)


def secrets_of(request: httpx.Request) -> tuple[str, ...]:
    """The credentials a request carries (bearer token, ``hapikey``), to mask them."""
    found: list[str] = []
    auth = request.headers.get("authorization", "")
    scheme, _, credential = auth.partition(" ")
    token = credential.strip() if scheme.lower() == "bearer" else auth.strip()
    if token:
        found.append(token)
    for key, value in request.url.params.multi_items():
        if key.lower() in _SECRET_QUERY_PARAMS and value:
            found.append(value)
    return tuple(s for s in found if len(s) >= _MIN_SECRET_LENGTH)
