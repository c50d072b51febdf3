from enum import StrEnum
from typing import Any


class LegalBasis(StrEnum):
    """Forward compatible: a value HubSpot adds later parses as an unknown member
    (``is_unknown`` is True, ``value`` keeps the text) instead of raising ValueError."""

    CONSENT_WITH_NOTICE = "CONSENT_WITH_NOTICE"
    LEGITIMATE_INTEREST_CLIENT = "LEGITIMATE_INTEREST_CLIENT"
    LEGITIMATE_INTEREST_OTHER = "LEGITIMATE_INTEREST_OTHER"
    LEGITIMATE_INTEREST_PQL = "LEGITIMATE_INTEREST_PQL"
    NON_GDPR = "NON_GDPR"
    PERFORMANCE_OF_CONTRACT = "PERFORMANCE_OF_CONTRACT"
    PROCESS_AND_STORE = "PROCESS_AND_STORE"

    @classmethod
    def _missing_(cls, value: Any) -> "LegalBasis | None":
        if not isinstance(value, str):
            return None
        unknown = str.__new__(cls, value)
        unknown._name_ = "UNKNOWN"
        unknown._value_ = value
        return unknown

    @property
    def is_unknown(self) -> bool:
        """True when the value is not one this client was generated with."""
        return self._name_ not in type(self).__members__

    def __str__(self) -> str:
        return str(self.value)
