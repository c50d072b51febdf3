"""Typed success: user code calling every operation type-checks under ``mypy --strict`` without
narrowing, and the same code runs against the mock."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hubspot_communication_preferences import make_client

from commprefs_kit import paths
from mock_server.process import serve_in_subprocess
from tests.client.typed_user_module import exercise

USER_MODULE = Path(__file__).with_name("typed_user_module.py")


def test_user_code_needs_no_narrowing_under_mypy_strict(tmp_path: Path) -> None:
    (tmp_path / "none.ini").write_text("[mypy]\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            str(tmp_path / "none.ini"),  # the user's settings, not this project's
            "--cache-dir",
            str(tmp_path / "cache"),
            str(USER_MODULE),
        ],
        env={"MYPYPATH": str(paths.GENERATED_CLIENT_DIR), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_user_code_runs_against_the_mock() -> None:
    with serve_in_subprocess() as mock, make_client("test-token", base_url=mock.url) as client:
        lines = exercise(client, "Typed.User@Example.com")
    assert [line.split(":")[0] for line in lines] == [
        "get_definitions",
        "update_status",
        "get_statuses",
        "batch_update_statuses",
        "batch_get_statuses",
        "generate_links",
        "unsubscribe_all",
        "batch_unsubscribe_all",
        "get_unsubscribe_all_status",
        "batch_get_unsubscribe_all_statuses",
    ]
    assert "get_unsubscribe_all_status: ['UNSUBSCRIBED']" in lines
