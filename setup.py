"""Build hook of the kit's wheel: ship the pinned artefacts as package data, from the one copy.

Everything else about the distribution is declared in pyproject.toml. This file only adds files
that live outside the packages in a checkout:

- openapi/ (the pinned spec, its lock, the recorded deviations) -> commprefs_spec/openapi/,
  where commprefs_spec.files.openapi_dir() finds them when no checkout is beside the package;
- contract_tests/ (the suite's pytest files and schemathesis.toml) ->
  commprefs_kit/contract/contract_tests/, so that commprefs-contract can run the suite from a
  wheel.

Why a hook and not a setuptools package-dir mapping ("commprefs_spec.openapi" = "openapi"): a
mapping needs an explicit list of every package (packages.find cannot discover a mapped one),
which every new subpackage would have to be added to, and openapi/lib/ (the client runtime) would
have to be kept out by hand. A copy made at build time keeps one committed copy and the
automatic package discovery. Editable installs are unaffected: in a checkout, openapi_dir() reads
openapi/ itself. MANIFEST.in puts the same files in the sdist, so a wheel built from it has them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent

# destination folder in the wheel -> (source folder in the checkout, file patterns)
SHIPPED: dict[str, tuple[str, tuple[str, ...]]] = {
    "commprefs_spec/openapi": (
        "openapi",
        (
            "communication-preferences-2026-03.yaml",
            "communication-preferences-2026-03.lock.json",
            "deviations.yaml",
        ),
    ),
    "commprefs_kit/contract/contract_tests": (
        "contract_tests",
        ("*.py", "schemathesis.toml", "README.md"),
    ),
}


class BuildPyWithArtefacts(build_py):
    """build_py, then copy the shipped artefacts into the build tree."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads them from the checkout
        for dest, (source, patterns) in SHIPPED.items():
            target = Path(self.build_lib) / dest
            target.mkdir(parents=True, exist_ok=True)
            for pattern in patterns:
                found = sorted((HERE / source).glob(pattern))
                if not found:
                    raise FileNotFoundError(f"nothing matches {source}/{pattern} in {HERE}")
                for path in found:
                    shutil.copyfile(path, target / path.name)


setup(cmdclass={"build_py": BuildPyWithArtefacts})
