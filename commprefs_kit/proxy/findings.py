"""Findings: what an exchange showed that the pinned spec does not say, classified as spec-diff
would classify the change that would make the spec describe it.

Each finding names a *kind* (what the proxy saw) and, where one applies, the spec-diff change
kind (``commprefs_kit/specdiff/rules.py``) and side. The severity is spec-diff's for that change
and side, so `scripts/spec-diff` and the proxy speak one vocabulary: an unknown field HubSpot
sends is ``property-added`` on the response side (safe), an enum value the spec lacks is
``enum-widened`` (potentially breaking), a value of another type is ``type-changed`` (breaking).

Request findings are judged by what the upstream did with the request: when HubSpot accepted
it (2xx), the spec is stricter than HubSpot and spec-diff's request-side severity applies; when
HubSpot refused it, or ``--strict`` stopped it, the integration sends what the contract forbids
and the call fails: breaking.

Findings that are no spec change (5xx answers, an unreachable upstream, a batch answer that
loses an input) carry no change kind and a severity of their own, stated in ``KINDS``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from commprefs_kit.specdiff.model import Change, Severity, Side
from commprefs_kit.specdiff.rules import RULES

B = Severity.BREAKING
P = Severity.POTENTIALLY_BREAKING
S = Severity.SAFE


@dataclass(frozen=True)
class Kind:
    meaning: str
    # Severity when no spec-diff change applies (None: always taken from the change's rule).
    severity: Severity | None = None


KINDS: dict[str, Kind] = {
    "unknown-operation": Kind("a request to a method and path the pinned spec does not have"),
    "request-schema": Kind("the request breaks the spec (parameters, body or content type)"),
    "undeclared-status": Kind("a status code the spec does not declare for the operation"),
    "content-type": Kind("a response content type the spec does not declare"),
    "missing-required-field": Kind("a field the spec requires is absent"),
    "wrong-type": Kind("a value of another JSON type than the spec's"),
    "unknown-enum-value": Kind("an enum value the spec does not list"),
    "unknown-field": Kind("a field the spec does not know"),
    "response-schema": Kind("another schema rule broken (format, range, pattern, JSON syntax)"),
    "error-body": Kind("not HubSpot's error body (status, message, category)", P),
    "correlation-id": Kind("a missing or malformed correlationId, or a header that differs", P),
    "rate-limit-guidance": Kind("a 429 that does not say how long to wait", P),
    "batch-result-per-input": Kind("a batch answer that does not answer every input once", B),
    "opt-out-not-visible": Kind("a read after a successful unsubscribe-all does not show it", B),
    "write-not-visible": Kind("a read after a successful status write does not show it", B),
    # spec-diff would call this a security alternative added (safe for a consumer); it is
    # the account's exposure rather than drift, so it is not rated safe here.
    "auth-not-enforced": Kind("a request without a valid bearer token was answered 2xx", P),
    "server-error": Kind("the upstream answered 5xx", P),
    "upstream-unreachable": Kind("the upstream could not be reached (DNS, refused, TLS)", P),
    "upstream-timeout": Kind("the upstream did not answer in time", P),
}


@dataclass
class Finding:
    """One thing one exchange showed. ``where`` is where in the exchange, e.g.
    ``response 200 body results[0].legalBasis``; ``detail`` one readable sentence."""

    operation: str
    kind: str
    where: str
    detail: str
    side: Side = Side.RESPONSE
    change: str | None = None  # a key of spec-diff's RULES
    severity: Severity = P
    advice: str = ""
    correlation_id: str | None = None
    status: int | None = None
    example: dict[str, Any] = field(default_factory=dict)

    def as_change(self) -> Change:
        """The finding as one spec-diff Change (same JSON vocabulary as `scripts/spec-diff`)."""
        return Change(
            key=f"{self.operation} {self.where}: {self.detail}",
            kind=self.change or self.kind,
            severity=self.severity,
        )

    def one_line(self) -> str:
        cid = self.correlation_id or "-"
        return (
            f"finding [{self.severity.label}] {self.operation} {self.kind} {self.where}: "
            f"{self.detail} (correlationId {cid})"
        )


def severity_for(
    kind: str, change: str | None, side: Side, accepted: bool | None, *, breaks: bool = True
) -> Severity:
    """spec-diff's severity for ``change`` on ``side``; a refused request that breaks the
    spec's schema (``breaks``) is breaking. Schema-valid extras (an unknown field or query
    parameter) keep spec-diff's request-side severity whatever the answer."""
    if side is Side.REQUEST and breaks and accepted is not True:
        return B
    if change is not None and change in RULES:
        return RULES[change].severity(side)
    own = KINDS[kind].severity if kind in KINDS else None
    return own if own is not None else P


