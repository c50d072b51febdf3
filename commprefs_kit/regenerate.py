"""Regenerate generated_client/ from the pinned spec with openapi-python-client.

Three inputs make the package, all under openapi/: the spec, the generator's config and
templates (openapi/templates/, overrides and our own macros), and this project's hand-written
runtime (openapi/lib/: make_client, retries, typed errors), which is copied into the package as
`lib/` so that the package alone is the whole client. One fact of the spec reaches the templates
through a file written here: each operation's `x-retry-safe` (spec_facts.jinja), because the
generator does not pass vendor extensions to templates.

`--check` regenerates into a temporary folder and compares it with the committed
client (the drift gate); it never touches generated_client/.
"""

from __future__ import annotations

import difflib
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from commprefs_kit import paths
from commprefs_kit.verbs import VerbParser, error

GENERATOR_VERSION = "0.29.1"


class RegenerationError(RuntimeError):
    """Generation could not run or produced an incomplete client."""


def _tool_env() -> dict[str, str]:
    """PATH with this interpreter's bin folder first, so post-hooks find our pinned ruff."""
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    env["RUFF_NO_CACHE"] = "true"  # no .ruff_cache/ inside the generated tree
    return env


def _require_tools(env: dict[str, str]) -> Path:
    generator = shutil.which("openapi-python-client", path=env["PATH"])
    if generator is None:
        raise RegenerationError(
            "openapi-python-client is not installed; run scripts/bootstrap "
            f"(it pins openapi-python-client=={GENERATOR_VERSION})"
        )
    # The generator only *warns* when a post-hook command is missing, so an absent
    # ruff would silently give unformatted output. Refuse instead.
    if shutil.which("ruff", path=env["PATH"]) is None:
        raise RegenerationError("ruff is not on PATH: the generator's post-hooks would not format")
    version = subprocess.run(
        [generator, "--version"], capture_output=True, text=True, env=env, check=False
    ).stdout
    if GENERATOR_VERSION not in version:
        raise RegenerationError(
            f"openapi-python-client {GENERATOR_VERSION} is pinned, found: {version.strip()!r}"
        )
    return Path(generator)


