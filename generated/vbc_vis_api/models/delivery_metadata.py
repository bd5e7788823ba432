from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DeliveryMetadata")


@_attrs_define
class DeliveryMetadata:
    """What a delivery says about itself, in the body with `metadataPolicy: BODY` (with
    `HEADER`, the same in `X-VON-*` headers). `signature` only with a signing key. The
    2018 example spells the key `metdata` (a typo the 2020 one does not have).

    """

    signature: str | Unset = UNSET
    """ Hex HMAC-SHA256 of the event (see the `callEvent` callback). """
    webhook_id: str | Unset = UNSET
    delivery_id: str | Unset = UNSET
    """ The same on every retry of one delivery (deduplicate on it). """
    attempt: int | Unset = UNSET
    """ Which attempt of this delivery, from 1. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        signature = self.signature

        webhook_id = self.webhook_id

        delivery_id = self.delivery_id

        attempt = self.attempt

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if signature is not UNSET:
            field_dict["signature"] = signature
        if webhook_id is not UNSET:
            field_dict["webhookId"] = webhook_id
        if delivery_id is not UNSET:
            field_dict["deliveryId"] = delivery_id
        if attempt is not UNSET:
            field_dict["attempt"] = attempt

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        signature = d.pop("signature", UNSET)

        webhook_id = d.pop("webhookId", UNSET)

        delivery_id = d.pop("deliveryId", UNSET)

        attempt = d.pop("attempt", UNSET)

        delivery_metadata = cls(
            signature,
            webhook_id,
            delivery_id,
            attempt,
        )

        delivery_metadata.additional_properties = d
        return delivery_metadata

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
