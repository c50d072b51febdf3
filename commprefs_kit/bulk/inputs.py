"""Stream addresses out of a text file, a CSV column or stdin, one record at a time.

Nothing here holds more than one record (plus, after a broken quote, the physical
lines of that one record), so memory stays flat however long the input is.
Every input line ends up as an `Address`, a `Malformed` (line number, content,
reason) or a skipped blank line; a broken line never stops the stream.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import shlex
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TextIO

from commprefs_kit.bulk.normalise import Invalid, normalise_email

# Header names accepted as "the email column", compared without case and punctuation.
EMAIL_HEADERS = frozenset({"email", "emailaddress", "mail", "emailaddr", "mailaddress"})
_NOT_ALNUM = re.compile(r"[^a-z0-9]")
_DELIMITERS = ",;\t|"
MAX_SHOWN = 200  # characters of a malformed line kept in reports
SAMPLE_LINES = 20  # first lines kept to suggest --format/--column when most lines are malformed
_HEAD_BYTES = 8192  # bytes looked at for a BOM and for NUL bytes (binary files)
#: Encodings a Windows/Excel export often has; suggested when bytes are not UTF-8.
LEGACY_ENCODING_HINT = "cp1252"


class InputFormat(StrEnum):
    AUTO = "auto"
    CSV = "csv"
    LINES = "lines"


class InputError(Exception):
    """The input as a whole cannot be read (missing file, no email column)."""


@dataclass(frozen=True, slots=True)
class Address:
    line_no: int
    address: str


@dataclass(frozen=True, slots=True)
class Malformed:
    line_no: int
    content: str
    reason: str


InputRecord = Address | Malformed


@dataclass(slots=True)
class ReadStats:
    """Counters filled while streaming (the only state the reader keeps)."""

    lines: int = 0
    blank: int = 0
    header: str | None = None
    column: str | None = None
    undecodable: int = 0  # lines holding bytes the encoding could not decode
    first_undecodable: int | None = None
    sample: list[str] = field(default_factory=list)  # the first SAMPLE_LINES physical lines


def _shown(text: str) -> str:
    text = text.rstrip("\r\n")
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "..."


def _classify(line_no: int, value: str, content: str) -> InputRecord:
    result = normalise_email(value)
    if isinstance(result, Invalid):
        return Malformed(line_no, _shown(content), result.reason)
    return Address(line_no, result)


def check_encoding(name: str | None) -> str | None:
    """The codec name for --encoding (None: UTF-8 with BOM detection); InputError if unknown."""
    if name is None or not name.strip():
        return None
    try:
        return codecs.lookup(name.strip()).name
    except LookupError:
        raise InputError(
            f"--encoding {name!r} is not an encoding Python knows; "
            "e.g. utf-8, cp1252 (Windows/Excel), latin-1, utf-16"
        ) from None


def check_input_path(path: Path, encoding: str | None = None) -> None:
    """Refuse a missing, unreadable, empty or binary file, or a folder, before anything is
    written."""
    try:
        info = path.stat()
    except OSError as exc:
        raise InputError(f"cannot read the input {path}: {exc.strerror or exc}") from None
    if path.is_dir():
        raise InputError(f"the input {path} is a folder; give a CSV or text file of addresses")
    try:
        with path.open("rb") as raw:
            head = raw.read(_HEAD_BYTES) if path.is_file() else b""
    except OSError as exc:
        raise InputError(f"cannot read the input {path}: {exc.strerror or exc}") from None
    if info.st_size == 0 and path.is_file():
        raise InputError(f"the input {path} is empty: there is no address to opt out")
    detect_encoding(head, encoding, str(path))


def detect_encoding(head: bytes, encoding: str | None, name: str) -> str:
    """The codec to read with: `encoding`, else from a BOM, else UTF-8; refuse binary data.

    A UTF-16/32 BOM (Excel's "Unicode text" export) is followed; without one, NUL bytes
    mean the file is not text (a spreadsheet, archive or image) or is UTF-16 without a BOM.
    """
    if encoding is None:
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
            return "utf-32"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
    wide = encoding is not None and encoding.startswith(("utf-16", "utf-32", "utf_16", "utf_32"))
    if b"\0" in head and not wide:
        raise InputError(
            f"the input {name} is not a text file (it holds NUL bytes: a spreadsheet, archive "
            "or image?); export it as CSV or text, or pass --encoding utf-16 if it is UTF-16 text"
        )
    return encoding or "utf-8-sig"


def open_input(path: Path | None, encoding: str | None = None) -> TextIO:
    """A text stream over the file (or stdin for None/'-'); BOM dropped, bad bytes marked.

    `encoding` None reads UTF-8 (a UTF-8, UTF-16 or UTF-32 BOM is followed). Bytes the
    encoding cannot decode become U+FFFD, so their lines are reported, not fatal.
    """
    if path is None or str(path) == "-":
        raw: io.BufferedReader = sys.stdin.buffer  # type: ignore[assignment]
        name = "on stdin"
    else:
        try:
            raw = path.open("rb")
        except OSError as exc:
            raise InputError(f"cannot read the input {path}: {exc.strerror or exc}") from exc
        name = str(path)
    try:
        head = raw.peek(_HEAD_BYTES)[:_HEAD_BYTES] if hasattr(raw, "peek") else b""
        codec = detect_encoding(head, encoding, name)
    except BaseException:
        if raw is not sys.stdin.buffer:
            raw.close()
        raise
    return io.TextIOWrapper(raw, encoding=codec, errors="replace", newline="")


def resolve_format(fmt: InputFormat, path: Path | None, column: str | None) -> InputFormat:
    if fmt is not InputFormat.AUTO:
        return fmt
    if column is not None:
        return InputFormat.CSV
    if path is not None and path.suffix.lower() in {".csv", ".tsv"}:
        return InputFormat.CSV
    return InputFormat.LINES


def read_records(
    stream: Iterable[str], fmt: InputFormat, column: str | None, stats: ReadStats
) -> Iterator[InputRecord]:
    lines = _watched(stream, stats)
    if fmt is InputFormat.CSV:
        return read_csv(lines, column, stats)
    return read_lines(lines, stats)


def _watched(stream: Iterable[str], stats: ReadStats) -> Iterator[str]:
    """The physical lines, counting undecodable ones and keeping the first few as a sample."""
    for line_no, line in enumerate(stream, start=1):
        if len(stats.sample) < SAMPLE_LINES:
            stats.sample.append(line[: MAX_SHOWN * 4])
        if "\ufffd" in line:
            stats.undecodable += 1
            if stats.first_undecodable is None:
                stats.first_undecodable = line_no
        yield line


def read_lines(stream: Iterable[str], stats: ReadStats) -> Iterator[InputRecord]:
    """One address per line; a first line that is just a header name is skipped."""
    for line_no, line in enumerate(stream, start=1):
        stats.lines = line_no
        value = line.strip()
        if not value:
            stats.blank += 1
            continue
        if stats.header is None and line_no == 1 and _is_email_header(value):
            stats.header = value
            continue
        yield _classify(line_no, value, line)


def _is_email_header(name: str) -> bool:
    return _NOT_ALNUM.sub("", name.strip().strip("\"'").lower()) in EMAIL_HEADERS


class _LineTap:
    """Physical lines for csv.reader, remembering those of the record being read.

    Lines can be pushed back: after a broken record, all but its first line are read
    again as CSV, so one stray quote costs one line, not the rest of the file.
    """

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self._pushed: deque[str] = deque()
        self.line_no = 0
        self.taken: list[str] = []

    def __iter__(self) -> _LineTap:
        return self

    def __next__(self) -> str:
        line = self._pushed.popleft() if self._pushed else next(self._lines)
        self.line_no += 1
        self.taken.append(line)
        return line

    def push_back(self, lines: list[str]) -> None:
        self._pushed.extendleft(reversed(lines))
        self.line_no -= len(lines)


def _guess_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(stream: Iterable[str], column: str | None, stats: ReadStats) -> Iterator[InputRecord]:
    """The email column of a CSV file (comma, semicolon, tab or pipe separated).

    A quote that is never closed would make csv swallow every following line into
    one field; such a record is reported as malformed and its physical lines are
    read again one by one, so the addresses after it are not lost.
    """
    lines = iter(stream)
    first = ""
    for first in lines:
        if first.strip():
            break
        stats.blank += 1
    else:
        return
    skipped = stats.blank
    tap = _LineTap(_chain(first, lines))
    tap.line_no = skipped
    dialect = _dialect(_guess_delimiter(first))
    reader = csv.reader(tap, dialect)
    header = next(reader)
    index, header_is_data = _email_column(header, column)
    width = len(header)
    stats.header = None if header_is_data else _shown(first)
    stats.column = column if column is not None else (None if header_is_data else header[index])
    if header_is_data:
        yield _cell(header, index, tap.line_no, first)
    while True:
        tap.taken = []
        start = tap.line_no + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield from _skip_first_line(tap, start, f"CSV error: {exc}")
            reader = csv.reader(tap, dialect)
            continue
        finally:
            stats.lines = max(stats.lines, tap.line_no)
        if len(tap.taken) > 1 and _broken(row, index, width):
            yield from _skip_first_line(tap, start, "unbalanced quote")
            reader = csv.reader(tap, dialect)
            continue
        if not any(cell.strip() for cell in row):
            stats.blank += 1
            continue
        yield _cell(row, index, start, "".join(tap.taken))


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _dialect(delimiter: str) -> type[csv.Dialect]:
    class Sniffed(csv.excel):
        pass

    Sniffed.delimiter = delimiter
    Sniffed.skipinitialspace = True
    return Sniffed


def _broken(row: list[str], index: int, width: int) -> bool:
    if len(row) != width:
        return True
    cell = row[index] if index < len(row) else ""
    return "\n" in cell or "\r" in cell


def _skip_first_line(tap: _LineTap, start: int, reason: str) -> Iterator[InputRecord]:
    """Report a broken record's first line; its other lines go back to be read again."""
    if not tap.taken:
        return
    yield Malformed(start, _shown(tap.taken[0]), reason)
    tap.push_back(tap.taken[1:])


def _cell(row: list[str], index: int, line_no: int, content: str) -> InputRecord:
    if index >= len(row):
        return Malformed(
            line_no, _shown(content), f"row has {len(row)} field(s); the email is field {index + 1}"
        )
    return _classify(line_no, row[index], content)


def _email_column(header: list[str], column: str | None) -> tuple[int, bool]:
    """Index of the email column, and whether the first row is data (no header)."""
    names = [cell.strip() for cell in header]
    if column is not None:
        if column.isdigit() and int(column) >= 1:
            i = int(column) - 1
            return i, i < len(names) and isinstance(normalise_email(names[i]), str)
        wanted = column.strip().lower()
        for i, name in enumerate(names):
            if name.lower() == wanted:
                return i, False
        raise InputError(f"no column named {column!r}; the header is {names}")
    for i, name in enumerate(names):
        if _is_email_header(name):
            return i, False
    for i, name in enumerate(names):
        if isinstance(normalise_email(name), str):
            return i, True  # no header row: the first row already holds an address
    raise InputError(
        f"no email column found (looked for a header named email, Email or e-mail); "
        f"the header is {names}; pass --column NAME"
    )


def suggest_reading(sample: list[str], fmt: InputFormat, column: str | None) -> str | None:
    """Options that would read `sample` (the first lines) as addresses, when the current do not.

    Looks for a separated column where most rows hold an address: a CSV export read as
    one address per line gives "--format csv" (or "--column N"), a CSV read through the
    wrong column gives "--column NAME". None when nothing better is found.
    """
    lines = [line for line in sample if line.strip()]
    if len(lines) < 2:
        return None
    try:
        rows = list(csv.reader(lines, _dialect(_guess_delimiter(lines[0]))))
    except csv.Error:
        return None
    if max(len(row) for row in rows) < 2:
        return None
    header = [cell.strip() for cell in rows[0]]
    has_header = not any(isinstance(normalise_email(cell), str) for cell in header)
    data = rows[1:] if has_header else rows
    counts = [
        sum(1 for row in data if i < len(row) and isinstance(normalise_email(row[i]), str))
        for i in range(max(len(row) for row in rows))
    ]
    best = max(range(len(counts)), key=lambda i: counts[i])
    if not data or counts[best] * 2 < len(data):
        return None
    name = header[best] if has_header and best < len(header) and header[best] else None
    wanted = shlex.quote(name) if name else str(best + 1)
    if fmt is InputFormat.CSV:
        current = column.strip().lower() if column else None
        if current in {str(best + 1), (name or "").lower()}:
            return None
        return f"--column {wanted}"
    if name is not None and _is_email_header(name):
        return "--format csv"
    return f"--format csv --column {wanted}"
