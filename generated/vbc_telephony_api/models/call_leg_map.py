from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CallLegMap")


@_attrs_define
class CallLegMap:
    """The call's parties keyed by leg id (the observed form of `legs`). Observed in
    live traffic by third parties (resuldeger/crmnewpanel2); not in Vonage's
    documentation.

    """

    additional_properties: dict[str, CallLeg] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        field_dict: dict[str, Any] = {}
        for prop_name, prop in self.additional_properties.items():
            field_dict[prop_name] = prop.to_dict()

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        call_leg_map = cls()

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional_property = CallLeg.from_dict(prop_dict)

            additional_properties[prop_name] = additional_property

        call_leg_map.additional_properties = additional_properties
        return call_leg_map

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> CallLeg:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: CallLeg) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties


from ..models.call_leg import CallLeg
