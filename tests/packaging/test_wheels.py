"""The kit's wheels, installed by parts outside the checkout.

The kit (hubspot-commprefs-kit) and the generated client (hubspot-communication-preferences) are
built into a temporary folder from a copy of their sources (nothing is written in the checkout),
then each audience's part goes into its own bare virtual environment, hash-checked against
requirements.lock: the client alone, the mock extra, the contract extra and the bulk extra.
From a temporary working directory, with no PYTHONPATH, the mock is served through
`commprefs-mock`, the contract suite runs against it through `commprefs-contract`, and
`unsubscribe-all --dry-run` reads a small CSV. Each environment holds only its part's
dependencies (the mock has no Schemathesis, the bulk tool no mock server), and every module of
the part imports there.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements.lock"
KIT = "hubspot-commprefs-kit"
CLIENT = "hubspot-communication-preferences"
# What the two distributions are built from; the rest of the checkout is not theirs.
SOURCES = (
    "pyproject.toml",
    "setup.py",
    "MANIFEST.in",
    "README.md",
    "commprefs_kit",
    "commprefs_spec",
    "mock_server",
    "openapi",
    "contract_tests",
    "generated_client",
)
CONSOLE_SCRIPTS = (
    "commprefs-mock",
    "commprefs-contract",
    "commprefs-proxy",
    "unsubscribe-all",
    "commprefs-spec-diff",
    "commprefs-update-spec",
    "commprefs-vendor",
    "commprefs-regenerate",
)
# Distributions that must not come with a part (normalised names).
TEST_TOOLS = {"schemathesis", "hypothesis", "pytest"}
MOCK_SERVERS = {"granian", "uvicorn", "uvloop", "jsonschema-rs"}
BULK_TOOLS = {"typer", "aiolimiter"}
SPEC_TOOLS = {"openapi-python-client", "ruff", "mypy", "griffe", "ruamel-yaml"}
TIMEOUT = 600


def _uv() -> list[str]:
    """uv from this environment (requirements.lock pins it; scripts/bootstrap installs it)."""
    beside = Path(sys.executable).with_name("uv")
    if beside.is_file():
        return [str(beside)]
    return [sys.executable, "-m", "uv"]


def _clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without anything that would point into the checkout."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "VIRTUAL_ENV", "COMMPREFS_", "HUBSPOT_", "UV_"))
    }
    env.update(extra)
    return env


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, *, both: bool = True) -> str:
    """Run a command that must succeed; its stdout (and stderr unless both=False)."""
    proc = subprocess.run(
        cmd,
        cwd=cwd,
        env=env or _clean_env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"{' '.join(cmd)} exited {proc.returncode}:\n{output[-6000:]}"
    return output if both else proc.stdout


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _leftovers() -> set[str]:
    """Build leftovers in the checkout (ignored by git, so looked for by name)."""
    found = set()
    for folder in (ROOT, ROOT / "generated_client"):
        for name in ("build", "dist"):
            if (folder / name).exists():
                found.add(str(folder / name))
        found |= {str(p) for p in folder.glob("*.whl")}
    return found


@dataclass(frozen=True)
class Wheels:
    kit: Path
    client: Path

    def requirement(self, dist: str, extras: str = "") -> str:
        """A requirement line for a built wheel, with its hash (the lock has the others)."""
        wheel = self.kit if dist == KIT else self.client
        return f"{dist}{extras} @ {wheel.as_uri()} --hash=sha256:{_sha256(wheel)}"


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Wheels]:
    before = _leftovers()
    src = tmp_path_factory.mktemp("src")
    out = tmp_path_factory.mktemp("wheels")
    # The working tree's files (tracked, or new and not ignored), never build leftovers.
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", *SOURCES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():  # a tracked file may be deleted in the working tree
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, src / name)
    for project in (src, src / "generated_client"):
        # Isolated builds whose backend (setuptools) is pinned and hash-checked by the lock.
        _run(
            [
                *_uv(),
                *("build", "--wheel", "--quiet", "--out-dir", str(out)),
                *("--build-constraint", str(LOCK), "--require-hashes", str(project)),
            ],
            cwd=out,
        )
    (kit,) = out.glob("hubspot_commprefs_kit-*.whl")
    (client,) = out.glob("hubspot_communication_preferences-*.whl")
    yield Wheels(kit=kit, client=client)
    assert _leftovers() <= before, "building the wheels left files in the checkout"


class Venv:
    """A bare virtual environment holding one part, used from a folder outside the checkout."""

    def __init__(self, folder: Path, work: Path) -> None:
        self.folder = folder
        self.work = work
        self.bin = folder / "bin"
        self.python = self.bin / "python"

    def env(self, **extra: str) -> dict[str, str]:
        path = f"{self.bin}{os.pathsep}{os.environ.get('PATH', os.defpath)}"
        return _clean_env(PATH=path, **extra)

    def run(self, *cmd: str) -> str:
        return _run(list(cmd), cwd=self.work, env=self.env())

    def distributions(self) -> set[str]:
        listed = _run(
            [*_uv(), "pip", "list", "--python", str(self.python), "--format", "freeze"],
            cwd=self.work,
            both=False,
        )
        return {line.split("==")[0].lower().replace("_", "-") for line in listed.split()}

    def import_all(self, *packages: str, skip: tuple[str, ...] = ()) -> None:
        """Import every module of the packages in this environment."""
        self.run(
            str(self.python),
            "-c",
            "import importlib, pkgutil, sys\n"
            f"skip = {skip!r}\n"
            f"for name in {packages!r}:\n"
            "    package = importlib.import_module(name)\n"
            "    assert 'site-packages' in package.__file__, package.__file__\n"
            "    for info in pkgutil.walk_packages(package.__path__, name + '.'):\n"
            "        if info.name.endswith('.__main__') or info.name in skip:\n"
            "            continue\n"
            "        importlib.import_module(info.name)\n",
        )


def _install(tmp: Path, name: str, requirements: list[str]) -> Venv:
    folder = tmp / name
    work = tmp / f"{name}-work"
    work.mkdir()
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    wanted = work / "requirements.txt"
    wanted.write_text("\n".join(requirements) + "\n")
    # Hash-checking mode: the built wheels by the hashes above, every dependency by the lock's.
    _run(
        [
            *_uv(),
            *("pip", "install", "--quiet", "--python", str(folder / "bin" / "python")),
            *("--require-hashes", "-r", str(wanted), "-c", str(LOCK)),
        ],
        cwd=work,
    )
    return Venv(folder, work)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def mock_venv(wheels: Wheels, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    # The client comes with the mock for the pytest plugin's client fixture.
    return _install(
        tmp_path_factory.mktemp("venvs"),
        "mock",
        [wheels.requirement(KIT, "[mock]"), wheels.requirement(CLIENT)],
    )


@pytest.fixture(scope="module")
def served_mock(mock_venv: Venv) -> Iterator[str]:
    """`commprefs-mock --port N` from the mock environment; yields its base URL."""
    port = _free_port()
    log = mock_venv.work / "mock.log"
    with log.open("w") as sink:
        proc = subprocess.Popen(
            [str(mock_venv.bin / "commprefs-mock"), "--port", str(port), "--no-access-log"],
            cwd=mock_venv.work,
            env=mock_venv.env(),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, f"commprefs-mock exited:\n{log.read_text()}"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, f"no answer:\n{log.read_text()}"
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_the_client_alone_needs_only_httpx_attrs_and_httpx_retries(
    wheels: Wheels, tmp_path: Path
) -> None:
    venv = _install(tmp_path, "client", [wheels.requirement(CLIENT)])
    installed = venv.distributions()
    assert KIT not in installed
    # httpx's own dependencies come with it; nothing else does.
    assert installed - {CLIENT, "httpx", "attrs", "httpx-retries"} <= {
        "anyio",
        "certifi",
        "httpcore",
        "h11",
        "idna",
        "sniffio",
        "typing-extensions",
    }, installed
    venv.import_all("hubspot_communication_preferences")


def test_the_mock_part_serves_from_its_entry_point(mock_venv: Venv, served_mock: str) -> None:
    installed = mock_venv.distributions()
    assert {KIT, CLIENT} <= installed
    assert not installed & (TEST_TOOLS | BULK_TOOLS | SPEC_TOOLS), installed
    for script in CONSOLE_SCRIPTS:
        assert (mock_venv.bin / script).is_file(), script
    # The pytest plugin runs under the user's own pytest, which this part does not bring.
    mock_venv.import_all("commprefs_spec", "mock_server", skip=("mock_server.pytest_plugin",))
    answer = mock_venv.run(
        str(mock_venv.python),
        "-c",
        "import json, sys, urllib.request\n"
        "request = urllib.request.Request(sys.argv[1] + sys.argv[2],"
        " headers={'Authorization': 'Bearer test-token'})\n"
        "print(json.load(urllib.request.urlopen(request, timeout=10))['results'][0]['name'])",
        served_mock,
        "/communication-preferences/2026-03/definitions",
    )
    assert answer.strip()


def test_the_contract_part_runs_the_suite_against_the_served_mock(
    wheels: Wheels, served_mock: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    venv = _install(
        tmp_path_factory.mktemp("venvs"),
        "contract",
        [wheels.requirement(KIT, "[contract]"), wheels.requirement(CLIENT)],
    )
    installed = venv.distributions()
    assert {CLIENT, "schemathesis", "hypothesis", "pytest"} <= installed
    assert not installed & (BULK_TOOLS | SPEC_TOOLS), installed
    venv.import_all("commprefs_kit.contract", "commprefs_kit.proxy")
    report = venv.work / "out" / "contract-report.md"
    command = [
        str(venv.bin / "commprefs-contract"),
        *("--base-url", served_mock, "--allow-writes", "--examples", "2"),
        *("--report", str(report), "--junit", str(venv.work / "out" / "junit.xml")),
    ]
    proc = subprocess.run(
        command, cwd=venv.work, env=venv.env(), capture_output=True, text=True, timeout=TIMEOUT
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-6000:]
    assert report.is_file(), output
    assert "batch_unsubscribe_all" in report.read_text()


def test_the_proxy_part_forwards_judges_and_reports_on_sigterm(
    wheels: Wheels, served_mock: str, tmp_path: Path
) -> None:
    venv = _install(
        tmp_path, "proxy", [wheels.requirement(KIT, "[proxy]"), wheels.requirement(CLIENT)]
    )
    installed = venv.distributions()
    assert "httptools" in installed
    assert not installed & (BULK_TOOLS | SPEC_TOOLS), installed
    port = _free_port()
    log = venv.work / "proxy.log"
    with log.open("w") as sink:
        proc = subprocess.Popen(
            [str(venv.bin / "commprefs-proxy"), "--upstream", served_mock, "--port", str(port)],
            cwd=venv.work, env=venv.env(), stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while "proxy on http" not in log.read_text():
            assert proc.poll() is None, f"commprefs-proxy exited:\n{log.read_text()}"
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        answer = venv.run(
            str(venv.python),
            "-c",
            "import json, sys, urllib.request\n"
            "request = urllib.request.Request(sys.argv[1],"
            " headers={'Authorization': 'Bearer test-token'})\n"
            "print(json.load(urllib.request.urlopen(request, timeout=10))['results'][0]['name'])",
            f"http://127.0.0.1:{port}/communication-preferences/2026-03/definitions",
        )
        proc.terminate()
        code = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    output = log.read_text()
    assert answer.strip(), output
    assert code == 0, output
    assert "Traceback" not in output
    assert "1 exchanges, no findings" in output, output
    # Installed, the report goes to reports/ in the folder it runs from.
    assert (venv.work / "reports" / "proxy-report.md").is_file(), output


def test_the_bulk_part_plans_a_dry_run(wheels: Wheels, tmp_path: Path) -> None:
    venv = _install(
        tmp_path, "bulk", [wheels.requirement(KIT, "[bulk]"), wheels.requirement(CLIENT)]
    )
    installed = venv.distributions()
    assert {CLIENT, "typer", "rich", "aiolimiter"} <= installed
    assert not installed & (TEST_TOOLS | MOCK_SERVERS | SPEC_TOOLS), installed
    venv.import_all("commprefs_kit.bulk")
    csv = venv.work / "optouts.csv"
    csv.write_text(
        "email,name\na@example.com,A\nB@example.com,B\nnot-an-address,C\na@example.com,A\n"
    )
    before = set(venv.work.iterdir())
    output = venv.run(str(venv.bin / "unsubscribe-all"), str(csv), "--dry-run")
    assert "dry run" in output.lower(), output
    assert set(venv.work.iterdir()) == before, "a dry run leaves no file behind"
