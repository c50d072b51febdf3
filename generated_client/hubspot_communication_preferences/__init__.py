"""A client library for accessing HubSpot Communication Preferences"""

from .client import AuthenticatedClient, Client
from .lib.exceptions import (
    AuthenticationError,
    BadRequestError,
    ClientConfigurationError,
    ClientError,
    HubSpotAPIError,
    HubSpotConnectionError,
    HubSpotError,
    HubSpotErrorDetail,
    HubSpotTimeoutError,
    MissingScopesError,
    NotFoundError,
    RateLimitExceededError,
    ServerError,
    UnexpectedClientResponseError,
    UnexpectedRateLimitResponseError,
    UnexpectedResponseError,
    UnexpectedServerResponseError,
)
from .lib.factory import DEFAULT_BASE_URL, DEFAULT_RETRY, DEFAULT_TIMEOUT, make_client
from .lib.retry import RetryPolicy

__all__ = (
    "DEFAULT_BASE_URL",
    "DEFAULT_RETRY",
    "DEFAULT_TIMEOUT",
    "AuthenticatedClient",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "ClientConfigurationError",
    "ClientError",
    "HubSpotAPIError",
    "HubSpotConnectionError",
    "HubSpotError",
    "HubSpotErrorDetail",
    "HubSpotTimeoutError",
    "MissingScopesError",
    "NotFoundError",
    "RateLimitExceededError",
    "RetryPolicy",
    "ServerError",
    "UnexpectedClientResponseError",
    "UnexpectedRateLimitResponseError",
    "UnexpectedResponseError",
    "UnexpectedServerResponseError",
    "make_client",
)
