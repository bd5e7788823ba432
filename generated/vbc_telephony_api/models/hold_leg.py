from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.hold_leg_state import HoldLegState

T = TypeVar("T", bound="HoldLeg")


@_attrs_define
class HoldLeg:
    """Put the leg on hold."""

    state: HoldLegState

    def to_dict(self) -> dict[str, Any]:
        state = self.state.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "state": state,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        state = HoldLegState.from_value(d.pop("state"))

        hold_leg = cls(
            state,
        )

        return hold_leg
