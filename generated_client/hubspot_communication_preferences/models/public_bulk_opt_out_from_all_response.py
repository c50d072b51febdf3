from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.public_status import PublicStatus


T = TypeVar("T", bound="PublicBulkOptOutFromAllResponse")


@_attrs_define
class PublicBulkOptOutFromAllResponse:
    subscriber_id_string: str
    """ The contact's email address. """
    statuses: list[PublicStatus] | Unset = UNSET
    """ The statuses that changed; present only when `verbose=true`. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        subscriber_id_string = self.subscriber_id_string

        statuses: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.statuses, Unset):
            statuses = []
            for statuses_item_data in self.statuses:
                statuses_item = statuses_item_data.to_dict()
                statuses.append(statuses_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "subscriberIdString": subscriber_id_string,
            }
        )
        if statuses is not UNSET:
            field_dict["statuses"] = statuses

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.public_status import PublicStatus  # noqa: PLC0415

        d = dict(src_dict)
        subscriber_id_string = d.pop("subscriberIdString")

        _statuses = d.pop("statuses", UNSET)
        statuses: list[PublicStatus] | Unset = UNSET
        if _statuses is not UNSET:
            statuses = []
            for statuses_item_data in _statuses:
                statuses_item = PublicStatus.from_dict(statuses_item_data)

                statuses.append(statuses_item)

        public_bulk_opt_out_from_all_response = cls(
            subscriber_id_string=subscriber_id_string,
            statuses=statuses,
        )

        public_bulk_opt_out_from_all_response.additional_properties = d
        return public_bulk_opt_out_from_all_response

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
