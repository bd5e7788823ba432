from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.unhold_leg_state import UnholdLegState

T = TypeVar("T", bound="UnholdLeg")


@_attrs_define
class UnholdLeg:
    """Take a held leg off hold."""

    state: UnholdLegState

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
        state = UnholdLegState.from_value(d.pop("state"))

        unhold_leg = cls(
            state,
        )

        return unhold_leg
