"""Schema-valid data that the API really accepts: the `email` format.

The spec says `format: email` for every contact (path parameter and bodies). Schemathesis'
default strategy draws anything it deems RFC-shaped, such as `t$la;#zt@wfev1hpd.org`; a server
that accepts only ordinary mailbox addresses, as HubSpot's contact emails are, then "rejects a
schema-valid request" and the suite raises a false alarm against a correct server.
`deliverable_emails()` draws only ordinary addresses: letters, digits and `.`, `_`, `-`, `+` in
the local part (never leading, trailing or doubled), mixed case (HubSpot matches contacts
case-insensitively), and a domain of letter/digit labels joined by single hyphens under a
common top-level domain,
within RFC 5321's lengths. `register()` makes it Schemathesis' strategy for `format: email` in
positive generation; negative generation still sends non-addresses.

The rules are the dot-atom subset of RFC 5322 that mail systems agree on, written here on their
own: nothing is taken from the mock's code.
"""

from __future__ import annotations

import schemathesis
from hypothesis import strategies as st

#: RFC 5321 §4.5.3.1: local part at most 64 octets, a whole path at most 254.
MAX_LOCAL = 64
MAX_ADDRESS = 254

_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_SEPARATORS = "._-+"
_TOP_LEVEL = ("com", "org", "net", "io", "de", "fr", "co.uk", "com.au", "example")

_atom = st.text(_ALNUM, min_size=1, max_size=12)
_local = st.builds(
    lambda first, rest: first + "".join(sep + atom for sep, atom in rest),
    _atom,
    st.lists(st.tuples(st.sampled_from(_SEPARATORS), _atom), max_size=3),
).filter(lambda local: len(local) <= MAX_LOCAL)
# Single hyphens between letter/digit runs: a label with "--" in its 3rd and 4th characters is
# reserved for IDNA (RFC 5891 §4.2.3.1), and validators refuse it (ab--c.com).
_label = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}", fullmatch=True)
_domain = st.builds(
    lambda labels, top: ".".join([*labels, top]),
    st.lists(_label, min_size=1, max_size=3),
    st.sampled_from(_TOP_LEVEL),
)


def deliverable_emails() -> st.SearchStrategy[str]:
    """Ordinary mailbox addresses (see the module docstring), up to 254 characters."""
    return st.builds("{}@{}".format, _local, _domain).filter(lambda a: len(a) <= MAX_ADDRESS)


_registered = False


def register() -> None:
    """Use `deliverable_emails()` for `format: email` in Schemathesis' positive generation.

    Call it before the schema first generates data (Schemathesis caches the formats it built).
    """
    global _registered
    if not _registered:
        schemathesis.openapi.format("email", deliverable_emails())
        _registered = True
