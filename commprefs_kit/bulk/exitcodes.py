"""Exit statuses of `unsubscribe-all` (documented in commprefs_kit/bulk/README.md)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # every address confirmed opted out; no malformed lines
    FAILED = 1  # some contacts failed (see the result file); a rerun retries them
    USAGE = 2  # bad arguments, unreadable input, no token, journal of another job
    INVALID_INPUT = 3  # every valid address confirmed, but some input lines were malformed
    AUTHENTICATION = 4  # HubSpot refused the token (401); run stopped, progress kept
    SCOPES = 5  # the token lacks a scope (403); run stopped, progress kept
    NOT_OPTED_OUT = 6  # --verify found contacts that are not opted out (or unreadable)
    STOPPED = 7  # base URL is not HubSpot's API, or batches kept failing; progress kept
    UNREACHABLE = 8  # no answer from the base URL (DNS, refused, timeout, TLS); nothing sent
    INTERRUPTED = 130  # Ctrl-C / SIGTERM; progress kept, rerun to resume
