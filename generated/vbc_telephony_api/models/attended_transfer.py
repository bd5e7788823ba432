from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.attended_transfer_state import AttendedTransferState

T = TypeVar("T", bound="AttendedTransfer")


@_attrs_define
class AttendedTransfer:
    """Join this leg to another active leg (an attended transfer)."""

    state: AttendedTransferState
    to: LegReference
    """ Another leg, by id. """

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
        state = AttendedTransferState.from_value(d.pop("state"))

        to = LegReference.from_dict(d.pop("to"))

        attended_transfer = cls(
            state,
            to,
        )

        return attended_transfer


from ..models.leg_reference import LegReference
