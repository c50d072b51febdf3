"""The contract suite's library: target, checks, strategies, results, report, runner.

The suite itself is contract_tests/ (pytest); `python -m commprefs_kit.contract` (scripts/contract)
runs it and reports. See contract_tests/README.md.
"""
