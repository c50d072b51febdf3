"""`scripts/proxy`: the validating proxy on 127.0.0.1 in front of HubSpot (or any upstream).

Served by uvicorn in this process (on uvloop where it is installed, which is not on Windows),
so that Ctrl-C and SIGTERM end the server gracefully and the report is written here afterwards.
The listening socket is bound before uvicorn starts, so a busy port is one line on stderr
(exit 3), like `scripts/mock`.

Exit status: 0 after Ctrl-C or SIGTERM, 2 for a bad option, 3 when the address cannot be
listened on.
"""

from __future__ import annotations

import argparse
import errno
import os
import signal
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from commprefs_kit import paths
from commprefs_kit.verbs import VersionAction, program_name

if TYPE_CHECKING:
    from commprefs_kit.proxy.app import ProxyApp

DEFAULT_UPSTREAM = "https://api.hubapi.com"
DEFAULT_PORT = 8787
DISTRIBUTION = "hubspot-commprefs-kit"
EXIT_USAGE = 2
EXIT_CANNOT_LISTEN = 3
REPORT_STEM = "proxy-report"


class UsageError(Exception):
    """A bad option; the message is one line for the user."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog=program_name("scripts/proxy", "commprefs-proxy"),
        description=(
            "Forward requests to the upstream unchanged and check every request and answer "
            "against the pinned spec. Findings print one line each on stderr as they happen; "
            "on Ctrl-C or SIGTERM a Markdown, JSON and JUnit report is written. Tokens are "
            "never printed, recorded or reported."
        ),
    )
    p.add_argument(
        "--upstream",
        default=DEFAULT_UPSTREAM,
        metavar="URL",
        help=f"where requests go (default {DEFAULT_UPSTREAM})",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0: any)"
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="answer a request that breaks the spec with HubSpot's 400 instead of forwarding it",
    )
    p.add_argument(
        "--record", type=Path, metavar="FILE", help="append every exchange (redacted) to FILE"
    )
    p.add_argument(
        "--report-dir",
        type=Path,
        default=paths.reports_dir(),
        metavar="DIR",
        help=f"where the report goes on exit (default reports/: {REPORT_STEM}.md, .json, "
        "-junit.xml)",
    )
    p.add_argument(
        "--timeout", type=_seconds, default=30.0, help="seconds to wait for the upstream (30)"
    )
    p.add_argument("--version", action=VersionAction, help="print the version and exit")
    return p


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)")
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 3600 seconds")
    return value


def upstream_url(text: str) -> str:
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"invalid --upstream {text!r}: expected http(s)://host[:port]")
    try:
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise UsageError(f"invalid --upstream {text!r}: bad port") from None
    if parts.query or parts.fragment:
        raise UsageError(f"invalid --upstream {text!r}: no query or fragment")
    return text.strip().rstrip("/")


def listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        reason = "address already in use" if exc.errno == errno.EADDRINUSE else exc.strerror
        raise OSError(f"cannot listen on {host}:{port}: {reason}") from None
    sock.set_inheritable(True)
    return sock


class EarlyStop:
    """Ctrl-C or SIGTERM before uvicorn listens for them (loading the checks takes a second or
    two): remembered, so that the proxy stops as soon as it serves and still writes its report,
    instead of dying without one (or with a traceback)."""

    def __init__(self) -> None:
        self.signal: int | None = None
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._note)

    def _note(self, sig: int, frame: FrameType | None) -> None:
        self.signal = sig


def main(argv: Sequence[str] | None = None) -> int:
    early = EarlyStop()
    try:
        args = parser().parse_args(argv)
        upstream = upstream_url(args.upstream)
    except UsageError as exc:
        print(f"scripts/proxy: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        sock = listen(args.host, args.port)
    except OSError as exc:
        print(f"scripts/proxy: error: {exc}", file=sys.stderr)
        return EXIT_CANNOT_LISTEN
    # Here, not at the top: the signals above are caught before these imports take their time.
    from commprefs_kit.proxy.app import ProxyApp, ProxyConfig
    from commprefs_kit.proxy.record import Recorder
    from commprefs_kit.proxy.redact import Redactor
    from commprefs_kit.proxy.report import FindingLog

    redactor = Redactor()
    log = FindingLog(redactor, live=sys.stderr)
    recorder = Recorder(args.record, upstream, redactor) if args.record else None
    try:
        # Both are checked now, so that a typo is one line at start, not a lost report at exit.
        args.report_dir.mkdir(parents=True, exist_ok=True)
        if not os.access(args.report_dir, os.W_OK):
            raise PermissionError(f"cannot write to {args.report_dir}")
        if recorder is not None:
            recorder.open()
    except OSError as exc:
        sock.close()
        print(
            f"scripts/proxy: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "),
            file=sys.stderr,
        )
        return EXIT_USAGE
    app = ProxyApp(
        ProxyConfig(
            upstream=upstream, strict=args.strict, timeout=args.timeout, defer_judging=True
        ),
        log=log,
        recorder=recorder,
    )
    port = sock.getsockname()[1]
    shown_host = f"[{args.host}]" if ":" in args.host else args.host
    mode = "strict: requests that break the spec are refused" if args.strict else "observing"
    print(
        f"proxy on http://{shown_host}:{port} -> {upstream} ({mode}); Ctrl-C writes the report",
        file=sys.stderr,
        flush=True,
    )
    serve(app, sock, early)
    title = f"Validating proxy in front of {upstream}"
    lines = [
        f"Mode: {mode}. Findings are classified as `scripts/spec-diff` classifies the change "
        "that would make the spec describe them (see commprefs_kit/proxy/findings.py)."
    ]
    print(log.summary_line(), file=sys.stderr)
    try:
        written = log.write(args.report_dir, REPORT_STEM, title, lines)
    except OSError as exc:
        print(f"scripts/proxy: error: cannot write the report: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print("report: " + ", ".join(str(p) for p in written), file=sys.stderr)
    if args.record:
        print(f"record: {args.record}", file=sys.stderr)
    return 0


def serve(app: ProxyApp, sock: socket.socket, early: EarlyStop) -> None:
    import uvicorn

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if early.signal is not None:  # asked to stop while loading: stop now
                self.should_exit = True

        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            # uvicorn.Server records the signal and raises it again once it has shut down,
            # which ends the process before the report is written; stop without recording.
            if self.should_exit and sig == signal.SIGINT:
                self.force_exit = True
            else:
                self.should_exit = True

    config = uvicorn.Config(
        app,
        loop="auto",  # uvloop when importable, else asyncio
        http="httptools",
        proxy_headers=False,  # the client address is not used
        lifespan="on",
        access_log=False,
        log_level="warning",
        server_header=False,
        date_header=False,
        timeout_graceful_shutdown=5,
    )
    server = Server(config)
    server.run(sockets=[sock])


def run() -> None:
    sys.exit(main())
