from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Delivery")


@_attrs_define
class Delivery:
    """The body of a call-event delivery (the `callEvent` callback)."""

    event: Event
    """ One state of one call of the subscribing user.

    Required: the fields every known form carries: the vendor's schema requires `id`,
    `type`, `accountId`, `userId`, `uciId`, `direction`, `state`, `phoneNumber` and
    `startTime`, but its own examples lack `uciId` (both) and `phoneNumber` (2018),
    so those two are not required here. `answerTime` is there once the call is
    answered, `endTime` once it is final (null or absent before); `duration` is
    non-zero only in `ANSWERED`. Fields beyond these are accepted (`internal` and
    `ucpType` are in the 2020 example, undocumented).
     """
    metadata: DeliveryMetadata | Unset = UNSET
    """ What a delivery says about itself, in the body with `metadataPolicy: BODY` (with
    `HEADER`, the same in `X-VON-*` headers). `signature` only with a signing key. The
    2018 example spells the key `metdata` (a typo the 2020 one does not have).
     """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        event = self.event.to_dict()

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "event": event,
            }
        )
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        event = Event.from_dict(d.pop("event"))

        _metadata = d.pop("metadata", UNSET)
        metadata: DeliveryMetadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = DeliveryMetadata.from_dict(_metadata)

        delivery = cls(
            event,
            metadata,
        )

        delivery.additional_properties = d
        return delivery

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


from ..models.delivery_metadata import DeliveryMetadata
from ..models.event import Event
