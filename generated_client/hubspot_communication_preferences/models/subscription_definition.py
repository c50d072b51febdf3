from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.public_subscription_translation import PublicSubscriptionTranslation


T = TypeVar("T", bound="SubscriptionDefinition")


@_attrs_define
class SubscriptionDefinition:
    """A subscription type."""

    created_at: datetime.datetime
    description: str
    id: str
    """ The subscription type id (a string here, an integer `subscriptionId` elsewhere). """
    is_active: bool
    is_default: bool
    is_internal: bool
    """ Managed by HubSpot. """
    name: str
    updated_at: datetime.datetime
    business_unit_id: int | Unset = UNSET
    """ The business unit (brand) the type belongs to. """
    communication_method: str | Unset = UNSET
    """ Free text, e.g. the channel. """
    purpose: str | Unset = UNSET
    subscription_translations: list[PublicSubscriptionTranslation] | Unset = UNSET
    """ Present when `includeTranslations=true`. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        description = self.description

        id = self.id

        is_active = self.is_active

        is_default = self.is_default

        is_internal = self.is_internal

        name = self.name

        updated_at = self.updated_at.isoformat()

        business_unit_id = self.business_unit_id

        communication_method = self.communication_method

        purpose = self.purpose

        subscription_translations: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.subscription_translations, Unset):
            subscription_translations = []
            for subscription_translations_item_data in self.subscription_translations:
                subscription_translations_item = subscription_translations_item_data.to_dict()
                subscription_translations.append(subscription_translations_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "createdAt": created_at,
                "description": description,
                "id": id,
                "isActive": is_active,
                "isDefault": is_default,
                "isInternal": is_internal,
                "name": name,
                "updatedAt": updated_at,
            }
        )
        if business_unit_id is not UNSET:
            field_dict["businessUnitId"] = business_unit_id
        if communication_method is not UNSET:
            field_dict["communicationMethod"] = communication_method
        if purpose is not UNSET:
            field_dict["purpose"] = purpose
        if subscription_translations is not UNSET:
            field_dict["subscriptionTranslations"] = subscription_translations

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.public_subscription_translation import PublicSubscriptionTranslation  # noqa: PLC0415

        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))

        description = d.pop("description")

        id = d.pop("id")

        is_active = d.pop("isActive")

        is_default = d.pop("isDefault")

        is_internal = d.pop("isInternal")

        name = d.pop("name")

        updated_at = datetime.datetime.fromisoformat(d.pop("updatedAt"))

        business_unit_id = d.pop("businessUnitId", UNSET)

        communication_method = d.pop("communicationMethod", UNSET)

        purpose = d.pop("purpose", UNSET)

        _subscription_translations = d.pop("subscriptionTranslations", UNSET)
        subscription_translations: list[PublicSubscriptionTranslation] | Unset = UNSET
        if _subscription_translations is not UNSET:
            subscription_translations = []
            for subscription_translations_item_data in _subscription_translations:
                subscription_translations_item = PublicSubscriptionTranslation.from_dict(
                    subscription_translations_item_data
                )

                subscription_translations.append(subscription_translations_item)

        subscription_definition = cls(
            created_at=created_at,
            description=description,
            id=id,
            is_active=is_active,
            is_default=is_default,
            is_internal=is_internal,
            name=name,
            updated_at=updated_at,
            business_unit_id=business_unit_id,
            communication_method=communication_method,
            purpose=purpose,
            subscription_translations=subscription_translations,
        )

        subscription_definition.additional_properties = d
        return subscription_definition

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
