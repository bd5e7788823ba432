from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.create_call_request_type import CreateCallRequestType
from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateCallRequest")


@_attrs_define
class CreateCallRequest:
    from_: CallingParty
    """ Who places a call. """
    to: CalledParty
    """ Who a new call goes to. """
    type_: CreateCallRequestType | Unset = CreateCallRequestType.CLICK2DIAL
    """ How the call is placed. Vonage does not explain the values; `click2dial` rings
    `from` first and then dials `to`, as the documentation's examples use it.
     """

    def to_dict(self) -> dict[str, Any]:
        from_ = self.from_.to_dict()

        to = self.to.to_dict()

        type_: str | Unset = UNSET
        if not isinstance(self.type_, Unset):
            type_ = self.type_.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "from": from_,
                "to": to,
            }
        )
        if type_ is not UNSET:
            field_dict["type"] = type_

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        from_ = CallingParty.from_dict(d.pop("from"))

        to = CalledParty.from_dict(d.pop("to"))

        _type_ = d.pop("type", UNSET)
        type_: CreateCallRequestType | Unset
        if isinstance(_type_, Unset):
            type_ = UNSET
        else:
            type_ = CreateCallRequestType.from_value(_type_)

        create_call_request = cls(
            from_,
            to,
            type_,
        )

        return create_call_request


from ..models.called_party import CalledParty
from ..models.calling_party import CallingParty
