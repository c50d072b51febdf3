from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PublicSubscriptionTranslation")


@_attrs_define
class PublicSubscriptionTranslation:
    created_at: int
    """ Creation time, epoch milliseconds. """
    description: str
    language_code: str
    name: str
    subscription_id: int
    updated_at: int
    """ Last update, epoch milliseconds. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at

        description = self.description

        language_code = self.language_code

        name = self.name

        subscription_id = self.subscription_id

        updated_at = self.updated_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "createdAt": created_at,
                "description": description,
                "languageCode": language_code,
                "name": name,
                "subscriptionId": subscription_id,
                "updatedAt": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = d.pop("createdAt")

        description = d.pop("description")

        language_code = d.pop("languageCode")

        name = d.pop("name")

        subscription_id = d.pop("subscriptionId")

        updated_at = d.pop("updatedAt")

        public_subscription_translation = cls(
            created_at=created_at,
            description=description,
            language_code=language_code,
            name=name,
            subscription_id=subscription_id,
            updated_at=updated_at,
        )

        public_subscription_translation.additional_properties = d
        return public_subscription_translation

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
