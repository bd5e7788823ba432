from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.called_party_type import CalledPartyType

T = TypeVar("T", bound="CalledParty")


@_attrs_define
class CalledParty:
    """Who a new call goes to."""

    destination: str
    """ An extension, a device's VH id, a PSTN number or a feature code: a string, as the
    vendor's schema types it and its code snippets send it (its examples show integers,
    which the schema does not allow, so nothing here sends them). The length limit is
    this project's assumption.
     """
    type_: CalledPartyType

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

        type_ = CalledPartyType.from_value(d.pop("type"))

        called_party = cls(
            destination,
            type_,
        )

        return called_party