_SEVERITY_WORDS = {
    B: "breaking",
    P: "potentially breaking",
    S: "safe drift",
}


def advice(finding: Finding, accepted: bool | None = None, *, breaks: bool = True) -> str:
    """What to do about ``finding``: one or two sentences, in the spirit of the issue's example
    ("HubSpot sent X, which the spec lacks (safe drift: the client keeps it as unknown). Add it
    with scripts/update-spec once HubSpot's published document has it, or record a deviation.")."""
    words = _SEVERITY_WORDS[finding.severity]
    update = (
        "Add it with `scripts/update-spec` once HubSpot's published document has it, or record "
        "a deviation in openapi/deviations.yaml"
    )
    kind = finding.kind
    if finding.side is Side.REQUEST:
        if kind == "unknown-operation":
            return (
                f"Not an operation of the pinned spec ({words}); it was forwarded unchecked. "
                "If it belongs to this API, take in HubSpot's newer document with "
                "`scripts/update-spec`."
            )
        if not breaks:
            return (
                f"Your integration sends {finding.detail}, which the spec does not know ({words}: "
                "allowed, but HubSpot may ignore it). Drop it, or if HubSpot documents it, add it "
                "with `scripts/update-spec`."
            )
        if accepted:
            return (
                f"HubSpot accepted a request the spec forbids ({words}: the spec is stricter than "
                f"HubSpot here). {update}; until then fix the caller to send what the spec allows."
            )
        return (
            f"Your integration sent a request the spec forbids ({words}: the call fails). Fix the "
            "caller; the generated client never builds this request, so look for hand-built calls."
        )
    if kind == "unknown-field":
        return (
            f"HubSpot sent {finding.detail}, which the spec lacks ({words}: the generated client "
            f"keeps it in additional_properties). {update}."
        )
    if kind == "unknown-enum-value":
        return (
            f"HubSpot sent {finding.detail}, which the spec lacks ({words}: the generated client "
            f"parses it as an unknown member, `.is_unknown`; code that matches on the enum must "
            f"handle it). {update}."
        )
    if kind == "missing-required-field":
        return (
            f"HubSpot left out {finding.detail} ({words}: the generated client fails to parse "
            "this answer). Report it to HubSpot with the correlationId; if HubSpot documents the "
            "field as optional, make it optional with `scripts/update-spec` or record a deviation."
        )
    if kind in ("wrong-type", "response-schema"):
        return (
            f"HubSpot's answer breaks the spec ({words}: the generated client may reject or "
            "mis-read it). Report it to HubSpot with the correlationId; if it is HubSpot's new "
            f"behaviour, {update[0].lower()}{update[1:]}."
        )
    if kind == "undeclared-status":
        return (
            f"HubSpot answered a status the spec does not declare ({words}: the generated client "
            f"returns no parsed body for it). {update}."
        )
    if kind == "content-type":
        return (
            f"HubSpot answered a content type the spec does not declare ({words}: the generated "
            f"client cannot parse it). {update}."
        )
    if kind in ("error-body", "correlation-id"):
        return (
            f"HubSpot's error answer is not its documented error body ({words}: the client's "
            "typed error loses category or correlationId). Report it to HubSpot; the client "
            "still raises on the status code."
        )
    if kind == "rate-limit-guidance":
        return (
            f"A 429 without Retry-After or policyName ({words}): the client falls back to its own "
            "backoff. Keep your request rate under HubSpot's limits."
        )
    if kind == "batch-result-per-input":
        return (
            f"A batch answer lost or invented an input ({words}: an opt-out may be lost without "
            "a word). Re-read the inputs' statuses and report it to HubSpot with the correlationId."
        )
    if kind in ("opt-out-not-visible", "write-not-visible"):
        return (
            f"A change HubSpot confirmed does not show in the next read ({words}: an opt-out may "
            "be lost). Unless something else changed the contact in between (HubSpot's UI, "
            "another integration), repeat the write and report both correlationIds to HubSpot."
        )
    if kind == "auth-not-enforced":
        return (
            f"HubSpot served a request without a valid token ({words} for the client, a security "
            "problem for the account). Report it to HubSpot."
        )
    if kind == "server-error":
        return (
            f"HubSpot failed ({words}). Retry-safe operations are retried by the client; if the "
            "request was invalid (see request-schema), HubSpot should have answered 400."
        )
    if kind in ("upstream-unreachable", "upstream-timeout"):
        return (
            f"The proxy could not get an answer from the upstream ({words}); it answered 502/504 "
            "itself. Check the --upstream URL, the network and HubSpot's status page."
        )
    return f"{KINDS.get(kind, Kind(kind)).meaning} ({words})."
