"""`scripts/contract --traffic FILE`: judge recorded exchanges with the proxy's checks.

Reads three formats, told apart by content, not by name:

- HAR 1.2 (browser dev tools, mitmproxy, Schemathesis' `--report har`):
  http://www.softwareishard.com/blog/har-12-spec/ ;
- the proxy's record (`scripts/proxy --record FILE`): JSON Lines of HAR entries after a
  `{"commprefsProxyRecord": 1}` line (commprefs_kit/proxy/record.py);
- Schemathesis VCR cassettes (`st run --report vcr`): YAML with `http_interactions`.

A file is read entry by entry. A malformed entry, an entry outside the pinned spec, a body cut
short (HAR `content.size` larger than the text) or a file that ends mid-entry (a truncated
download) gets one message naming the entry; the rest of the file is still judged.
Truncated JSON is read as far as it goes with `json.JSONDecoder.raw_decode`, one entry at a
time; a truncated cassette is read interaction by interaction.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from commprefs_kit.proxy.exchange import Exchange
from commprefs_kit.proxy.record import RECORD_MARKER
from commprefs_kit.proxy.redact import Redactor
from commprefs_kit.proxy.report import FindingLog
from commprefs_kit.proxy.spec_view import spec_view
from commprefs_kit.proxy.validate import AUTH_WHERE, Judge, finalize

HAR = "HAR 1.2"
RECORD = "proxy record"
CASSETTE = "Schemathesis cassette"
# Credentials recorders put in place of the token: the request did carry one.
REDACTED_MARKERS = ("[filtered]", "$hubspot_access_token", "[redacted]", "***")


class TrafficError(Exception):
    """The file cannot be read at all; one line for the user."""


class EntryError(Exception):
    """One entry cannot be judged; the message says why."""


@dataclass
class Entry:
    number: int  # 1-based, in file order
    exchange: Exchange | None
    problem: str | None = None


@dataclass
class TrafficRun:
    format: str
    entries: int
    judged: int
    log: FindingLog


# ---- reading -----------------------------------------------------------------------------


def read_traffic(path: Path) -> tuple[str, Iterator[Entry]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TrafficError(f"cannot read {path}: {exc.strerror or exc}") from None
    text = raw.decode("utf-8", "replace")
    stripped = text.lstrip()
    if not stripped:
        raise TrafficError(f"{path} is empty")
    first_line = stripped.split("\n", 1)[0]
    if stripped.startswith("{") and RECORD_MARKER in first_line:
        return RECORD, _record_entries(stripped)
    if stripped.startswith("{"):
        return HAR, _har_entries(stripped, path)
    if re.search(r"^http_interactions:", text, re.MULTILINE):
        return CASSETTE, _cassette_entries(text)
    raise TrafficError(f"{path} is neither a HAR file, a proxy record nor a Schemathesis cassette")


def _har_entries(text: str, path: Path) -> Iterator[Entry]:
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if isinstance(document, Mapping):
        log = document.get("log")
        entries = log.get("entries") if isinstance(log, Mapping) else None
        if not isinstance(entries, list):
            raise TrafficError(f"{path} is JSON but not HAR: no log.entries list")
        for number, entry in enumerate(entries, 1):
            yield _converted(number, entry, har_exchange)
        return
    # Not valid JSON: read the entries one by one as far as the file goes.
    found = re.search(r'"entries"\s*:\s*\[', text)
    if found is None:
        raise TrafficError(f"{path} is not valid JSON and has no HAR entries list")
    decoder = json.JSONDecoder()
    position = found.end()
    number = 0
    while True:
        position = _skip(text, position, " \t\r\n,")
        if position >= len(text):
            number += 1
            yield Entry(number, None, "the file ends here: it is truncated (no closing `]`)")
            return
        if text[position] == "]":
            return
        number += 1
        try:
            entry, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            if _truncated_at(text, position):
                yield Entry(number, None, "the file ends inside this entry: it is truncated")
            else:
                yield Entry(number, None, f"not valid JSON ({exc.msg}); the rest is skipped")
            return
        yield _converted(number, entry, har_exchange)


def _truncated_at(text: str, position: int) -> bool:
    """Whether the JSON value starting at ``position`` runs to the end of the file unclosed."""
    depth = 0
    in_string = escaped = False
    for char in text[position:]:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth == 0:
                return False
    return True


def _skip(text: str, position: int, chars: str) -> int:
    while position < len(text) and text[position] in chars:
        position += 1
    return position


def _record_entries(text: str) -> Iterator[Entry]:
    lines = text.splitlines()
    for number, line in enumerate(lines[1:], 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            last = number == len(lines) - 1
            why = "the file ends inside this entry: it is truncated" if last else exc.msg
            yield Entry(number, None, f"not valid JSON: {why}")
            continue
        yield _converted(number, entry, har_exchange)


def _cassette_entries(text: str) -> Iterator[Entry]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        document = yaml.load(text, Loader=loader)
        interactions = document.get("http_interactions") if isinstance(document, dict) else None
    except yaml.YAMLError:
        interactions = None
    if isinstance(interactions, list):
        for number, item in enumerate(interactions, 1):
            yield _converted(number, item, cassette_exchange)
        return
    # Malformed or truncated YAML: parse each interaction on its own.
    body = text.split("http_interactions:", 1)[1]
    chunks = re.split(r"(?m)^(?=- id:)", body)
    chunks = [c for c in chunks if c.strip().startswith("- id:")]
    for number, chunk in enumerate(chunks, 1):
        try:
            parsed = yaml.load(chunk, Loader=loader)
            item = parsed[0] if isinstance(parsed, list) and parsed else None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem", None) or "invalid YAML"
            yield Entry(number, None, f"not valid YAML ({mark}); the file may be truncated")
            continue
        yield _converted(number, item, cassette_exchange)


def _converted(number: int, raw: Any, convert: Any) -> Entry:
    try:
        return Entry(number, convert(raw))
    except EntryError as exc:
        return Entry(number, None, str(exc))


# ---- conversion --------------------------------------------------------------------------


def _need(node: Any, key: str, kind: type, where: str) -> Any:
    value = node.get(key) if isinstance(node, Mapping) else None
    if not isinstance(value, kind):
        noun = {str: "a string", int: "a number", list: "a list"}.get(kind, "an object")
        raise EntryError(f"{where}.{key} is missing or not {noun}")
    return value


def _split_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    if not parts.path:
        raise EntryError(f"request.url {url!r} has no path")
    return parts.path, parts.query


def _har_headers(node: Any, where: str) -> list[tuple[str, str]]:
    headers = node.get("headers", []) if isinstance(node, Mapping) else []
    if not isinstance(headers, list):
        raise EntryError(f"{where}.headers is not a list")
    out = []
    for header in headers:
        if not isinstance(header, Mapping) or not isinstance(header.get("name"), str):
            raise EntryError(f"{where}.headers has an entry without a name")
        out.append((header["name"].lower(), str(header.get("value", ""))))
    return out


def har_exchange(entry: Any) -> Exchange:
    """One HAR 1.2 entry (also a line of the proxy's record) as an exchange."""
    if not isinstance(entry, Mapping):
        raise EntryError("not a HAR entry (an object with request and response)")
    request = _need(entry, "request", Mapping, "entry")
    method = _need(request, "method", str, "request").upper()
    raw_path, query = _split_url(_need(request, "url", str, "request"))
    ex = Exchange(
        method=method,
        raw_path=raw_path,
        query=query,
        request_headers=_har_headers(request, "request"),
        started=str(entry.get("startedDateTime", "")),
    )
    post = request.get("postData")
    if isinstance(post, Mapping):
        text = post.get("text")
        if isinstance(text, str):
            ex.request_body = _decode(text, post.get("encoding"), "request.postData")
        elif request.get("bodySize", 0) not in (0, -1, None):
            ex.request_truncated = True
        if post.get("mimeType") and ex.request_header("content-type") is None:
            ex.request_headers.append(("content-type", str(post["mimeType"])))
    response = entry.get("response")
    if not isinstance(response, Mapping):
        raise EntryError("entry.response is missing: no answer was recorded")
    status = response.get("status")
    if not isinstance(status, int) or isinstance(status, bool) or status <= 0:
        raise EntryError(
            f"response.status is {status!r}: no answer was recorded (aborted or blocked request)"
        )
    ex.status = status
    ex.response_headers = _har_headers(response, "response")
    content = response.get("content")
    if isinstance(content, Mapping):
        text = content.get("text")
        size = content.get("size")
        if isinstance(text, str):
            ex.response_body = _decode(text, content.get("encoding"), "response.content")
        if isinstance(size, int) and size > len(ex.response_body):
            ex.response_truncated = True
        mime = content.get("mimeType")
        if mime and ex.response_header("content-type") is None:
            ex.response_headers.append(("content-type", str(mime)))
    return ex


def cassette_exchange(item: Any) -> Exchange:
    """One interaction of a Schemathesis VCR cassette as an exchange."""
    if not isinstance(item, Mapping):
        raise EntryError("not a cassette interaction")
    request = _need(item, "request", Mapping, "interaction")
    method = _need(request, "method", str, "request").upper()
    raw_path, query = _split_url(_need(request, "uri", str, "request"))
    ex = Exchange(
        method=method,
        raw_path=raw_path,
        query=query,
        request_headers=_vcr_headers(request),
        request_body=_vcr_body(request.get("body"), "request.body"),
        started=str(item.get("recorded_at", "")),
    )
    response = item.get("response")
    if not isinstance(response, Mapping):
        raise EntryError("no response was recorded (the request failed or timed out)")
    status = response.get("status")
    code = status.get("code") if isinstance(status, Mapping) else None
    try:
        ex.status = int(str(code))
    except ValueError:
        raise EntryError(f"response.status.code {code!r} is not a status code") from None
    ex.response_headers = _vcr_headers(response)
    ex.response_body = _vcr_body(response.get("body"), "response.body")
    length = ex.response_header("content-length")
    if length and length.isdigit() and int(length) > len(ex.response_body):
        ex.response_truncated = True
    return ex


def _vcr_headers(node: Mapping[str, Any]) -> list[tuple[str, str]]:
    headers = node.get("headers") or {}
    if not isinstance(headers, Mapping):
        raise EntryError("headers are not a mapping")
    out = []
    for name, values in headers.items():
        for value in values if isinstance(values, list) else [values]:
            out.append((str(name).lower(), str(value)))
    return out


def _vcr_body(body: Any, where: str) -> bytes:
    if body is None:
        return b""
    if not isinstance(body, Mapping):
        raise EntryError(f"{where} is not a mapping")
    if isinstance(body.get("base64_string"), str):
        return _decode(body["base64_string"], "base64", where)
    text = body.get("string")
    return text.encode("utf-8", "surrogatepass") if isinstance(text, str) else b""


def _decode(text: str, encoding: Any, where: str) -> bytes:
    if encoding == "base64":
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise EntryError(f"{where} says base64 but is not") from None
    return text.encode("utf-8", "surrogatepass")


# ---- judging -----------------------------------------------------------------------------


def _learn_token(ex: Exchange, redactor: Redactor) -> None:
    value = ex.request_header("authorization")
    if value:
        redactor.learn_header(value)


def _carries_credential(ex: Exchange) -> bool:
    value = (ex.request_header("authorization") or "").strip().lower()
    return any(marker in value for marker in REDACTED_MARKERS)


def judge_traffic(path: Path, log: FindingLog, tokens: tuple[str, ...] = ()) -> TrafficRun:
    """Judge every entry of ``path`` into ``log``; raise TrafficError if nothing can be read."""
    for token in tokens:
        log.redactor.learn(token)
    kind, entries = read_traffic(path)
    judge = Judge(spec_view())
    count = judged = 0
    for entry in entries:
        count += 1
        where = f"entry {entry.number}"
        if entry.exchange is None:
            log.note(f"{where}: {entry.problem}")
            continue
        ex = entry.exchange
        _learn_token(ex, log.redactor)
        check = judge.request(ex)
        if check.operation is None:
            log.note(
                f"{where}: {ex.method} {ex.raw_path} is not an operation of the pinned spec "
                "(not judged)"
            )
            continue
        request_problems = check.problems
        if ex.request_header("authorization") is None or _carries_credential(ex):
            # Recorders drop or mask Authorization: its absence proves nothing here.
            request_problems = [p for p in request_problems if p.where != AUTH_WHERE]
        response_problems = judge.response(check, ex)
        if _carries_credential(ex):
            # The recorder hid the token; the request did carry one.
            response_problems = [p for p in response_problems if p.kind != "auth-not-enforced"]
        elif ex.request_header("authorization") is None:
            # Many recorders drop Authorization altogether: absence proves nothing here.
            response_problems = [p for p in response_problems if p.kind != "auth-not-enforced"]
        if ex.response_truncated:
            log.note(f"{where}: {check.label}: the recorded response body is truncated")
        if ex.request_truncated:
            log.note(f"{where}: {check.label}: the recorded request body is truncated")
        findings = finalize(check, ex, request_problems, response_problems)
        for finding in findings:
            finding.where = f"{where}: {finding.where}"
        log.add(check.label, findings, ex)
        judged += 1
    if count == 0:
        log.note(f"{path.name} holds no entries")
    return TrafficRun(kind, count, judged, log)
