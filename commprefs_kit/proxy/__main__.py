"""`python -m commprefs_kit.proxy` (what scripts/proxy runs)."""

from commprefs_kit.proxy.cli import run

run()
