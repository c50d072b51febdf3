from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.channel import Channel
from ..models.subscription_status import SubscriptionStatus
from ..models.wide_status_type import WideStatusType
from ..types import UNSET, Unset

T = TypeVar("T", bound="PublicWideStatus")


@_attrs_define
class PublicWideStatus:
    """A contact's opt-out from all email, account-wide or for one business unit."""

    channel: Channel
    """ A communication channel. Only EMAIL exists in 2026-03 (v4 also had WHATSAPP and SMS). """
    status: SubscriptionStatus
    """ A subscription status. """
    subscriber_id_string: str
    """ The contact's email address. """
    timestamp: datetime.datetime
    """ When the wide status was recorded. """
    wide_status_type: WideStatusType
    """ Whether an unsubscribe-all covers the whole account or one business unit. """
    business_unit_id: int | Unset = UNSET
    """ The business unit of a BUSINESS_UNIT_WIDE status. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        channel = self.channel.value

        status = self.status.value

        subscriber_id_string = self.subscriber_id_string

        timestamp = self.timestamp.isoformat()

        wide_status_type = self.wide_status_type.value

        business_unit_id = self.business_unit_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "channel": channel,
                "status": status,
                "subscriberIdString": subscriber_id_string,
                "timestamp": timestamp,
                "wideStatusType": wide_status_type,
            }
        )
        if business_unit_id is not UNSET:
            field_dict["businessUnitId"] = business_unit_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        channel = Channel(d.pop("channel"))

        status = SubscriptionStatus(d.pop("status"))

        subscriber_id_string = d.pop("subscriberIdString")

        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))

        wide_status_type = WideStatusType(d.pop("wideStatusType"))

        business_unit_id = d.pop("businessUnitId", UNSET)

        public_wide_status = cls(
            channel=channel,
            status=status,
            subscriber_id_string=subscriber_id_string,
            timestamp=timestamp,
            wide_status_type=wide_status_type,
            business_unit_id=business_unit_id,
        )

        public_wide_status.additional_properties = d
        return public_wide_status

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
