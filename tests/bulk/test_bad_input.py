"""Bad input, bad URLs, bad tokens, bad outputs: each refused before anything is sent or written.

Every case runs the command as a user would (a subprocess) against one served mock and
asserts the exit status, one line on stderr naming the problem, no traceback, no file left
behind, and, through the mock's `requestCount`, that nothing went out beyond the preflight.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from bulk_testing import TOKEN, cli, read_results

from commprefs_kit.bulk.exitcodes import ExitCode
from mock_server.process import RunningMock, free_port, serve_in_subprocess

API = "/communication-preferences/2026-03"
CSV_EXPORT = (
    b"Name,Email,Note\nAnn,ann@example.com,hi\nBob,bob@example.com,x\nCy,cy@example.com,y\n"
)


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningMock]:
    log = tmp_path_factory.mktemp("mock") / "mock.log"
    with serve_in_subprocess(
        "--token",
        f"{TOKEN}",
        "--token",
        "weak=communication_preferences.read",
        "--token",
        "writer=communication_preferences.statuses.batch.write",
        log_path=log,
    ) as served:
        yield served


def requests_so_far(mock: RunningMock) -> int:
    count: int = httpx.get(f"{mock.url}/_mock/state", timeout=10).json()["requestCount"]
    return count


def queue(mock: RunningMock, *answers: dict[str, object]) -> None:
    httpx.post(
        f"{mock.url}/_mock/queue",
        json={"operationId": "batch_unsubscribe_all", "answers": list(answers)},
        timeout=10,
    ).raise_for_status()


@dataclass(frozen=True)
class Case:
    name: str
    args: list[str]  # {url} is the mock's base URL, {dead} an address nothing listens on
    code: ExitCode
    says: str  # in the one line on stderr
    files: dict[str, bytes] = field(default_factory=lambda: {"list.txt": b"a@example.com\n"})
    folders: tuple[str, ...] = ()
    token: str | None = TOKEN
    stdin: bytes | None = None
    sent: int = 0  # requests the mock may see: the preflight's empty batch at most
    before: Callable[[RunningMock], None] | None = None


LATIN1 = "José,josé@exämple.de\nRenée,renée@exämple.fr\n".encode("latin-1")

CASES = [
    # the input
    Case("missing file", ["nope.csv", "--base-url", "{url}"], ExitCode.USAGE, "nope.csv"),
    Case("a folder", ["adir", "--base-url", "{url}"], ExitCode.USAGE, "folder", folders=("adir",)),
    Case("empty file", ["e.txt", "--base-url", "{url}"], ExitCode.USAGE, "empty", {"e.txt": b""}),
    Case(
        "binary file",
        ["x.csv", "--base-url", "{url}"],
        ExitCode.USAGE,
        "not a text file",
        {"x.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"},
    ),
    Case(
        "header-only CSV",
        ["h.csv", "--base-url", "{url}"],
        ExitCode.USAGE,
        "header row",
        {"h.csv": b"Name,Email\n"},
        sent=1,
    ),
    Case(
        "blank lines only",
        ["b.txt", "--base-url", "{url}"],
        ExitCode.USAGE,
        "no address",
        {"b.txt": b"\n  \n\n"},
        sent=1,
    ),
    Case(
        "CSV export saved as .txt",
        ["export.txt", "--base-url", "{url}"],
        ExitCode.USAGE,
        "--format csv",
        {"export.txt": CSV_EXPORT},
        sent=1,
    ),
    Case(
        "CSV read through the wrong column",
        ["export.csv", "--column", "Name", "--base-url", "{url}"],
        ExitCode.USAGE,
        "--column Email",
        {"export.csv": CSV_EXPORT},
        sent=1,
    ),
    Case(
        "Latin-1 export",
        ["latin.txt", "--column", "2", "--base-url", "{url}"],
        ExitCode.USAGE,
        "--encoding cp1252",
        {"latin.txt": LATIN1},
        sent=1,
    ),
    Case(
        "empty stdin",
        ["-", "--base-url", "{url}"],
        ExitCode.USAGE,
        "stdin holds no address",
        stdin=b"",
        sent=1,
    ),
    Case(
        "unknown encoding",
        ["list.txt", "--encoding", "klingon", "--base-url", "{url}"],
        ExitCode.USAGE,
        "klingon",
    ),
    # the base URL
    Case("ftp URL", ["list.txt", "--base-url", "ftp://127.0.0.1/"], ExitCode.USAGE, "ftp://"),
    Case("no scheme", ["list.txt", "--base-url", "localhost:8080"], ExitCode.USAGE, "no scheme"),
    Case(
        "URL with the version path",
        ["list.txt", "--base-url", "{url}" + API],
        ExitCode.USAGE,
        "drop it",
    ),
    Case("nothing listening", ["list.txt", "--base-url", "{dead}"], ExitCode.UNREACHABLE, "reach"),
    Case(
        "a path that is not the API",
        ["list.txt", "--base-url", "{url}/some/proxy"],
        ExitCode.STOPPED,
        "does not serve this API",
        sent=1,
    ),
    Case(
        "an HTML page instead of the API",
        ["list.txt", "--base-url", "{url}"],
        ExitCode.STOPPED,
        "does not answer like",
        sent=1,
        before=lambda mock: queue(mock, {"status": 404, "body": "html"}),
    ),
    Case(
        "HubSpot unavailable",
        ["list.txt", "--base-url", "{url}"],
        ExitCode.STOPPED,
        "unavailable (HTTP 503 after retries",
        sent=3,  # the preflight's attempts
        before=lambda mock: queue(mock, *[{"status": 503, "retryAfter": 0}] * 3),
    ),
    Case(
        "unknown business unit",
        ["list.txt", "--base-url", "{url}", "--business-unit-id", "99"],
        ExitCode.USAGE,
        "--business-unit-id",
        sent=1,
    ),
    # the token
    Case("no token", ["list.txt", "--base-url", "{url}"], ExitCode.USAGE, "no token", token=None),
    Case(
        "blank token", ["list.txt", "--base-url", "{url}"], ExitCode.USAGE, "no token", token="  "
    ),
    Case(
        "token with a space",
        ["list.txt", "--base-url", "{url}"],
        ExitCode.USAGE,
        "spaces",
        token="Bearer abc",
    ),
    Case(
        "refused token",
        ["list.txt", "--base-url", "{url}"],
        ExitCode.AUTHENTICATION,
        "refused the token",
        token="not-a-known-token",
        sent=1,
    ),
    Case(
        "token without the scope",
        ["list.txt", "--base-url", "{url}"],
        ExitCode.SCOPES,
        "communication_preferences.statuses.batch.write",
        token="weak",
        sent=1,
    ),
    Case(
        "token without the read-back scope, with --verify",
        ["list.txt", "--base-url", "{url}", "--verify"],
        ExitCode.SCOPES,
        "communication_preferences.statuses.batch.read needed for --verify",
        token="writer",
        sent=2,  # the send probe passes, the read-back probe is refused
    ),
    Case(
        "binary on stdin",
        ["-", "--base-url", "{url}"],
        ExitCode.USAGE,
        "not a text file",
        stdin=b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        sent=1,
    ),
    # the outputs
    Case(
        "output is a folder",
        ["list.txt", "-o", "adir"],
        ExitCode.USAGE,
        "folder",
        folders=("adir",),
    ),
    Case("output folder missing", ["list.txt", "-o", "no/out.jsonl"], ExitCode.USAGE, "not exist"),
    Case(
        "output under a file",
        ["list.txt", "-o", "list.txt/o.jsonl"],
        ExitCode.USAGE,
        "not a folder",
    ),
    Case("output is the input", ["list.txt", "-o", "list.txt"], ExitCode.USAGE, "is the input"),
    Case(
        "summary folder missing",
        ["list.txt", "--summary-json", "no/s.json"],
        ExitCode.USAGE,
        "not exist",
    ),
    # arguments
    Case("unknown option", ["list.txt", "--bogus"], ExitCode.USAGE, "--bogus"),
    Case("bad rate", ["list.txt", "--rate", "fast"], ExitCode.USAGE, "--rate"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_refused_before_anything_is_sent_or_written(
    case: Case, mock: RunningMock, tmp_path: Path
) -> None:
    for name, content in case.files.items():
        (tmp_path / name).write_bytes(content)
    for folder in case.folders:
        (tmp_path / folder).mkdir()
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    if case.before is not None:
        case.before(mock)
    sent_before = requests_so_far(mock)
    dead = f"http://127.0.0.1:{free_port()}"
    args = [a.replace("{url}", mock.url).replace("{dead}", dead) for a in case.args]
    if "--base-url" not in args:
        args += ["--base-url", mock.url]

    run = cli(*args, cwd=tmp_path, token=case.token, stdin=case.stdin, timeout=120)

    err = run.stderr.decode()
    assert run.returncode == case.code, err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("scripts/unsubscribe-all: error: ") and case.says in err, err
    assert "Traceback" not in err and run.stdout == b""
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    assert requests_so_far(mock) - sent_before <= case.sent
    if case.token and len(case.token) > 4:
        assert case.token not in err


def test_encodings_are_read_and_non_utf8_bytes_suggest_encoding(tmp_path: Path) -> None:
    """UTF-16 with a BOM (Excel's "Unicode text") is read; --encoding reads a Latin-1 export."""
    (tmp_path / "u16.txt").write_bytes(
        codecs.BOM_UTF16_LE + "ann@example.com\r\n".encode("utf-16-le")
    )
    run = cli("u16.txt", "--dry-run", cwd=tmp_path, token=None)
    assert run.returncode == 0 and "1 valid" in run.stderr.decode(), run.stderr.decode()

    (tmp_path / "latin.txt").write_bytes(LATIN1)
    run = cli("latin.txt", "--column", "2", "--encoding", "cp1252", "--dry-run", cwd=tmp_path)
    assert run.returncode == 0, run.stderr.decode()
    assert "2 valid" in run.stderr.decode()

    # Addresses fine, a name in another column is not UTF-8: sent, with one warning line.
    (tmp_path / "mixed.csv").write_bytes("name,email\nJosé,jose@example.com\n".encode("latin-1"))
    run = cli("mixed.csv", "--dry-run", cwd=tmp_path, token=None)
    err = run.stderr.decode()
    assert run.returncode == 0 and "warning:" in err and "--encoding cp1252" in err, err


def test_a_run_leaves_private_files_a_summary_and_plain_lines(
    tmp_path: Path, mock: RunningMock
) -> None:
    (tmp_path / "list.txt").write_text("a1@example.com\na2@example.com\nnot-an-address\n")
    long_dir = tmp_path / ("a-folder-with-a-long-name-" * 3)
    long_dir.mkdir()
    output = long_dir / "results.jsonl"
    # The first real batch is rate limited once: the wait is shown, off a terminal too.
    queue(mock, {"status": 200}, {"status": 429, "retryAfter": 0.2})
    run = cli(
        "list.txt",
        "--base-url",
        mock.url,
        "-o",
        str(output),
        "--summary-json",
        "summary.json",
        cwd=tmp_path,
    )
    err = run.stderr.decode()
    assert run.returncode == ExitCode.INVALID_INPUT, err
    assert re.search(r"^waiting [0-9.]+ s: HubSpot answered 429", err, re.MULTILINE), err
    assert "\x1b[" not in err and "Warning" not in err  # no colour off a terminal
    assert any(str(output) in line for line in err.splitlines())  # not wrapped at 80 columns
    for path in (output, Path(f"{output}.journal"), Path(f"{output}.journal.lock")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["exitStatus"] == ExitCode.INVALID_INPUT
    assert summary["counts"]["unsubscribed"] == 2 and summary["counts"]["invalidLines"] == 1
    assert summary["resultFile"] == str(output)


def test_results_to_stdout(tmp_path: Path, mock: RunningMock) -> None:
    run = cli("-", "-o", "-", "--base-url", mock.url, "-q", cwd=tmp_path, stdin=b"s1@example.com\n")
    assert run.returncode == 0 and run.stderr == b"", run.stderr.decode()  # -q: nothing else
    rows = [json.loads(line) for line in run.stdout.decode().splitlines()]
    assert [(r["address"], r["outcome"]) for r in rows] == [("s1@example.com", "unsubscribed")]
    assert not (tmp_path / "-").exists()
    # The journal of a run from stdin to stdout sits in the working folder.
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "unsubscribe-all.results.jsonl.journal",
        "unsubscribe-all.results.jsonl.journal.lock",
    ]


def test_help_version_and_program_name(tmp_path: Path) -> None:
    for flag in ("-h", "--help"):
        run = cli(flag, cwd=tmp_path, token=None)
        out = run.stdout.decode()
        assert run.returncode == 0 and out.startswith("Usage: scripts/unsubscribe-all"), out
    run = cli("--version", cwd=tmp_path, token=None)
    assert run.returncode == 0
    assert run.stdout.decode().startswith("scripts/unsubscribe-all ")
    assert len(run.stdout.decode().splitlines()) == 1
    assert os.listdir(tmp_path) == []


def test_fresh_dry_run_ignores_the_journal_of_another_job(
    tmp_path: Path, mock: RunningMock
) -> None:
    (tmp_path / "list.txt").write_text("f1@example.com\n")
    assert cli("list.txt", "--base-url", mock.url, cwd=tmp_path).returncode == 0
    run = cli(
        "list.txt",
        "--base-url",
        mock.url,
        "--business-unit-id",
        "1",
        "--fresh",
        "--dry-run",
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr.decode()
    assert "pass --fresh" not in run.stderr.decode()
    rows = read_results(tmp_path / "list.results.jsonl")  # the dry run changed nothing
    assert [r["outcome"] for r in rows] == ["unsubscribed"]
