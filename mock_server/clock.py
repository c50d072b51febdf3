"""Fast timestamps and correlation ids (they are made for every answer)."""

from __future__ import annotations

import itertools
import os
import time

_MASK62 = (1 << 62) - 1
_VARIANT = 1 << 63
_rand_a = int.from_bytes(os.urandom(2)) & 0xFFF
_rand_b = int.from_bytes(os.urandom(8)) & _MASK62
_counter = itertools.count()

_last_second = -1
_second_text = ""


def iso_now() -> str:
    """UTC now as HubSpot writes it, e.g. 2026-03-19T12:00:00.123Z."""
    global _last_second, _second_text
    now_ms = time.time_ns() // 1_000_000
    second, ms = divmod(now_ms, 1000)
    if second != _last_second:
        # Formatting is the slow part; do it once per second.
        _second_text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        _last_second = second
    return f"{_second_text}.{ms:03d}Z"


def correlation_id() -> str:
    """A UUIDv7 (HubSpot's recent correlation ids are v7): time-ordered, unique per process."""
    t = f"{time.time_ns() // 1_000_000:012x}"
    b = f"{_VARIANT | ((_rand_b + next(_counter)) & _MASK62):016x}"
    return f"{t[:8]}-{t[8:]}-7{_rand_a:03x}-{b[:4]}-{b[4:]}"
