"""Contains all the data models used in inputs/outputs"""

from .action_response_with_results_public_status import ActionResponseWithResultsPublicStatus
from .action_response_with_results_public_wide_status import ActionResponseWithResultsPublicWideStatus
from .action_response_with_results_subscription_definition import ActionResponseWithResultsSubscriptionDefinition
from .action_status import ActionStatus
from .batch_input_public_status_request import BatchInputPublicStatusRequest
from .batch_input_string import BatchInputString
from .batch_response_public_bulk_opt_out_from_all_response import BatchResponsePublicBulkOptOutFromAllResponse
from .batch_response_public_status import BatchResponsePublicStatus
from .batch_response_public_status_bulk_response import BatchResponsePublicStatusBulkResponse
from .batch_response_public_status_bulk_response_with_errors import BatchResponsePublicStatusBulkResponseWithErrors
from .batch_response_public_wide_status_bulk_response import BatchResponsePublicWideStatusBulkResponse
from .batch_response_public_wide_status_bulk_response_with_errors import (
    BatchResponsePublicWideStatusBulkResponseWithErrors,
)
from .channel import Channel
from .error import Error
from .error_context import ErrorContext
from .error_detail import ErrorDetail
from .legal_basis import LegalBasis
from .link_generation_request import LinkGenerationRequest
from .link_generation_response import LinkGenerationResponse
from .links import Links
from .partial_public_status_request import PartialPublicStatusRequest
from .public_bulk_opt_out_from_all_response import PublicBulkOptOutFromAllResponse
from .public_status import PublicStatus
from .public_status_bulk_response import PublicStatusBulkResponse
from .public_status_request import PublicStatusRequest
from .public_subscription_translation import PublicSubscriptionTranslation
from .public_wide_status import PublicWideStatus
from .public_wide_status_bulk_response import PublicWideStatusBulkResponse
from .rate_limit_error import RateLimitError
from .set_status_success_reason import SetStatusSuccessReason
from .standard_error import StandardError
from .subscription_definition import SubscriptionDefinition
from .subscription_status import SubscriptionStatus
from .wide_status_type import WideStatusType

__all__ = (
    "ActionResponseWithResultsPublicStatus",
    "ActionResponseWithResultsPublicWideStatus",
    "ActionResponseWithResultsSubscriptionDefinition",
    "ActionStatus",
    "BatchInputPublicStatusRequest",
    "BatchInputString",
    "BatchResponsePublicBulkOptOutFromAllResponse",
    "BatchResponsePublicStatus",
    "BatchResponsePublicStatusBulkResponse",
    "BatchResponsePublicStatusBulkResponseWithErrors",
    "BatchResponsePublicWideStatusBulkResponse",
    "BatchResponsePublicWideStatusBulkResponseWithErrors",
    "Channel",
    "Error",
    "ErrorContext",
    "ErrorDetail",
    "LegalBasis",
    "LinkGenerationRequest",
    "LinkGenerationResponse",
    "Links",
    "PartialPublicStatusRequest",
    "PublicBulkOptOutFromAllResponse",
    "PublicStatus",
    "PublicStatusBulkResponse",
    "PublicStatusRequest",
    "PublicSubscriptionTranslation",
    "PublicWideStatus",
    "PublicWideStatusBulkResponse",
    "RateLimitError",
    "SetStatusSuccessReason",
    "StandardError",
    "SubscriptionDefinition",
    "SubscriptionStatus",
    "WideStatusType",
)
