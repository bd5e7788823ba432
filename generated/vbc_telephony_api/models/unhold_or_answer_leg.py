from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.unhold_or_answer_leg_state import UnholdOrAnswerLegState

T = TypeVar("T", bound="UnholdOrAnswerLeg")


@_attrs_define
class UnholdOrAnswerLeg:
    """Take a held leg off hold, or answer a ringing one (the leg's state says which)."""

    state: UnholdOrAnswerLegState

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
        state = UnholdOrAnswerLegState.from_value(d.pop("state"))

        unhold_or_answer_leg = cls(
            state,
        )

        return unhold_or_answer_leg
