from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.park_call_state import ParkCallState
from ..types import UNSET, Unset

T = TypeVar("T", bound="ParkCall")


@_attrs_define
class ParkCall:
    """Park the call, as the `from` party."""

    state: ParkCallState
    from_: Contact
    """ A party of an existing call. """
    to: Contact | Unset = UNSET
    """ A party of an existing call. """

    def to_dict(self) -> dict[str, Any]:
        state = self.state.value

        from_ = self.from_.to_dict()

        to: dict[str, Any] | Unset = UNSET
        if not isinstance(self.to, Unset):
            to = self.to.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "state": state,
                "from": from_,
            }
        )
        if to is not UNSET:
            field_dict["to"] = to

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        state = ParkCallState.from_value(d.pop("state"))

        from_ = Contact.from_dict(d.pop("from"))

        _to = d.pop("to", UNSET)
        to: Contact | Unset
        if isinstance(_to, Unset):
            to = UNSET
        else:
            to = Contact.from_dict(_to)

        park_call = cls(
            state,
            from_,
            to,
        )

        return park_call


from ..models.contact import Contact
