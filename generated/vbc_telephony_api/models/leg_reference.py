from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.leg_reference_type import LegReferenceType

T = TypeVar("T", bound="LegReference")


@_attrs_define
class LegReference:
    """Another leg, by id."""

    destination: str
    """ The other leg's id (the lengths are this project's assumption). """
    type_: LegReferenceType

    def to_dict(self) -> dict[str, Any]:
        destination = self.destination

        type_ = self.type_.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "destination": destination,
                "type": type_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        destination = d.pop("destination")

        type_ = LegReferenceType.from_value(d.pop("type"))

        leg_reference = cls(
            destination,
            type_,
        )

        return leg_reference
