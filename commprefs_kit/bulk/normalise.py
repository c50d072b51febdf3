"""Turn one raw input value into the address we send, or a reason why it is not one.

Rules (documented in commprefs_kit/bulk/README.md):
- surrounding whitespace, zero-width characters and a pair of quotes are dropped;
  ``Name <addr>`` and ``mailto:addr`` give ``addr``;
- the WHOLE address is lower-cased: HubSpot matches contact emails case-insensitively,
  so ``Ann@X.com`` and ``ann@x.com`` are one contact and must be one request;
- syntax only (no DNS): one ``@``, a dot-atom local part of at most 64 characters,
  a domain of at least two labels of letters, digits and inner hyphens, at most
  254 characters in all. HubSpot stays the final judge; this check keeps obvious
  junk (names, phone numbers, broken cells) out of the batches.

Hand-written rather than `email-validator`: we need a syntax check with reasons, not
deliverability, and a second dependency for 40 lines was not worth it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_ANGLE = re.compile(r"^[^<>]*<([^<>]*)>\s*$")
# RFC 5322 dot-atom text (letters, digits, !#$%&'*+-/=?^_`{|}~) plus any non-ASCII character
# (SMTPUTF8), written as "not a forbidden ASCII character": a negated class compiles in
# microseconds, a class spanning all of Unicode takes tens of milliseconds at import.
_ATOM = r"[^\x00-\x20\x22\x28\x29\x2c\x2e\x3a-\x3c\x3e\x40\x5b-\x5d\x7f]+"
_LOCAL = re.compile(rf"^{_ATOM}(?:\.{_ATOM})*$")
_ALNUM = r"[^\x00-\x2f\x3a-\x60\x7b-\x7f]"  # a-z, 0-9 (lower-cased already) or non-ASCII
_INNER = r"[^\x00-\x2c\x2e\x2f\x3a-\x60\x7b-\x7f]"  # the same plus "-"
_LABEL = re.compile(rf"^{_ALNUM}(?:{_INNER}*{_ALNUM})?$")
_TLD_NUMERIC = re.compile(r"^[0-9]+$")
_SPACE = re.compile(r"\s")

MAX_ADDRESS = 254
MAX_LOCAL = 64
MAX_LABEL = 63


@dataclass(frozen=True, slots=True)
class Invalid:
    """Why a value is not an address we can send."""

    reason: str


def normalise_email(raw: str) -> str | Invalid:
    """The normalised address, or `Invalid` with a reason a person can act on."""
    value = raw.translate(_ZERO_WIDTH).strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1].strip()
    angle = _ANGLE.match(value)
    if angle:
        value = angle.group(1).strip()
    if value[:7].lower() == "mailto:":
        value = value[7:].strip()
    if not value:
        return Invalid("empty value")
    if "\ufffd" in value:
        return Invalid("contains bytes that are not UTF-8")
    if _SPACE.search(value):
        return Invalid("contains whitespace")
    count = value.count("@")
    if count == 0:
        return Invalid("no @")
    if count > 1:
        return Invalid("more than one @")
    value = value.lower()
    if len(value) > MAX_ADDRESS:
        return Invalid(f"longer than {MAX_ADDRESS} characters")
    local, domain = value.split("@")
    if not local:
        return Invalid("nothing before @")
    if len(local) > MAX_LOCAL:
        return Invalid(f"part before @ longer than {MAX_LOCAL} characters")
    if not _LOCAL.match(local):
        return Invalid("part before @ has a character or dot that is not allowed")
    return _check_domain(domain) or value


def _check_domain(domain: str) -> Invalid | None:
    if not domain:
        return Invalid("nothing after @")
    labels = domain.split(".")
    if len(labels) < 2:
        return Invalid("domain has no dot")
    for label in labels:
        if not label:
            return Invalid("domain has an empty label (two dots, or a dot at an end)")
        if len(label) > MAX_LABEL or not _LABEL.match(label):
            return Invalid(f"domain label {label!r} is not allowed")
    if _TLD_NUMERIC.match(labels[-1]):
        return Invalid("domain ends in a number")
    return None
