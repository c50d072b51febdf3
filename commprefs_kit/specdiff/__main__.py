"""spec-diff: compare two OpenAPI documents from a consumer's point of view.

Exit status:
  0  nothing at or above the --fail-on severity (always 0 with --fail-on never)
  1  at least one change at or above --fail-on; with --deviations, also an
     unrecorded change at or above it, or a recorded deviation that no longer occurs
  2  usage error, a missing or unreadable file, or an invalid document
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from commprefs_kit.specdiff import report
from commprefs_kit.specdiff.compare import diff_documents
from commprefs_kit.specdiff.deviations import DeviationsError, check_deviations, load_deviations
from commprefs_kit.specdiff.document import SpecError, load_document
from commprefs_kit.specdiff.model import Change, Severity
from commprefs_kit.verbs import EXIT_USAGE, VerbParser, error

FAIL_ON = ["breaking", "potentially-breaking", "safe", "never"]


def _parser() -> argparse.ArgumentParser:
    parser = VerbParser(
        script="scripts/spec-diff",
        console_script="commprefs-spec-diff",
        description="Compare two OpenAPI 3.0.x documents (YAML or JSON) and class each change "
        "breaking / potentially-breaking / safe for a consumer.",
        epilog=__doc__.split("\n\n", 1)[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("old", nargs="?", help="the earlier document")
    parser.add_argument("new", nargs="?", help="the later document")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default="breaking",
        help="lowest severity that makes the exit status 1 (default: breaking)",
    )
    parser.add_argument(
        "--deviations",
        type=Path,
        metavar="FILE",
        help="hide changes recorded in FILE (openapi/deviations.yaml) and report stale records",
    )
    parser.add_argument(
        "--history",
        type=Path,
        metavar="DIR",
        help="instead of OLD NEW: diff each document in DIR with the one before it (by file name)",
    )
    parser.add_argument(
        "--exact-paths",
        action="store_true",
        help="do not match operations across API version segments (v4 vs 2026-03)",
    )
    return parser


def _fails(changes: list[Change], fail_on: str) -> bool:
    if fail_on == "never":
        return False
    threshold = Severity.from_label(fail_on)
    return any(c.severity >= threshold for c in changes)


def _run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> tuple[int, str]:
    """(exit status, what to print)."""
    if args.history is not None:
        if args.old or args.new:
            parser.error("--history takes no OLD/NEW documents")
        if not args.history.is_dir():
            raise SpecError(f"{args.history}: not a directory")
        rows = report.history(args.history)
        if args.format == "json":
            return 0, json.dumps(report.history_json(rows), indent=2)
        return 0, report.history_text(rows)
    if not args.old or not args.new:
        parser.error("give OLD and NEW documents (or --history DIR)")
    old, new = load_document(args.old), load_document(args.new)
    changes = diff_documents(old, new, match_versions=not args.exact_paths)
    stale: list[str] = []
    recorded = 0
    if args.deviations is not None:
        checked = check_deviations(changes, load_deviations(args.deviations))
        changes, stale, recorded = checked.unrecorded, checked.stale, len(checked.recorded)
    failed = _fails(changes, args.fail_on) or (bool(stale) and args.fail_on != "never")
    if args.format == "json":
        out = report.as_json(changes, args.old, args.new)
        out.update(fail_on=args.fail_on, failed=failed)
        if args.deviations is not None:
            out["deviations"] = {"recorded": recorded, "stale": stale}
        return int(failed), json.dumps(out, indent=2)
    lines = [report.text(changes, f"spec-diff {args.old} -> {args.new}")]
    if args.deviations is not None:
        lines.append(
            f"deviations: {recorded} recorded changes not shown, {len(stale)} stale records"
        )
        lines += [f"  stale: {line}" for line in stale]
    return int(failed), "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    prog = parser.prog
    try:
        status, output = _run(args, parser)
    except (SpecError, DeviationsError) as exc:
        return error(prog, exc, EXIT_USAGE)
    except RecursionError:
        return error(prog, "schema nesting too deep to compare", EXIT_USAGE)
    except (AttributeError, TypeError, KeyError, ValueError) as exc:
        # Loading checks the outline only; an object where OpenAPI wants a list (or the
        # like) deeper down surfaces here. One line, never a traceback.
        name = type(exc).__name__
        return error(prog, f"malformed OpenAPI document ({name}: {exc})", EXIT_USAGE)
    except KeyboardInterrupt:
        return error(prog, "interrupted", 130)
    try:
        print(output)
        sys.stdout.flush()
    except BrokenPipeError:  # `spec-diff ... | head`: the reader left; keep the status
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return status


if __name__ == "__main__":
    sys.exit(main())
