from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.blind_transfer_state import BlindTransferState

T = TypeVar("T", bound="BlindTransfer")


@_attrs_define
class BlindTransfer:
    """Transfer the leg to another party without consulting them."""

    state: BlindTransferState
    to: Contact
    """ A party of an existing call. """

    def to_dict(self) -> dict[str, Any]:
        state = self.state.value

        to = self.to.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "state": state,
                "to": to,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        state = BlindTransferState.from_value(d.pop("state"))

        to = Contact.from_dict(d.pop("to"))

        blind_transfer = cls(
            state,
            to,
        )

        return blind_transfer


from ..models.contact import Contact
