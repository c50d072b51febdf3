"""Reading and normalising addresses: messy files give addresses and explained rejects."""

from __future__ import annotations

import codecs
import io
from pathlib import Path

import pytest

from commprefs_kit.bulk.inputs import (
    Address,
    InputError,
    InputFormat,
    Malformed,
    ReadStats,
    check_encoding,
    detect_encoding,
    open_input,
    read_records,
    resolve_format,
    suggest_reading,
)
from commprefs_kit.bulk.normalise import Invalid, normalise_email


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ann@Example.COM", "ann@example.com"),
        ("  bob@example.com\t", "bob@example.com"),
        ('"carl@example.com"', "carl@example.com"),
        ("Dan Smith <Dan@Example.com>", "dan@example.com"),
        ("mailto:eve@example.com", "eve@example.com"),
        ("\ufefffay+tag@sub.example.co.uk\u200b", "fay+tag@sub.example.co.uk"),
        ("o'neil@example.ie", "o'neil@example.ie"),
        ("josé@exämple.de", "josé@exämple.de"),
    ],
)
def test_normalised(raw: str, expected: str) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("ann.example.com", "no @"),
        ("a@b@example.com", "more than one @"),
        ("@example.com", "nothing before @"),
        ("ann@", "nothing after @"),
        ("ann@localhost", "no dot"),
        ("ann@example..com", "empty label"),
        ("ann@-example.com", "not allowed"),
        (".ann@example.com", "not allowed"),
        ("an..n@example.com", "not allowed"),
        ("ann smith@example.com", "whitespace"),
        ("ann@example.123", "number"),
        ("a" * 65 + "@example.com", "longer than 64"),
        ("ann@" + "a" * 250 + ".com", "longer than 254"),
        ("ann\ufffd@example.com", "UTF-8"),
        ("+44 20 7946 0000", "whitespace"),
    ],
)
def test_rejected_with_a_reason(raw: str, reason: str) -> None:
    result = normalise_email(raw)
    assert isinstance(result, Invalid)
    assert reason in result.reason


def read(text: str | bytes, fmt: InputFormat, column: str | None = None) -> tuple[list, ReadStats]:  # type: ignore[type-arg]
    data = text.encode() if isinstance(text, str) else text
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", errors="replace", newline="")
    stats = ReadStats()
    return list(read_records(stream, fmt, column, stats)), stats


MESSY = (
    b"\xef\xbb\xbfName;E-Mail;Note\r\n"
    b"Ann;Ann@Example.COM;hi\r\n"
    b"\r\n"
    b'Bob;" bob@example.com ";"said ""hi"""\r\n'
    b"Bob again;BOB@EXAMPLE.COM;duplicate in other case\r\n"
    b'Broken;"carl@example.com;never closed\r\n'
    b"Dan;dan@example.com;after the broken line\r\n"
    b"Eve;not-an-email;x\r\n"
    b"Fay\r\n"
    b'Gus;gus@example.com;"a note\r\nover two lines"\r\n'
    b"Hal;hal@exa\xffmple.com;bad byte\r\n"
    b";;\r\n"
    b"Ida;   ;empty cell\r\n"
)


def test_messy_csv() -> None:
    records, stats = read(MESSY, InputFormat.CSV)
    addresses = [(r.line_no, r.address) for r in records if isinstance(r, Address)]
    malformed = {r.line_no: r for r in records if isinstance(r, Malformed)}
    assert stats.column == "E-Mail"
    assert addresses == [
        (2, "ann@example.com"),
        (4, "bob@example.com"),
        (5, "bob@example.com"),  # the duplicate is de-duplicated later, by the journal
        (7, "dan@example.com"),  # not swallowed by the unclosed quote above it
        (10, "gus@example.com"),  # a legitimate multi-line quoted field
    ]
    assert sorted(malformed) == [6, 8, 9, 12, 14]
    assert malformed[6].reason == "unbalanced quote"
    assert malformed[6].content.startswith("Broken;")
    assert malformed[8].reason == "no @"
    assert "field" in malformed[9].reason
    assert "UTF-8" in malformed[12].reason
    assert malformed[14].reason == "empty value"
    assert stats.blank == 2  # the empty line and the row of empty cells


def test_csv_column_by_name_or_number_and_headerless() -> None:
    text = "id,mail address,alt\n1,a@example.com,x@example.com\n"
    records, _ = read(text, InputFormat.CSV, column="ALT")
    assert [r.address for r in records if isinstance(r, Address)] == ["x@example.com"]
    records, _ = read(text, InputFormat.CSV, column="2")
    assert [r.address for r in records if isinstance(r, Address)] == ["a@example.com"]
    records, stats = read("a@example.com,Ann\nb@example.com,Bob\n", InputFormat.CSV)
    assert [r.address for r in records if isinstance(r, Address)] == [
        "a@example.com",
        "b@example.com",
    ]
    assert stats.header is None


def test_csv_without_an_email_column_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="--column"):
        read("name,phone\nAnn,123\n", InputFormat.CSV)
    with pytest.raises(InputError, match="no column named 'mail'"):
        read("name,email\nAnn,a@example.com\n", InputFormat.CSV, column="mail")


