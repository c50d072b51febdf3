"""What every verb's command line does the same way (the README's "The verbs").

- One program name in help and errors: `scripts/NAME`, or the console script's name
  (`commprefs-NAME`) when it runs under that name.
- `-h`/`--help` and `--version` print to stdout and exit 0; `--version` is one line.
- A usage error is one line on stderr, `PROG: error: WHAT (see PROG --help)`, exit
  status 2; other errors are `PROG: error: WHAT` on stderr, never a traceback.
- Output is plain text (argparse's), never coloured.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import NoReturn

DISTRIBUTION = "hubspot-commprefs-kit"
EXIT_USAGE = 2


def program_name(script: str, console_script: str, argv0: str | None = None) -> str:
    """`console_script` when run as that console script, else `script` (`scripts/NAME`)."""
    name = Path(sys.argv[0] if argv0 is None else argv0).name
    return console_script if name == console_script else script


def version_line(prog: str) -> str:
    try:
        kit = metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        kit = "(not installed)"
    return f"{prog} {kit} ({DISTRIBUTION}; HubSpot Communication Preferences 2026-03)"


def one_line(text: object) -> str:
    """`text` on one line (a message from a library may hold newlines)."""
    return " ".join(str(text).split())


def error(prog: str, message: object, status: int) -> int:
    """Print `PROG: error: MESSAGE` as one line on stderr; return `status`."""
    print(f"{prog}: error: {one_line(message)}", file=sys.stderr, flush=True)
    return status


class VersionAction(argparse.Action):
    """`--version`: one unwrapped line on stdout (argparse's own action wraps at 80 columns)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help=str(kwargs.get("help", "")))

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> NoReturn:
        print(version_line(parser.prog))
        parser.exit(0)


class VerbParser(argparse.ArgumentParser):
    """An ArgumentParser named after the verb, with --version and one-line usage errors."""

    def __init__(self, *, script: str, console_script: str, **kwargs: object) -> None:
        super().__init__(prog=program_name(script, console_script), **kwargs)  # type: ignore[arg-type]
        self.add_argument("--version", action=VersionAction, help="print the version and exit")

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {one_line(message)} (see {self.prog} --help)\n")
