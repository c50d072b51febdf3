"""`python -m commprefs_kit.bulk`: the unsubscribe-all command."""

from commprefs_kit.bulk.cli import app

if __name__ == "__main__":
    app(prog_name="unsubscribe-all")
