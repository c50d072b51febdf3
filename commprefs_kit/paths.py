"""Where the project's pinned artefacts live, relative to the repository root."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OPENAPI_DIR = ROOT / "openapi"
SPEC_PATH = OPENAPI_DIR / "communication-preferences-2026-03.yaml"
LOCK_PATH = OPENAPI_DIR / "communication-preferences-2026-03.lock.json"
DEVIATIONS_PATH = OPENAPI_DIR / "deviations.yaml"
GENERATOR_CONFIG_PATH = OPENAPI_DIR / "generator-config.yaml"
TEMPLATES_DIR = OPENAPI_DIR / "templates"
# The hand-written runtime (make_client, retries, typed errors) regenerate puts in the package.
RUNTIME_DIR = OPENAPI_DIR / "lib"
GENERATED_CLIENT_DIR = ROOT / "generated_client"
PACKAGE_NAME = "hubspot_communication_preferences"
# Reference data beside the checkout (absent in a user's fresh clone).
SHARED_REFERENCE_DIR = ROOT.parent / "shared" / "reference"
UPSTREAM_2026_03 = SHARED_REFERENCE_DIR / "upstream" / "subscriptions-2026-03.json"


def user_path(arg: str) -> Path:
    """A path the user typed, absolute, relative to the folder they ran the command in."""
    return Path(arg).expanduser().absolute()


def in_checkout() -> bool:
    """True when running from a clone of the repository (not from an installed wheel)."""
    return (ROOT / "contract_tests").is_dir() and OPENAPI_DIR.is_dir()


def reports_dir() -> Path:
    """Where reports go by default: the checkout's reports/, or reports/ in the working folder
    of an installed kit."""
    return ROOT / "reports" if in_checkout() else Path("reports")
