from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="RateLimitError")


@_attrs_define
class RateLimitError:
    """HubSpot's 429 body. It is not the Error shape and may lack `category`."""

    message: str
    status: str | Unset = UNSET
    error_type: str | Unset = UNSET
    """ RATE_LIMIT. """
    correlation_id: UUID | Unset = UNSET
    policy_name: str | Unset = UNSET
    """ The limit that was reached, e.g. TEN_SECONDLY_ROLLING, SECONDLY, DAILY. """
    request_id: str | Unset = UNSET
    category: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        message = self.message

        status = self.status

        error_type = self.error_type

        correlation_id: str | Unset = UNSET
        if not isinstance(self.correlation_id, Unset):
            correlation_id = str(self.correlation_id)

        policy_name = self.policy_name

        request_id = self.request_id

        category = self.category

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "message": message,
            }
        )
        if status is not UNSET:
            field_dict["status"] = status
        if error_type is not UNSET:
            field_dict["errorType"] = error_type
        if correlation_id is not UNSET:
            field_dict["correlationId"] = correlation_id
        if policy_name is not UNSET:
            field_dict["policyName"] = policy_name
        if request_id is not UNSET:
            field_dict["requestId"] = request_id
        if category is not UNSET:
            field_dict["category"] = category

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        message = d.pop("message")

        status = d.pop("status", UNSET)

        error_type = d.pop("errorType", UNSET)

        _correlation_id = d.pop("correlationId", UNSET)
        correlation_id: UUID | Unset
        if isinstance(_correlation_id, Unset):
            correlation_id = UNSET
        else:
            correlation_id = UUID(_correlation_id)

        policy_name = d.pop("policyName", UNSET)

        request_id = d.pop("requestId", UNSET)

        category = d.pop("category", UNSET)

        rate_limit_error = cls(
            message=message,
            status=status,
            error_type=error_type,
            correlation_id=correlation_id,
            policy_name=policy_name,
            request_id=request_id,
            category=category,
        )

        rate_limit_error.additional_properties = d
        return rate_limit_error

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