_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def retry_safety(spec: Path) -> dict[str, bool]:
    """operationId -> the operation's `x-retry-safe` (False when absent: sent once)."""
    try:
        document: Any = yaml.safe_load(spec.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RegenerationError(f"cannot read the spec {spec}: {exc}") from exc
    facts: dict[str, bool] = {}
    paths_item = document.get("paths") if isinstance(document, dict) else None
    for item in (paths_item or {}).values():
        for method in _HTTP_METHODS:
            operation = item.get(method) if isinstance(item, dict) else None
            if isinstance(operation, dict) and isinstance(operation.get("operationId"), str):
                facts[operation["operationId"]] = operation.get("x-retry-safe") is True
    return facts


def _templates_with_spec_facts(spec: Path, folder: Path) -> Path:
    """openapi/templates/ plus spec_facts.jinja (the spec's x-retry-safe marks), in `folder`."""
    shutil.copytree(paths.TEMPLATES_DIR, folder)
    marks = ", ".join(f'"{op}": {safe}' for op, safe in sorted(retry_safety(spec).items()))
    (folder / "spec_facts.jinja").write_text(
        "{# Written by scripts/regenerate from the spec: operationId -> x-retry-safe. #}\n"
        f"{{% set retry_safe = {{{marks}}} %}}\n",
        encoding="utf-8",
    )
    return folder


def _place_runtime(package: Path, env: dict[str, str]) -> None:
    """Copy openapi/lib/ (the hand-written runtime) into the package as lib/, formatted as the
    generator's post-hooks format the rest of the package (its line length, not ours)."""
    target = package / "lib"
    shutil.copytree(
        paths.RUNTIME_DIR, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    proc = subprocess.run(
        ["ruff", "format", "--quiet", str(target)],
        cwd=package.parent,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if proc.returncode != 0:
        raise RegenerationError("ruff could not format lib/:\n" + proc.stdout + proc.stderr)


def generate_into(
    output: Path, spec: Path = paths.SPEC_PATH, env: dict[str, str] | None = None
) -> None:
    """Run the generator on `spec` into `output` (which must not exist yet)."""
    env = env if env is not None else _tool_env()
    generator = _require_tools(env)
    with tempfile.TemporaryDirectory(prefix="commprefs-templates-") as tmp:
        templates = _templates_with_spec_facts(spec, Path(tmp) / "templates")
        _run_generator(generator, spec, templates, output, env)
    _place_runtime(output / paths.PACKAGE_NAME, env)
    package = output / paths.PACKAGE_NAME
    for required in (package / "py.typed", package / "client.py", package / "api", package / "lib"):
        if not required.exists():
            raise RegenerationError(f"generated client is missing {required.relative_to(output)}")


def _run_generator(
    generator: Path, spec: Path, templates: Path, output: Path, env: dict[str, str]
) -> None:
    cmd = [
        str(generator),
        "generate",
        "--path",
        str(spec),
        "--config",
        str(paths.GENERATOR_CONFIG_PATH),
        "--custom-template-path",
        str(templates),
        "--meta",
        "setup",
        "--output-path",
        str(output),
        "--fail-on-warning",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    # Warnings (a failed post-hook included) are printed; --fail-on-warning makes them fatal.
    if proc.returncode != 0 or "Warning" in proc.stdout or "Error" in proc.stdout:
        raise RegenerationError(
            "openapi-python-client failed:\n" + (proc.stdout + proc.stderr).strip()
        )


def _tree(root: Path) -> set[str]:
    # Build and install leftovers (pip wheel, setup.py) and tool caches (ruff, mypy, pytest run
    # inside the folder) are not part of the generated client.
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file()
        and not any(part == "__pycache__" or _is_tool_cache(part) for part in p.parts)
        and ".egg-info" not in p.as_posix()
        and p.relative_to(root).parts[0] not in ("build", "dist")
    }


def _is_tool_cache(part: str) -> bool:
    return part.startswith(".") and part.endswith("_cache")


def diff_trees(expected: Path, actual: Path, max_lines: int = 40) -> list[str]:
    """Human-readable differences between a fresh generation and the committed client."""
    want, have = _tree(expected), _tree(actual)
    report: list[str] = []
    for name in sorted(want - have):
        report.append(f"missing from generated_client/: {name}")
    for name in sorted(have - want):
        report.append(f"not produced by the generator (edited by hand?): {name}")
    for name in sorted(want & have):
        if filecmp.cmp(expected / name, actual / name, shallow=False):
            continue
        report.append(f"differs: {name}")
        lines = list(
            difflib.unified_diff(
                (actual / name).read_text(encoding="utf-8").splitlines(),
                (expected / name).read_text(encoding="utf-8").splitlines(),
                f"committed/{name}",
                f"regenerated/{name}",
                lineterm="",
            )
        )
        report.extend("    " + line for line in lines[:max_lines])
        if len(lines) > max_lines:
            report.append(f"    ... {len(lines) - max_lines} more diff lines")
    return report


def regenerate(
    check: bool, spec: Path = paths.SPEC_PATH, target: Path = paths.GENERATED_CLIENT_DIR
) -> int:
    """Regenerate `target` from `spec`; with `check`, only compare. Returns an exit status."""
    with tempfile.TemporaryDirectory(prefix="commprefs-regen-") as tmp:
        fresh = Path(tmp) / "generated_client"
        generate_into(fresh, spec)
        if check:
            problems = diff_trees(fresh, target)
            if problems:
                print("generated_client/ is out of date with openapi/:", file=sys.stderr)
                print("\n".join(problems), file=sys.stderr)
                print("\nRun scripts/regenerate and commit the result.", file=sys.stderr)
                return 1
            print("generated_client/ matches the pinned spec and generator config.")
            return 0
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(fresh, target)
    print(f"regenerated {target}/")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = VerbParser(
        script="scripts/regenerate",
        console_script="commprefs-regenerate",
        description="Regenerate generated_client/ from the pinned spec (openapi/) with "
        f"openapi-python-client {GENERATOR_VERSION}. Exit status: 0 done (or, with --check, "
        "nothing would change), 1 --check found drift, 2 generation failed.",
    )
    parser.add_argument(
        "--check", action="store_true", help="fail when regeneration would change anything"
    )
    args = parser.parse_args(argv)
    try:
        return regenerate(check=args.check)
    except RegenerationError as exc:
        return error(parser.prog, exc, 2)
    except KeyboardInterrupt:
        return error(parser.prog, "interrupted", 130)


if __name__ == "__main__":
    sys.exit(main())
