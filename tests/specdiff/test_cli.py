"""The command line: exit codes, text and JSON output, history, deviations, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from commprefs_kit import paths
from commprefs_kit.specdiff.__main__ import main

Doc = dict[str, Any]


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, Doc], str]:
    def _write(name: str, doc: Doc) -> str:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(doc) if name.endswith(".yaml") else json.dumps(doc))
        return str(path)

    return _write


@pytest.fixture
def pair(base_doc: Callable[[], Doc], write: Callable[[str, Doc], str]) -> Callable[..., list[str]]:
    """OLD and NEW files; NEW gets the named edits (breaking, potentially, safe)."""

    def _pair(*edits: str) -> list[str]:
        new = base_doc()
        get = new["paths"]["/v1/items/{id}"]["get"]
        if "breaking" in edits:
            get["operationId"] = "fetch_item"
        if "potentially" in edits:
            get["tags"] = ["Things"]
        if "safe" in edits:
            get["x-retry-safe"] = True
        return [write("old.json", base_doc()), write("new.yaml", new)]

    return _pair


@pytest.mark.parametrize(
    ("edits", "fail_on", "status"),
    [
        ((), "breaking", 0),
        ((), "safe", 0),
        (("breaking",), "breaking", 1),
        (("breaking",), "never", 0),
        (("potentially",), "breaking", 0),
        (("potentially",), "potentially-breaking", 1),
        (("safe",), "potentially-breaking", 0),
        (("safe",), "safe", 1),
    ],
)
def test_exit_status_follows_fail_on(
    pair: Callable[..., list[str]], edits: tuple[str, ...], fail_on: str, status: int
) -> None:
    assert main([*pair(*edits), "--fail-on", fail_on]) == status


def test_default_threshold_is_breaking(pair: Callable[..., list[str]]) -> None:
    assert main(pair("potentially", "safe")) == 0
    assert main(pair("breaking")) == 1


def test_text_output_groups_by_severity(
    pair: Callable[..., list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    main(pair("breaking", "potentially", "safe"))
    lines = capsys.readouterr().out.splitlines()
    assert lines[1:] == [
        "BREAKING (1)",
        "  GET /v1/items/{id} operationId: get_item -> fetch_item",
        "POTENTIALLY BREAKING (1)",
        "  GET /v1/items/{id} tags: [Items] -> [Things]",
        "SAFE (1)",
        "  GET /v1/items/{id} x-retry-safe: absent -> true",
        "summary: 1 breaking, 1 potentially-breaking, 1 safe (3 changes)",
    ]


def test_json_output_shape(
    pair: Callable[..., list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = pair("breaking", "safe")
    assert main([old, new, "--format", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["old"] == old and out["new"] == new
    assert out["summary"] == {"breaking": 1, "potentially-breaking": 0, "safe": 1, "total": 2}
    assert (out["fail_on"], out["failed"]) == ("breaking", True)
    assert out["changes"][0] == {
        "key": "GET /v1/items/{id} operationId: get_item -> fetch_item",
        "kind": "operation-id-changed",
        "severity": "breaking",
        "old": "get_item",
        "new": "fetch_item",
        # where, as data: the key's text is rendered from it
        "location": {"method": "GET", "path": "/v1/items/{id}", "attribute": "operationId"},
    }


def test_deviations_option_hides_recorded_and_reports_stale(
    pair: Callable[..., list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = tmp_path / "deviations.yaml"
    records.write_text(
        yaml.safe_dump(
            {
                "themes": [
                    {
                        "theme": "names",
                        "reason": "we rename",
                        "changes": ["GET /v1/items/{id} operationId: get_item -> fetch_item"],
                    }
                ]
            }
        )
    )
    assert main([*pair("breaking"), "--deviations", str(records)]) == 0
    assert "deviations: 1 recorded changes not shown, 0 stale records" in capsys.readouterr().out
    assert main([*pair(), "--deviations", str(records), "--format", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["deviations"]["stale"] == [
        "GET /v1/items/{id} operationId: get_item -> fetch_item (names): matched 0"
    ]


def test_history_of_a_directory(
    base_doc: Callable[[], Doc], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second, third = base_doc(), base_doc(), base_doc()
    del second["paths"]["/v1/items"]
    third["paths"] = {}
    for name, doc in (("001-a.json", first), ("002-b.json", second), ("003-c.yaml", third)):
        (tmp_path / name).write_text(json.dumps(doc))
    (tmp_path / "notes.txt").write_text("not a document")
    assert main(["--history", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == [
        "(paths shown relative to /v1)",
        "revision  brk  pot  safe  headline changes",
        "001-a       0    0     0  (first revision)",
    ]
    assert out[3].startswith("002-b") and out[3].endswith("[breaking] POST /items removed")
    assert out[4].endswith("[breaking] GET /items/{id} removed")
    assert out[-1] == "summary: 3 revisions, 2 of 2 steps changed"
    assert main(["--history", str(tmp_path), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["summary"]["breaking"] for r in rows] == [0, 1, 1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{tmp}/missing.yaml", "{spec}"], "missing.yaml: no such file"),
        (["{tmp}/bad.yaml", "{spec}"], "bad.yaml: not valid JSON or YAML"),
        (["{spec}", "{tmp}/list.yaml"], "list.yaml: not an OpenAPI document"),
        (["{tmp}", "{spec}"], "is a directory"),
        (["--history", "{tmp}/missing"], "not a directory"),
        (["{spec}", "{spec}", "--deviations", "{tmp}/list.yaml"], "top-level `themes` list"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    (tmp_path / "bad.yaml").write_text("openapi: [")
    (tmp_path / "list.yaml").write_text("- a\n")
    argv = [a.format(tmp=tmp_path, spec=paths.SPEC_PATH) for a in args]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("scripts/spec-diff: error: ") and message in err
    assert err.count("\n") == 1


def test_malformed_operation_is_a_clear_error(
    base_doc: Callable[[], Doc],
    write: Callable[[str, Doc], str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    broken = base_doc()
    broken["paths"]["/v1/items/{id}"]["get"]["responses"] = ["200"]  # a list, not a map
    assert main([write("old.json", base_doc()), write("new.json", broken)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("scripts/spec-diff: error: malformed OpenAPI document (AttributeError")
    assert err.count("\n") == 1


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([])
    assert exited.value.code == 2
    with pytest.raises(SystemExit) as exited:
        main([str(paths.SPEC_PATH), str(paths.SPEC_PATH), "--fail-on", "sometimes"])
    assert exited.value.code == 2


def test_module_runs_as_a_process_without_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "commprefs_kit.specdiff", str(tmp_path / "nope.json"), "x.yaml"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert (
        proc.stderr.strip() == f"scripts/spec-diff: error: {tmp_path / 'nope.json'}: no such file"
    )
    assert "Traceback" not in proc.stderr


def test_script_resolves_paths_from_the_callers_directory(
    base_doc: Callable[[], Doc], tmp_path: Path
) -> None:
    (tmp_path / "a.json").write_text(json.dumps(base_doc()))
    (tmp_path / "b.json").write_text(json.dumps(base_doc()))
    proc = subprocess.run(
        [str(paths.ROOT / "scripts" / "spec-diff"), "a.json", "b.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "summary: no changes"


def test_a_binary_file_is_named_as_not_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = tmp_path / "picture.yaml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert main([str(binary), str(binary)]) == 2
    err = capsys.readouterr().err
    assert "picture.yaml: not a text document" in err and "codec" not in err
