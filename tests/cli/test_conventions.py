"""Every verb follows the same conventions (commprefs_kit/verbs.py, README "The verbs").

For each verb, run as a user runs it (a subprocess): `--version` and `-h`/`--help` on stdout
with exit 0 and one program name; then a table of bad inputs, each asserting the exit
status, one line on stderr that names the problem under that program name, no traceback,
nothing on stdout and no file created.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from commprefs_kit import paths
from commprefs_kit.bulk.cli import program_name as bulk_program_name
from commprefs_kit.verbs import program_name
from mock_server.process import free_port

SPEC = str(paths.SPEC_PATH)


@dataclass(frozen=True)
class Verb:
    module: str
    script: str
    console_script: str


VERBS = {
    "spec-diff": Verb("commprefs_kit.specdiff", "scripts/spec-diff", "commprefs-spec-diff"),
    "update-spec": Verb(
        "commprefs_kit.update_spec", "scripts/update-spec", "commprefs-update-spec"
    ),
    "vendor": Verb("commprefs_kit.vendor", "scripts/vendor", "commprefs-vendor"),
    "regenerate": Verb("commprefs_kit.regenerate", "scripts/regenerate", "commprefs-regenerate"),
    "unsubscribe-all": Verb("commprefs_kit.bulk", "scripts/unsubscribe-all", "unsubscribe-all"),
    "contract": Verb("commprefs_kit.contract", "scripts/contract", "commprefs-contract"),
    "proxy": Verb("commprefs_kit.proxy", "scripts/proxy", "commprefs-proxy"),
}

FILES = {
    "empty.yaml": b"",
    "binary.yaml": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "export.csv": b"Name,Email\nAnn,ann@example.com\n",
    "latin1.yaml": 'openapi: "3.0.3"\ninfo: {title: "Préférences"}\n'.encode("latin-1"),
    "a-file": b"x\n",
}


def run(verb: Verb, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMMPREFS_", "HUBSPOT_"))}
    return subprocess.run(
        [sys.executable, "-m", verb.module, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("name", sorted(VERBS))
def test_version_help_and_one_program_name(name: str, tmp_path: Path) -> None:
    verb = VERBS[name]
    done = run(verb, "--version", cwd=tmp_path)
    assert done.returncode == 0 and done.stderr == ""
    assert len(done.stdout.splitlines()) == 1 and done.stdout.startswith(f"{verb.script} ")
    for flag in ("-h", "--help"):
        done = run(verb, flag, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        first = done.stdout.splitlines()[0]
        assert first.lower().startswith(f"usage: {verb.script} "), first
        assert "\x1b[" not in done.stdout  # plain text off a terminal
    assert list(tmp_path.iterdir()) == []
    # Run as the console script, the same program calls itself by that name.
    assert program_name(verb.script, verb.console_script, f"/venv/bin/{verb.console_script}") == (
        verb.console_script
    )


def test_bulk_names_itself_after_its_console_script() -> None:
    assert bulk_program_name("/venv/bin/unsubscribe-all") == "unsubscribe-all"
    assert bulk_program_name("/x/commprefs_kit/bulk/__main__.py") == "scripts/unsubscribe-all"


@dataclass(frozen=True)
class Bad:
    verb: str
    args: tuple[str, ...]  # {spec}: the pinned spec; {dead}: a URL nothing answers
    code: int
    says: str


BAD = [
    Bad("spec-diff", ("missing.yaml", "{spec}"), 2, "missing.yaml: no such file"),
    Bad("spec-diff", (".", "{spec}"), 2, "directory"),
    Bad("spec-diff", ("empty.yaml", "{spec}"), 2, "empty.yaml: not an OpenAPI document"),
    Bad("spec-diff", ("binary.yaml", "{spec}"), 2, "binary.yaml"),
    Bad("spec-diff", ("export.csv", "{spec}"), 2, "export.csv: not an OpenAPI document"),
    Bad("spec-diff", ("latin1.yaml", "{spec}"), 2, "latin1.yaml"),
    Bad("spec-diff", ("{spec}",), 2, "give OLD and NEW"),
    Bad("spec-diff", ("{spec}", "{spec}", "--fail-on", "sometimes"), 2, "--fail-on"),
    Bad("spec-diff", ("--history", "missing"), 2, "not a directory"),
    Bad("update-spec", (), 2, "SOURCE is required"),
    Bad("update-spec", ("missing.yaml", "--dry-run"), 2, "missing.yaml: no such file"),
    Bad("update-spec", (".", "--dry-run"), 2, "folder"),
    Bad("update-spec", ("empty.yaml", "--dry-run"), 2, "not an OpenAPI document"),
    Bad("update-spec", ("binary.yaml", "--dry-run"), 2, "not UTF-8"),
    Bad("update-spec", ("export.csv", "--dry-run"), 2, "not an OpenAPI document"),
    Bad("update-spec", ("latin1.yaml", "--dry-run"), 2, "not UTF-8"),
    Bad("update-spec", ("ftp://example.com/spec.yaml", "--dry-run"), 2, "http(s) URL"),
    Bad("update-spec", ("{dead}/spec.yaml", "--dry-run"), 2, "could not fetch"),
    Bad("update-spec", ("{spec}", "--save", "x.json"), 2, "--save goes with --check-upstream"),
    Bad("vendor", (), 2, "dest"),
    Bad("vendor", ("missing",), 2, "does not exist"),
    Bad("vendor", ("a-file",), 2, "is not a folder"),
    Bad("vendor", ("--check", "."), 2, "no vendored client"),
    Bad("regenerate", ("extra",), 2, "unrecognized arguments: extra"),
    Bad("regenerate", ("--chek",), 2, "--chek"),
    Bad("contract", ("--examples", "x"), 2, "--examples"),
    Bad("contract", ("--spec", "missing.yaml", "--allow-writes"), 2, "missing.yaml"),
    Bad("contract", ("--spec", "binary.yaml", "--allow-writes"), 2, "binary.yaml"),
    Bad("contract", ("--base-url", "{dead}"), 2, "--read-only"),
    Bad("proxy", ("--port", "x"), 2, "--port"),
    Bad("proxy", ("--upstream", "ftp://example.com"), 2, "upstream"),
]


@pytest.mark.parametrize("case", BAD, ids=[f"{c.verb} {' '.join(c.args)}" for c in BAD])
def test_bad_input_is_one_line_on_stderr_and_leaves_nothing(case: Bad, tmp_path: Path) -> None:
    verb = VERBS[case.verb]
    for name, content in FILES.items():
        (tmp_path / name).write_bytes(content)
    before = sorted(tmp_path.rglob("*"))
    dead = f"http://127.0.0.1:{free_port()}"
    args = [a.replace("{spec}", SPEC).replace("{dead}", dead) for a in case.args]
    done = run(verb, *args, cwd=tmp_path)
    assert done.returncode == case.code, done.stderr
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stderr.startswith(f"{verb.script}: error: ") and case.says in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert sorted(tmp_path.rglob("*")) == before
