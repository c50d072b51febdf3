"""Configuration of one mock app (immutable; each app built from it has its own state)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from commprefs_spec import pinned_spec

#: Every scope the pinned spec names (a token given no scopes gets those of the served spec).
ALL_SCOPES = pinned_spec().scopes

DEFAULT_TOKEN = "test-token"

# Fault kinds: HTTP statuses with HubSpot's JSON error body, a proxy's HTML page, a closed
# connection without any response, and added latency (the request is then served normally).
FAULT_KINDS = ("429", "500", "502", "503", "html", "drop", "latency")
# Kinds that can replace the answer of a request that was carried out ("lost response").
LOST_KINDS = ("500", "502", "503", "html", "drop")


@dataclass(frozen=True)
class RateLimit:
    """HubSpot's rolling-window limit per token (100 requests / 10 s for most apps)."""

    max_requests: int = 100
    interval_seconds: float = 10.0
    daily_max: int = 250_000
    policy_name: str = "TEN_SECONDLY_ROLLING"

    def __post_init__(self) -> None:
        if self.max_requests < 1 or self.interval_seconds <= 0 or self.daily_max < 1:
            raise ValueError("rate limit needs max_requests >= 1 and interval_seconds > 0")


@dataclass(frozen=True)
class Faults:
    """Injected failures, drawn from a seeded generator (same seed + requests = same faults).

    ``rate`` is the share of API requests that fail before anything happens (nothing changes);
    ``lost_response_rate`` is the share of requests that are carried out and whose answer is
    then lost (replaced by one of the failing ``kinds``: 5xx, html or drop).
    """

    rate: float = 0.0
    kinds: tuple[str, ...] = FAULT_KINDS
    latency_ms: int = 300
    retry_after_seconds: int = 1
    lost_response_rate: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0 or not 0.0 <= self.lost_response_rate <= 1.0:
            raise ValueError("fault rates must be between 0 and 1")
        unknown = sorted(set(self.kinds) - set(FAULT_KINDS))
        if unknown or not self.kinds:
            raise ValueError(f"unknown fault kinds {unknown}; choose from {', '.join(FAULT_KINDS)}")
        if self.latency_ms < 0 or self.retry_after_seconds < 0:
            raise ValueError("latency_ms and retry_after_seconds must not be negative")

    @property
    def lost_kinds(self) -> tuple[str, ...]:
        """Kinds a lost response is drawn from (a dropped connection when none is configured)."""
        return tuple(k for k in self.kinds if k in LOST_KINDS) or ("drop",)

    @property
    def may_drop(self) -> bool:
        """Whether some request may end with a dropped connection."""
        before = self.rate > 0 and "drop" in self.kinds
        return before or (self.lost_response_rate > 0 and "drop" in self.lost_kinds)


@dataclass(frozen=True)
class MockConfig:
    """Everything that shapes one mock app. Defaults suit tests: the pinned spec, one token
    with every scope it names, no rate limit, no faults, built-in fixtures."""

    #: Accepted tokens and their scopes; None = ``DEFAULT_TOKEN`` with every scope of the spec.
    tokens: Mapping[str, frozenset[str]] | None = None
    #: The OpenAPI document to serve; None = the pinned spec. Another revision must keep the
    #: pinned operations (the mock has behaviour for those only): see mock_server/README.md.
    spec: Path | None = None
    rate_limit: RateLimit | None = None
    faults: Faults | None = None
    seed: int | None = None
    fixtures: Path | None = None
    max_batch_inputs: int = 1000
    max_body_bytes: int = 1_048_576
    # A GDPR-enabled account: subscribing someone needs a legal basis.
    require_legal_basis: bool = False
    # Where generated preference/unsubscribe links point (.test is reserved for testing).
    links_base_url: str = "https://hubspot-mock.test"
    # Access log: None = off, "-" = stderr, else a file appended to (the CLI's default is "-").
    access_log: str | None = None

    def __post_init__(self) -> None:
        if self.max_batch_inputs < 1 or self.max_body_bytes < 1:
            raise ValueError("max_batch_inputs and max_body_bytes must be positive")
        if not self.links_base_url.startswith("https://"):
            raise ValueError("links_base_url must be an https URL")
