from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.channel import Channel
from ..models.legal_basis import LegalBasis
from ..models.set_status_success_reason import SetStatusSuccessReason
from ..models.subscription_status import SubscriptionStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="PublicStatus")


@_attrs_define
class PublicStatus:
    """A contact's status for one subscription type."""

    channel: Channel
    """ A communication channel. Only EMAIL exists in 2026-03 (v4 also had WHATSAPP and SMS). """
    source: str
    """ Where the current status came from (free text). """
    status: SubscriptionStatus
    """ A subscription status. """
    subscriber_id_string: str
    """ The contact's email address. """
    subscription_id: int
    """ The subscription type. """
    timestamp: datetime.datetime
    """ When the status last changed. """
    business_unit_id: int | Unset = UNSET
    """ The business unit (brand) of the subscription. """
    legal_basis: LegalBasis | None | Unset = UNSET
    legal_basis_explanation: None | str | Unset = UNSET
    """ Free-text explanation of the legal basis. """
    set_status_success_reason: None | SetStatusSuccessReason | Unset = UNSET
    subscription_name: str | Unset = UNSET
    """ The subscription type's name. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        channel = self.channel.value

        source = self.source

        status = self.status.value

        subscriber_id_string = self.subscriber_id_string

        subscription_id = self.subscription_id

        timestamp = self.timestamp.isoformat()

        business_unit_id = self.business_unit_id

        legal_basis: None | str | Unset
        if isinstance(self.legal_basis, Unset):
            legal_basis = UNSET
        elif isinstance(self.legal_basis, LegalBasis):
            legal_basis = self.legal_basis.value
        else:
            legal_basis = self.legal_basis

        legal_basis_explanation: None | str | Unset
        if isinstance(self.legal_basis_explanation, Unset):
            legal_basis_explanation = UNSET
        else:
            legal_basis_explanation = self.legal_basis_explanation

        set_status_success_reason: None | str | Unset
        if isinstance(self.set_status_success_reason, Unset):
            set_status_success_reason = UNSET
        elif isinstance(self.set_status_success_reason, SetStatusSuccessReason):
            set_status_success_reason = self.set_status_success_reason.value
        else:
            set_status_success_reason = self.set_status_success_reason

        subscription_name = self.subscription_name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "channel": channel,
                "source": source,
                "status": status,
                "subscriberIdString": subscriber_id_string,
                "subscriptionId": subscription_id,
                "timestamp": timestamp,
            }
        )
        if business_unit_id is not UNSET:
            field_dict["businessUnitId"] = business_unit_id
        if legal_basis is not UNSET:
            field_dict["legalBasis"] = legal_basis
        if legal_basis_explanation is not UNSET:
            field_dict["legalBasisExplanation"] = legal_basis_explanation
        if set_status_success_reason is not UNSET:
            field_dict["setStatusSuccessReason"] = set_status_success_reason
        if subscription_name is not UNSET:
            field_dict["subscriptionName"] = subscription_name

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        channel = Channel(d.pop("channel"))

        source = d.pop("source")

        status = SubscriptionStatus(d.pop("status"))

        subscriber_id_string = d.pop("subscriberIdString")

        subscription_id = d.pop("subscriptionId")

        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))

        business_unit_id = d.pop("businessUnitId", UNSET)

        def _parse_legal_basis(data: object) -> LegalBasis | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                legal_basis_type_1 = LegalBasis(data)

                return legal_basis_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LegalBasis | None | Unset, data)

        legal_basis = _parse_legal_basis(d.pop("legalBasis", UNSET))

        def _parse_legal_basis_explanation(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        legal_basis_explanation = _parse_legal_basis_explanation(d.pop("legalBasisExplanation", UNSET))

        def _parse_set_status_success_reason(data: object) -> None | SetStatusSuccessReason | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                set_status_success_reason_type_1 = SetStatusSuccessReason(data)

                return set_status_success_reason_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SetStatusSuccessReason | Unset, data)

        set_status_success_reason = _parse_set_status_success_reason(d.pop("setStatusSuccessReason", UNSET))

        subscription_name = d.pop("subscriptionName", UNSET)

        public_status = cls(
            channel=channel,
            source=source,
            status=status,
            subscriber_id_string=subscriber_id_string,
            subscription_id=subscription_id,
            timestamp=timestamp,
            business_unit_id=business_unit_id,
            legal_basis=legal_basis,
            legal_basis_explanation=legal_basis_explanation,
            set_status_success_reason=set_status_success_reason,
            subscription_name=subscription_name,
        )

        public_status.additional_properties = d
        return public_status

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
