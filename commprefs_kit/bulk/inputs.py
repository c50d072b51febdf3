"""Stream addresses out of a text file, a CSV column or stdin, one record at a time.

Nothing here holds more than one record (plus, after a broken quote, the physical
lines of that one record), so memory stays flat however long the input is.
Every input line ends up as an `Address`, a `Malformed` (line number, content,
reason) or a skipped blank line; a broken line never stops the stream.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TextIO

from commprefs_kit.bulk.normalise import Invalid, normalise_email

# Header names accepted as "the email column", compared without case and punctuation.
EMAIL_HEADERS = frozenset({"email", "emailaddress", "mail", "emailaddr", "mailaddress"})
_NOT_ALNUM = re.compile(r"[^a-z0-9]")
_DELIMITERS = ",;\t|"
MAX_SHOWN = 200  # characters of a malformed line kept in reports


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


def _shown(text: str) -> str:
    text = text.rstrip("\r\n")
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "..."


def _classify(line_no: int, value: str, content: str) -> InputRecord:
    result = normalise_email(value)
    if isinstance(result, Invalid):
        return Malformed(line_no, _shown(content), result.reason)
    return Address(line_no, result)


def open_input(path: Path | None) -> TextIO:
    """A text stream over the file (or stdin for None/'-'); BOM dropped, bad bytes marked."""
    if path is None or str(path) == "-":
        return io.TextIOWrapper(
            sys.stdin.buffer, encoding="utf-8-sig", errors="replace", newline=""
        )
    try:
        return path.open(encoding="utf-8-sig", errors="replace", newline="")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc


def resolve_format(fmt: InputFormat, path: Path | None, column: str | None) -> InputFormat:
    if fmt is not InputFormat.AUTO:
        return fmt
    if column is not None:
        return InputFormat.CSV
    if path is not None and path.suffix.lower() in {".csv", ".tsv"}:
        return InputFormat.CSV
    return InputFormat.LINES


def read_records(
    stream: TextIO, fmt: InputFormat, column: str | None, stats: ReadStats
) -> Iterator[InputRecord]:
    if fmt is InputFormat.CSV:
        return read_csv(stream, column, stats)
    return read_lines(stream, stats)


def read_lines(stream: TextIO, stats: ReadStats) -> Iterator[InputRecord]:
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


def read_csv(stream: TextIO, column: str | None, stats: ReadStats) -> Iterator[InputRecord]:
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
