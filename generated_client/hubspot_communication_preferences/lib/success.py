"""What the generated plain calls (``sync`` / ``asyncio``) do with an answer: return the success
model, or raise the typed error. This is why they are typed as their success model alone."""

from __future__ import annotations

from typing import Any

from ..types import Response
from .error_parsing import build_error
from .exceptions import HubSpotAPIError
from .operation import OperationTag


def unexpected_answer(response: Response[Any], operation: OperationTag) -> HubSpotAPIError:
    """The error for an answer that is not ``operation``'s documented success.

    Through ``make_client`` the transport has raised already; this covers a plain
    ``AuthenticatedClient`` and ``make_client(raise_errors=False)``.
    """
    return build_error(
        int(response.status_code),
        response.content,
        dict(response.headers),
        operation_id=operation.operation_id,
        retry_safe=operation.retry_safe,
    )
