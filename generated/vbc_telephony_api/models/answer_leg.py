from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.answer_leg_state import AnswerLegState

T = TypeVar("T", bound="AnswerLeg")


@_attrs_define
class AnswerLeg:
    """Answer a ringing leg."""

    state: AnswerLegState

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
        state = AnswerLegState.from_value(d.pop("state"))

        answer_leg = cls(
            state,
        )

        return answer_leg
