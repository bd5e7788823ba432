from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.answer_call_state import AnswerCallState
from ..types import UNSET, Unset

T = TypeVar("T", bound="AnswerCall")


@_attrs_define
class AnswerCall:
    """Answer a ringing call on the `to` device."""

    state: AnswerCallState
    to: Contact
    """ A party of an existing call. """
    from_: Contact | Unset = UNSET
    """ A party of an existing call. """

    def to_dict(self) -> dict[str, Any]:
        state = self.state.value

        to = self.to.to_dict()

        from_: dict[str, Any] | Unset = UNSET
        if not isinstance(self.from_, Unset):
            from_ = self.from_.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "state": state,
                "to": to,
            }
        )
        if from_ is not UNSET:
            field_dict["from"] = from_

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        state = AnswerCallState.from_value(d.pop("state"))

        to = Contact.from_dict(d.pop("to"))

        _from_ = d.pop("from", UNSET)
        from_: Contact | Unset
        if isinstance(_from_, Unset):
            from_ = UNSET
        else:
            from_ = Contact.from_dict(_from_)

        answer_call = cls(
            state,
            to,
            from_,
        )

        return answer_call


from ..models.contact import Contact
