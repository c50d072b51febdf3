"""Where the pinned artefacts are: the checkout's ``openapi/`` folder, or, when the kit is
installed from a wheel, the same files shipped as package data (``commprefs_spec/openapi/``)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

SPEC_NAME = "communication-preferences-2026-03.yaml"
LOCK_NAME = "communication-preferences-2026-03.lock.json"
DEVIATIONS_NAME = "deviations.yaml"

# In a checkout, openapi/ sits beside this package.
_CHECKOUT_OPENAPI = Path(__file__).resolve().parent.parent / "openapi"


def openapi_dir() -> Path:
    """The folder holding the pinned spec, its lock and the recorded deviations."""
    if (_CHECKOUT_OPENAPI / SPEC_NAME).is_file():
        return _CHECKOUT_OPENAPI
    return Path(str(resources.files("commprefs_spec") / "openapi"))


def pinned_spec_path() -> Path:
    """The pinned OpenAPI document."""
    return openapi_dir() / SPEC_NAME
