from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CallActionResult")


@_attrs_define
class CallActionResult:
    """What a call action did."""

    account_id: int | str
    """ A VBC account number. Documented as a string, shown as an integer in the documented
    examples, observed as a string in live traffic.
     """
    call_id: str
    call_state: str | Unset = UNSET
    """ The call's state after the action (free text; not enumerated by Vonage). """
    destination: str | Unset = UNSET
    """ The party the action concerned, where there is one. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        account_id: int | str
        account_id = self.account_id

        call_id = self.call_id

        call_state = self.call_state

        destination = self.destination

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "account_id": account_id,
                "call_id": call_id,
            }
        )
        if call_state is not UNSET:
            field_dict["call_state"] = call_state
        if destination is not UNSET:
            field_dict["destination"] = destination

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        account_id = d.pop("account_id")

        call_id = d.pop("call_id")

        call_state = d.pop("call_state", UNSET)

        destination = d.pop("destination", UNSET)

        call_action_result = cls(
            account_id,
            call_id,
            call_state,
            destination,
        )

        call_action_result.additional_properties = d
        return call_action_result

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