def test_text_lines_skip_header_blank_lines_and_report_junk() -> None:
    records, stats = read("email\na@example.com\n\n  B@Example.com  \njunk\n", InputFormat.LINES)
    assert [(r.line_no, r.address) for r in records if isinstance(r, Address)] == [
        (2, "a@example.com"),
        (4, "b@example.com"),
    ]
    assert [(r.line_no, r.content, r.reason) for r in records if isinstance(r, Malformed)] == [
        (5, "junk", "no @")
    ]
    assert stats.blank == 1 and stats.lines == 5


def test_format_is_chosen_from_the_file_name_or_column(tmp_path: Path) -> None:
    assert resolve_format(InputFormat.AUTO, Path("x.CSV"), None) is InputFormat.CSV
    assert resolve_format(InputFormat.AUTO, Path("x.txt"), None) is InputFormat.LINES
    assert resolve_format(InputFormat.AUTO, None, "email") is InputFormat.CSV
    assert resolve_format(InputFormat.LINES, Path("x.csv"), None) is InputFormat.LINES
    with pytest.raises(InputError, match="cannot read"):
        open_input(tmp_path / "absent.csv")


def test_reading_is_streamed() -> None:
    """Records come out before the input ends (nothing is read into a list first)."""

    def lines() -> object:
        yield "a@example.com\n"
        raise AssertionError("read past the first record")

    stream = iter(lines())  # type: ignore[call-overload]
    records = read_records(stream, InputFormat.LINES, None, ReadStats())
    assert next(records) == Address(1, "a@example.com")


def test_an_unclosed_quote_does_not_swallow_the_rest_of_a_long_file() -> None:
    lines = [f"n{i},user{i}@example.com" for i in range(20_000)]
    text = "name,email\n" + 'x,"stray@example.com\n' + "\n".join(lines) + "\n"
    records, _ = read(text, InputFormat.CSV)
    addresses = [r.address for r in records if isinstance(r, Address)]
    malformed = [r for r in records if isinstance(r, Malformed)]
    assert len(addresses) == 20_000
    assert [r.line_no for r in malformed] == [2]


@pytest.mark.parametrize(
    ("head", "given", "expected"),
    [
        (b"a@example.com\n", None, "utf-8-sig"),
        (codecs.BOM_UTF8 + b"a@example.com\n", None, "utf-8-sig"),
        (codecs.BOM_UTF16_LE + "a@x.com".encode("utf-16-le"), None, "utf-16"),
        (codecs.BOM_UTF16_BE + "a@x.com".encode("utf-16-be"), None, "utf-16"),
        (codecs.BOM_UTF32_LE + "a@x.com".encode("utf-32-le"), None, "utf-32"),
        ("a@x.com".encode("utf-16-le"), "utf-16-le", "utf-16-le"),  # NULs, but asked for
        (b"Jos\xe9,jose@example.com\n", "cp1252", "cp1252"),
    ],
)
def test_encoding_from_option_or_bom(head: bytes, given: str | None, expected: str) -> None:
    assert detect_encoding(head, given, "x") == expected


@pytest.mark.parametrize(
    "head",
    [b"PK\x03\x04\x14\x00\x00\x00", b"\x89PNG\r\n\x1a\n\x00\x00", "a@x.com".encode("utf-16-le")],
)
def test_binary_is_refused_with_what_to_do(head: bytes) -> None:
    with pytest.raises(InputError, match=r"not a text file.*--encoding utf-16"):
        detect_encoding(head, None, "x")


def test_unknown_encoding_is_a_clear_error() -> None:
    assert check_encoding(None) is None
    assert check_encoding("Latin-1") == "iso8859-1"
    with pytest.raises(InputError, match=r"--encoding 'klingon'.*cp1252"):
        check_encoding("klingon")


def test_undecodable_lines_are_counted_and_the_first_lines_kept() -> None:
    _, stats = read(b"a@example.com\nJos\xe9@example.com\nb@example.com\n\xff\n", InputFormat.LINES)
    assert stats.undecodable == 2 and stats.first_undecodable == 2
    assert len(stats.sample) == 4 and stats.sample[0] == "a@example.com\n"


@pytest.mark.parametrize(
    ("sample", "fmt", "column", "hint"),
    [
        ("Name,Email\nAnn,a@x.com\nBob,b@x.com\n", InputFormat.LINES, None, "--format csv"),
        (
            "Name;Contact mail\nAnn;a@x.com\nBob;b@x.com\n",
            InputFormat.LINES,
            None,
            "--format csv --column 'Contact mail'",
        ),
        ("Ann,a@x.com\nBob,b@x.com\n", InputFormat.LINES, None, "--format csv --column 2"),
        ("Name,Email\nAnn,a@x.com\nBob,b@x.com\n", InputFormat.CSV, "Name", "--column Email"),
        ("Name,Email\nAnn,a@x.com\nBob,b@x.com\n", InputFormat.CSV, "Email", None),
        ("a@x.com\nb@x.com\n", InputFormat.LINES, None, None),  # nothing better to suggest
        ("Name,Phone\nAnn,123\nBob,456\n", InputFormat.LINES, None, None),
    ],
)
def test_a_better_reading_is_suggested(
    sample: str, fmt: InputFormat, column: str | None, hint: str | None
) -> None:
    assert suggest_reading(sample.splitlines(keepends=True), fmt, column) == hint
