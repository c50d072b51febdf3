from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="LinkGenerationResponse")


@_attrs_define
class LinkGenerationResponse:
    subscriber_id_string: str
    """ The contact the links are for. """
    manage_preferences_url: str
    """ The contact's manage-preferences page. """
    unsubscribe_all_url: str
    """ The contact's unsubscribe-from-all page. """
    unsubscribe_single_url: str | Unset = UNSET
    """ Unsubscribe page for the requested subscription type. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        subscriber_id_string = self.subscriber_id_string

        manage_preferences_url = self.manage_preferences_url

        unsubscribe_all_url = self.unsubscribe_all_url

        unsubscribe_single_url = self.unsubscribe_single_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "subscriberIdString": subscriber_id_string,
                "managePreferencesUrl": manage_preferences_url,
                "unsubscribeAllUrl": unsubscribe_all_url,
            }
        )
        if unsubscribe_single_url is not UNSET:
            field_dict["unsubscribeSingleUrl"] = unsubscribe_single_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        subscriber_id_string = d.pop("subscriberIdString")

        manage_preferences_url = d.pop("managePreferencesUrl")

        unsubscribe_all_url = d.pop("unsubscribeAllUrl")

        unsubscribe_single_url = d.pop("unsubscribeSingleUrl", UNSET)

        link_generation_response = cls(
            subscriber_id_string=subscriber_id_string,
            manage_preferences_url=manage_preferences_url,
            unsubscribe_all_url=unsubscribe_all_url,
            unsubscribe_single_url=unsubscribe_single_url,
        )

        link_generation_response.additional_properties = d
        return link_generation_response

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
