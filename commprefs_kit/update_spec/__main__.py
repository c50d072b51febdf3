"""Command line of scripts/update-spec (see commprefs_kit.update_spec)."""

from __future__ import annotations

import argparse
import sys

from commprefs_kit import paths
from commprefs_kit.update_spec.repo import Repo
from commprefs_kit.update_spec.run import HUBSPOT_2026_03_URL, Options, check_upstream, update


def main(argv: list[str] | None = None, repo: Repo | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/update-spec",
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
    repo = repo or Repo()
    if args.check_upstream is not None:
        save = paths.user_path(args.save) if args.save else None
        return check_upstream(repo, args.check_upstream, save)
    if not args.source:
        parser.error("SOURCE is required (or use --check-upstream)")
    options = Options(
        allow_breaking=args.allow_breaking,
        dry_run=args.dry_run,
        upstream_base=args.upstream_base,
        run_contract=not args.no_contract,
        verbose=args.verbose,
    )
    return update(repo, args.source, options)


if __name__ == "__main__":
    sys.exit(main())
