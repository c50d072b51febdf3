"""``scripts/mock`` / ``commprefs-mock`` / ``python -m mock_server``: serve the mock locally.

Exit status: 0 after Ctrl-C or SIGTERM, 2 for a bad option or fixtures file (one line on
stderr), 3 when the address cannot be listened on (e.g. a busy port). See mock_server/README.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import errno
import os
import re
import socket
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import NoReturn

from commprefs_spec import Spec, SpecError, load_spec, pinned_spec
from mock_server import serve
from mock_server.app import MockApp
from mock_server.config import (
    DEFAULT_TOKEN,
    FAULT_KINDS,
    Faults,
    MockConfig,
    RateLimit,
)
from mock_server.fixtures import FixtureError

DISTRIBUTION = "hubspot-commprefs-kit"
CONSOLE_SCRIPT = "commprefs-mock"
SCRIPT = "scripts/mock"

EXIT_USAGE = 2
EXIT_CANNOT_LISTEN = 3

_RATE_LIMIT = re.compile(r"([0-9]+)/([0-9]+(?:\.[0-9]+)?)")
_TOKEN_CHARS = re.compile(r"[!-~]+")  # visible ASCII: what an Authorization header can carry


def program_name(argv0: str | None = None) -> str:
    """``commprefs-mock`` when run as that console script, else ``scripts/mock`` (which runs
    ``python -m mock_server``): the name shown in help and error messages."""
    name = Path(sys.argv[0] if argv0 is None else argv0).name
    return CONSOLE_SCRIPT if name == CONSOLE_SCRIPT else SCRIPT


def version() -> str:
    try:
        kit = metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        kit = "(not installed)"
    api = pinned_spec().prefix.rsplit("/", 1)[-1]
    return f"%(prog)s {kit} ({DISTRIBUTION}; mock of HubSpot Communication Preferences {api})"


def _rate_limit(text: str) -> RateLimit:
    found = _RATE_LIMIT.fullmatch(text.strip())
    count = int(found.group(1)) if found else 0
    seconds = float(found.group(2)) if found else 0.0
    if count < 1 or seconds <= 0:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected N/SECONDS (N requests per SECONDS seconds, N >= 1, "
            "SECONDS > 0), e.g. 100/10"
        )
    return RateLimit(max_requests=count, interval_seconds=seconds)


def _token(text: str) -> tuple[str, frozenset[str] | None]:
    """TOKEN[=SCOPE,...]; no scopes (None) means every scope of the served spec."""
    token, sep, scopes = text.partition("=")
    if not token.strip():
        raise argparse.ArgumentTypeError("a token must not be empty or blank")
    if not _TOKEN_CHARS.fullmatch(token):
        raise argparse.ArgumentTypeError(
            "a token is visible ASCII without spaces (it travels in an Authorization header)"
        )
    return token, frozenset(s for s in scopes.split(",") if s) if sep else None


def _tokens(
    given: list[tuple[str, frozenset[str] | None]], spec: Spec
) -> dict[str, frozenset[str]]:
    """The --token options against the served spec's scopes (ValueError for an unknown one)."""
    tokens: dict[str, frozenset[str]] = {}
    for token, scopes in given:
        granted = spec.scopes if scopes is None else scopes
        unknown = sorted(granted - spec.scopes)
        if unknown:
            raise ValueError(
                f"--token: unknown scope(s) {', '.join(unknown)}; the spec names: "
                f"{', '.join(sorted(spec.scopes))}"
            )
        tokens[token] = granted
    return tokens


def _kinds(text: str) -> tuple[str, ...]:
    kinds = tuple(k.strip() for k in text.split(",") if k.strip())
    unknown = [k for k in kinds if k not in FAULT_KINDS]
    if unknown or not kinds:
        named = ", ".join(unknown) or "(none)"
        raise argparse.ArgumentTypeError(
            f"unknown fault kind(s) {named}; known: {','.join(FAULT_KINDS)}"
        )
    return kinds


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text!r}: give a share between 0 and 1, e.g. 0.1")
    return value


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r}: give a port between 1 and 65535")
    return int(text)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give a positive whole number")
    return int(text)


