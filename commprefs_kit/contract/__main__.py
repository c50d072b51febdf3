"""`python -m commprefs_kit.contract` (what scripts/contract runs)."""

from commprefs_kit.contract.runner import run

run()
