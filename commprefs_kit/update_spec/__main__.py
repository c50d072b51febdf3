"""Command line of scripts/update-spec (see commprefs_kit.update_spec).

The report goes to stdout; errors (the lines the update writes as `update-spec: ...` or
`check-upstream: ...`) go to stderr as `PROG: error: ...`, with the other verbs' conventions
(commprefs_kit/verbs.py).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from commprefs_kit import paths
from commprefs_kit.update_spec.repo import Repo
from commprefs_kit.update_spec.run import HUBSPOT_2026_03_URL, Options, check_upstream, update
from commprefs_kit.verbs import VerbParser, error

_ERROR_MARKERS = ("update-spec: ", "check-upstream: ")
_NOTHING_CHANGED = "\nnothing was changed"


def _say(prog: str) -> Callable[[str], None]:
    """The report on stdout; the update's error lines on stderr, one line when they can be."""

    def say(text: str) -> None:
        for marker in _ERROR_MARKERS:
            if text.startswith(marker):
                body = text[len(marker) :]
                if body.endswith(_NOTHING_CHANGED) and body.count("\n") == 1:
                    body = body.replace(_NOTHING_CHANGED, "; nothing was changed")
                if "\n" in body:  # a refusal with its list of changes: kept as it is
                    print(f"{prog}: error: {body}", file=sys.stderr, flush=True)
                else:
                    error(prog, body, 0)
                return
        print(text, flush=True)

    return say


def main(argv: list[str] | None = None, repo: Repo | None = None) -> int:
    parser = VerbParser(
        script="scripts/update-spec",
        console_script="commprefs-update-spec",
        description="Bring a new revision of the spec into the kit: validate, diff, apply "
        "to our curated spec, lock, regenerate, report API changes, run the contract suite.",
    )
    parser.add_argument("source", nargs="?", help="the new document: a path or an http(s) URL")
    parser.add_argument(
        "--allow-breaking", action="store_true", help="apply changes that break callers"
    )
    parser.add_argument(
        "--upstream-base",
        metavar="FILE_OR_URL",
        help="the upstream revision our spec was last checked against (default: found by "
        "the lock's upstream_sha256)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="show what would happen; write nothing"
    )
    parser.add_argument("--no-contract", action="store_true", help="do not run scripts/contract")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every change")
    parser.add_argument(
        "--check-upstream",
        nargs="?",
        const=HUBSPOT_2026_03_URL,
        metavar="URL",
        help="only report whether upstream published a revision the lock has not seen "
        "(exit 1 with its diff); default URL: HubSpot's published 2026-03 file",
    )
    parser.add_argument("--save", metavar="FILE", help="with --check-upstream: keep the new file")
    args = parser.parse_args(argv)
    say = _say(parser.prog)
    repo = repo or Repo()
    if args.check_upstream is not None:
        save = paths.user_path(args.save) if args.save else None
        return check_upstream(repo, args.check_upstream, save, say=say)
    if args.save:
        parser.error("--save goes with --check-upstream")
    if not args.source:
        parser.error("SOURCE is required (or use --check-upstream)")
    scheme = args.source.split("://", 1)[0].lower() if "://" in args.source else None
    if scheme is not None and scheme not in ("http", "https"):
        parser.error(f"SOURCE {args.source!r}: give a file path or an http(s) URL")
    options = Options(
        allow_breaking=args.allow_breaking,
        dry_run=args.dry_run,
        upstream_base=args.upstream_base,
        run_contract=not args.no_contract,
        verbose=args.verbose,
    )
    try:
        return update(repo, args.source, options, say=say)
    except KeyboardInterrupt:
        return error(parser.prog, "interrupted", 130)


if __name__ == "__main__":
    sys.exit(main())
