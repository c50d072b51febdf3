"""`python -m commprefs_kit.bulk` (run by scripts/unsubscribe-all): the unsubscribe-all command."""

from commprefs_kit.bulk.cli import app

if __name__ == "__main__":
    app()