def _non_negative(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number >= 0")
    return int(text)


class _Version(argparse.Action):
    """``--version``: one unwrapped line on stdout (argparse's own action wraps at 80 columns)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help=str(kwargs.get("help", "")))

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> NoReturn:
        print(version().replace("%(prog)s", parser.prog))  # stdout, as --help
        parser.exit(0)


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line on stderr (no usage block), exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog=program_name(),
        description="Serve the stateful HubSpot Communication Preferences 2026-03 mock on "
        "a local port. It prints the base URL to pass to the other verbs (--base-url).",
        epilog="Deterministic answers: send 'Prefer: code=NNN', or queue answers with "
        "POST /_mock/queue. Exit status: 0 stopped, 2 bad option or fixtures, 3 cannot "
        "listen (e.g. port in use). Docs: mock_server/README.md",
    )
    p.add_argument("--version", action=_Version, help="print the version and exit")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=8080, help="port (default 8080)")
    p.add_argument(
        "--token",
        type=_token,
        action="append",
        metavar="TOKEN[=SCOPE,...]",
        help=f"accepted Bearer token and its scopes (all when omitted); repeatable. "
        f"Default: {DEFAULT_TOKEN} with all scopes",
    )
    p.add_argument("--fixtures", type=Path, metavar="FILE", help="definitions file (JSON or YAML)")
    p.add_argument(
        "--spec",
        type=Path,
        metavar="FILE",
        help="serve another revision of the OpenAPI document (routing, validation, scopes) "
        "instead of the pinned one, e.g. a candidate of HubSpot's next version",
    )
    p.add_argument(
        "--rate-limit",
        type=_rate_limit,
        metavar="N/SECONDS",
        help="rolling-window limit per token, e.g. 100/10 (HubSpot's 100 per 10 s); off by default",
    )
    p.add_argument("--fault-rate", type=_share, default=0.0, help="share of faulted requests")
    p.add_argument(
        "--faults",
        type=_kinds,
        default=FAULT_KINDS,
        metavar="KIND,...",
        help=f"fault kinds to draw from (default all: {','.join(FAULT_KINDS)})",
    )
    p.add_argument(
        "--latency-ms", type=_non_negative, default=300, help="delay of 'latency' faults"
    )
    p.add_argument("--retry-after", type=_non_negative, default=1, help="Retry-After of 429 faults")
    p.add_argument(
        "--lost-response-rate",
        type=_share,
        default=0.0,
        help="share of requests carried out whose answer is then lost (5xx, html or drop)",
    )
    p.add_argument("--seed", type=int, help="seed of the fault generator (reproducible faults)")
    p.add_argument("--max-batch-inputs", type=_positive, default=1000)
    p.add_argument("--max-body-bytes", type=_positive, default=1_048_576)
    p.add_argument(
        "--require-legal-basis",
        action="store_true",
        help="act as a GDPR-enabled account: subscribing needs a legalBasis",
    )
    p.add_argument(
        "--server",
        choices=("auto", "granian", "uvicorn"),
        default="auto",
        help="HTTP server; auto = granian",
    )
    logs = p.add_mutually_exclusive_group()
    logs.add_argument(
        "--access-log",
        metavar="FILE",
        default="-",
        help="write one line per request to FILE (appended); default '-' = stderr. "
        "Tokens are never written",
    )
    logs.add_argument(
        "--no-access-log",
        dest="access_log",
        action="store_const",
        const=None,
        help="write no access log (the fastest)",
    )
    return p


def build_config(args: argparse.Namespace, spec: Spec | None = None) -> MockConfig:
    faults = None
    if args.fault_rate > 0 or args.lost_response_rate > 0:
        faults = Faults(
            rate=args.fault_rate,
            kinds=args.faults,
            latency_ms=args.latency_ms,
            retry_after_seconds=args.retry_after,
            lost_response_rate=args.lost_response_rate,
        )
    return MockConfig(
        tokens=_tokens(args.token, spec or pinned_spec()) if args.token else None,
        spec=args.spec,
        rate_limit=args.rate_limit,
        faults=faults,
        seed=args.seed,
        fixtures=args.fixtures,
        max_batch_inputs=args.max_batch_inputs,
        max_body_bytes=args.max_body_bytes,
        require_legal_basis=args.require_legal_basis,
        access_log=args.access_log,
    )


def _log_file_problem(destination: str | None) -> str | None:
    """Why the access log cannot be written (checked without creating the file)."""
    if destination is None or destination == "-":
        return None
    path = Path(destination)
    if path.is_dir():
        return f"--access-log {destination}: is a directory; give a file name"
    if path.exists():
        return None if os.access(path, os.W_OK) else f"--access-log {destination}: not writable"
    parent = path.parent
    if not parent.is_dir():
        return f"--access-log {destination}: folder {parent} does not exist"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"--access-log {destination}: cannot create a file in {parent}"
    return None


def _port_problem(host: str, port: int) -> str | None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        probe = socket.socket(family, socket.SOCK_STREAM)
    except OSError as exc:
        return f"cannot listen on {host}:{port}: {exc.strerror}"
    with probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except socket.gaierror:
            return f"--host {host}: not an address of this machine"
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is already in use; choose another with --port"
            if exc.errno == errno.EACCES:
                return f"no permission to listen on port {port}; use a port above 1023"
            if exc.errno == errno.EADDRNOTAVAIL:
                return f"--host {host}: not an address of this machine"
            return f"cannot listen on {host}:{port}: {exc.strerror}"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    prog = parser.prog
    args = parser.parse_args(argv)
    try:
        spec = pinned_spec() if args.spec is None else load_spec(args.spec)
        config = build_config(args, spec)
        # Built once here (without its log) so that a bad spec or fixtures file is one line,
        # not a crash of the server's worker.
        app = MockApp(dataclasses.replace(config, access_log=None))
    except SpecError as exc:
        print(f"{prog}: error: --spec: {' '.join(str(exc).split())}", file=sys.stderr)
        return EXIT_USAGE
    except FixtureError as exc:
        message = " ".join(str(exc).split())  # one line, whatever the parser said
        if config.fixtures is not None and str(config.fixtures) not in message:
            message = f"{message} (in {config.fixtures})"
        print(f"{prog}: error: --fixtures: {message}", file=sys.stderr)
        return EXIT_USAGE
    except ValueError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    problem = _log_file_problem(config.access_log)
    if problem:
        print(f"{prog}: error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    problem = _port_problem(args.host, args.port)
    if problem:
        print(f"{prog}: error: {problem}", file=sys.stderr)
        return EXIT_CANNOT_LISTEN
    server = "granian" if args.server == "auto" else args.server
    host = f"[{args.host}]" if ":" in args.host else args.host
    log_to = {None: "no access log", "-": "access log on stderr"}.get(
        config.access_log, f"access log in {config.access_log}"
    )
    served = "" if args.spec is None else f"spec {args.spec}; "
    # The base URL the other verbs take (--base-url); the API lives under the spec's prefix.
    print(
        f"HubSpot Communication Preferences mock serving http://{host}:{args.port} "
        f"(API under {spec.prefix}; {served}{server}; {len(app.tokens)} token(s); {log_to}; "
        "test hooks under /_mock/; Ctrl-C stops)",
        flush=True,
    )
    try:
        if server == "granian":
            serve.serve_granian(config, args.host, args.port)
        else:
            serve.serve_uvicorn(config, args.host, args.port)
    except KeyboardInterrupt:
        pass
    return 0
