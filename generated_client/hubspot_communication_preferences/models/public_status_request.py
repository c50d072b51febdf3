from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.channel import Channel
from ..models.legal_basis import LegalBasis
from ..models.subscription_status import SubscriptionStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="PublicStatusRequest")


@_attrs_define
class PublicStatusRequest:
    """One status change of one contact."""

    channel: Channel
    """ A communication channel. Only EMAIL exists in 2026-03 (v4 also had WHATSAPP and SMS). """
    status_state: SubscriptionStatus
    """ A subscription status. """
    subscriber_id_string: str
    """ The contact's email address. """
    subscription_id: int
    """ The subscription type to change. """
    legal_basis: LegalBasis | Unset = UNSET
    """ The legal basis for communicating with the contact (GDPR). """
    legal_basis_explanation: str | Unset = UNSET
    """ Free-text explanation of the legal basis. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        channel = self.channel.value

        status_state = self.status_state.value

        subscriber_id_string = self.subscriber_id_string

        subscription_id = self.subscription_id

        legal_basis: str | Unset = UNSET
        if not isinstance(self.legal_basis, Unset):
            legal_basis = self.legal_basis.value

        legal_basis_explanation = self.legal_basis_explanation

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "channel": channel,
                "statusState": status_state,
                "subscriberIdString": subscriber_id_string,
                "subscriptionId": subscription_id,
            }
        )
        if legal_basis is not UNSET:
            field_dict["legalBasis"] = legal_basis
        if legal_basis_explanation is not UNSET:
            field_dict["legalBasisExplanation"] = legal_basis_explanation

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        channel = Channel(d.pop("channel"))

        status_state = SubscriptionStatus(d.pop("statusState"))

        subscriber_id_string = d.pop("subscriberIdString")

        subscription_id = d.pop("subscriptionId")

        _legal_basis = d.pop("legalBasis", UNSET)
        legal_basis: LegalBasis | Unset
        if isinstance(_legal_basis, Unset):
            legal_basis = UNSET
        else:
            legal_basis = LegalBasis(_legal_basis)

        legal_basis_explanation = d.pop("legalBasisExplanation", UNSET)

        public_status_request = cls(
            channel=channel,
            status_state=status_state,
            subscriber_id_string=subscriber_id_string,
            subscription_id=subscription_id,
            legal_basis=legal_basis,
            legal_basis_explanation=legal_basis_explanation,
        )

        public_status_request.additional_properties = d
        return public_status_request

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
