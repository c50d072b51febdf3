from enum import StrEnum
from typing import Any


class SetStatusSuccessReason(StrEnum):
    """Forward compatible: a value HubSpot adds later parses as an unknown member
    (``is_unknown`` is True, ``value`` keeps the text) instead of raising ValueError."""

    NO_STATUS_CHANGE = "NO_STATUS_CHANGE"
    REQUESTED_CHANGE_OCCURRED = "REQUESTED_CHANGE_OCCURRED"
    RESUBSCRIBE_OCCURRED = "RESUBSCRIBE_OCCURRED"
    UNSUBSCRIBE_FROM_ALL_OCCURRED = "UNSUBSCRIBE_FROM_ALL_OCCURRED"

    @classmethod
    def _missing_(cls, value: Any) -> "SetStatusSuccessReason | None":
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
