"""``python -m mock_server`` / ``scripts/mock``: serve the mock on a local port."""

from __future__ import annotations

import argparse
import errno
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

from mock_server import serve
from mock_server.config import (
    ALL_SCOPES,
    DEFAULT_TOKEN,
    FAULT_KINDS,
    Faults,
    MockConfig,
    RateLimit,
)
from mock_server.fixtures import FixtureError, load_fixtures
from mock_server.spec import pinned_spec

API_BASE = "/communication-preferences/2026-03"


def _rate_limit(text: str) -> RateLimit:
    count, sep, seconds = text.partition("/")
    try:
        return RateLimit(max_requests=int(count), interval_seconds=float(seconds) if sep else 10.0)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: use N/SECONDS with N >= 1 and SECONDS > 0, e.g. 100/10"
        ) from None


def _token(text: str) -> tuple[str, frozenset[str]]:
    token, sep, scopes = text.partition("=")
    if not token:
        raise argparse.ArgumentTypeError("a token must not be empty")
    granted = frozenset(s for s in scopes.split(",") if s) if sep else ALL_SCOPES
    unknown = sorted(granted - ALL_SCOPES)
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown scope(s) {', '.join(unknown)}; known: {', '.join(sorted(ALL_SCOPES))}"
        )
    return token, granted


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


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m mock_server",
        description="Serve the stateful HubSpot Communication Preferences 2026-03 mock.",
    )
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
    p.add_argument("--fixtures", type=Path, help="definitions file (JSON or YAML)")
    p.add_argument("--rate-limit", type=_rate_limit, metavar="N/SECONDS", help="e.g. 100/10")
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
        help="HTTP server; auto = granian, or uvicorn when 'drop' faults are on (granian "
        "cannot close a connection without answering)",
    )
    return p


def build_config(args: argparse.Namespace) -> MockConfig:
    faults = None
    if args.fault_rate > 0 or args.lost_response_rate > 0:
        faults = Faults(
            rate=args.fault_rate,
            kinds=args.faults,
            latency_ms=args.latency_ms,
            retry_after_seconds=args.retry_after,
            lost_response_rate=args.lost_response_rate,
        )
    tokens = dict(args.token) if args.token else {DEFAULT_TOKEN: ALL_SCOPES}
    return MockConfig(
        tokens=tokens,
        rate_limit=args.rate_limit,
        faults=faults,
        seed=args.seed,
        fixtures=args.fixtures,
        max_batch_inputs=args.max_batch_inputs,
        max_body_bytes=args.max_body_bytes,
        require_legal_basis=args.require_legal_basis,
    )


def _port_problem(host: str, port: int) -> str | None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is already in use; choose another with --port"
            return f"cannot listen on {host}:{port}: {exc.strerror}"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        config = build_config(args)
        load_fixtures(config.fixtures, pinned_spec())
    except (ValueError, FixtureError) as exc:
        print(f"mock_server: {exc}", file=sys.stderr)
        return 2
    problem = _port_problem(args.host, args.port)
    if problem:
        print(f"mock_server: {problem}", file=sys.stderr)
        return 1
    server = args.server
    if server == "auto":
        server = "uvicorn" if config.faults is not None and config.faults.may_drop else "granian"
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(
        f"HubSpot Communication Preferences mock serving http://{host}:{args.port}{API_BASE} "
        f"({server}; {len(config.tokens)} token(s); test hooks under /_mock/; Ctrl-C stops)",
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
