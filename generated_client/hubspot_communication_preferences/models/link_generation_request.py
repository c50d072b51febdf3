from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="LinkGenerationRequest")


@_attrs_define
class LinkGenerationRequest:
    subscriber_id_string: str
    """ The contact's email address. """
    language: str | Unset = UNSET
    """ Language of the generated pages. """
    subscription_id: int | Unset = UNSET
    """ When given, an unsubscribe URL for this subscription type is generated too. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        subscriber_id_string = self.subscriber_id_string

        language = self.language

        subscription_id = self.subscription_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "subscriberIdString": subscriber_id_string,
            }
        )
        if language is not UNSET:
            field_dict["language"] = language
        if subscription_id is not UNSET:
            field_dict["subscriptionId"] = subscription_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        subscriber_id_string = d.pop("subscriberIdString")

        language = d.pop("language", UNSET)

        subscription_id = d.pop("subscriptionId", UNSET)

        link_generation_request = cls(
            subscriber_id_string=subscriber_id_string,
            language=language,
            subscription_id=subscription_id,
        )

        link_generation_request.additional_properties = d
        return link_generation_request

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
