"""Bulk opt-out through HubSpot's batch unsubscribe-all: a library call and a command.

    from commprefs_kit.bulk import unsubscribe_all, Journal
    from hubspot_communication_preferences import make_client

    async with make_client(token) as client:
        async for result in unsubscribe_all(addresses, client=client):
            print(result.address, result.outcome.value)

See commprefs_kit/bulk/README.md for the command, the result file and exit codes.
"""

from commprefs_kit.bulk.engine import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_ATTEMPTS,
    unsubscribe_all,
)
from commprefs_kit.bulk.interpret import Verified
from commprefs_kit.bulk.journal import Journal, JournalError
from commprefs_kit.bulk.normalise import Invalid, normalise_email
from commprefs_kit.bulk.ratelimit import HUBSPOT_DEFAULT_RATE, PacedTransport, Rate
from commprefs_kit.bulk.results import ContactResult, ErrorInfo, Outcome, StatusInfo
from commprefs_kit.bulk.sender import RunStopped, StopKind
from commprefs_kit.bulk.verify import verify_opted_out

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_CONCURRENCY",
    "DEFAULT_MAX_ATTEMPTS",
    "HUBSPOT_DEFAULT_RATE",
    "ContactResult",
    "ErrorInfo",
    "Invalid",
    "Journal",
    "JournalError",
    "Outcome",
    "PacedTransport",
    "Rate",
    "RunStopped",
    "StatusInfo",
    "StopKind",
    "Verified",
    "normalise_email",
    "unsubscribe_all",
    "verify_opted_out",
]
