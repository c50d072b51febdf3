from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.public_wide_status import PublicWideStatus


T = TypeVar("T", bound="PublicWideStatusBulkResponse")


@_attrs_define
class PublicWideStatusBulkResponse:
    subscriber_id_string: str
    """ The contact's email address. """
    wide_statuses: list[PublicWideStatus]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        subscriber_id_string = self.subscriber_id_string

        wide_statuses = []
        for wide_statuses_item_data in self.wide_statuses:
            wide_statuses_item = wide_statuses_item_data.to_dict()
            wide_statuses.append(wide_statuses_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "subscriberIdString": subscriber_id_string,
                "wideStatuses": wide_statuses,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.public_wide_status import PublicWideStatus  # noqa: PLC0415

        d = dict(src_dict)
        subscriber_id_string = d.pop("subscriberIdString")

        wide_statuses = []
        _wide_statuses = d.pop("wideStatuses")
        for wide_statuses_item_data in _wide_statuses:
            wide_statuses_item = PublicWideStatus.from_dict(wide_statuses_item_data)

            wide_statuses.append(wide_statuses_item)

        public_wide_status_bulk_response = cls(
            subscriber_id_string=subscriber_id_string,
            wide_statuses=wide_statuses,
        )

        public_wide_status_bulk_response.additional_properties = d
        return public_wide_status_bulk_response

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
