from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DeviceRegistration")


@_attrs_define
class DeviceRegistration:
    """The latest successful SIP registration."""

    last_success: int | str | Unset = UNSET
    """ A point in time. The documented examples send epoch seconds as a JSON integer. Live
    traffic seen by third parties (resuldeger/crmnewpanel2) carries decimal
    microseconds since the epoch as a string, with `"0"` for not yet or never. The
    vendor's schema declares RFC 3339 date-times, which nobody has seen. The pattern on
    strings is this project's assumption: a target that departs from it gets an
    advisory from vbc-conformance, not a failure.
     """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        last_success: int | str | Unset
        if isinstance(self.last_success, Unset):
            last_success = UNSET
        else:
            last_success = self.last_success

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if last_success is not UNSET:
            field_dict["last_success"] = last_success

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        last_success = d.pop("last_success", UNSET)

        device_registration = cls(
            last_success,
        )

        device_registration.additional_properties = d
        return device_registration

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
