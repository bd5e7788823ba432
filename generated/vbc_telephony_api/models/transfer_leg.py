from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.transfer_leg_state import TransferLegState

T = TypeVar("T", bound="TransferLeg")


@_attrs_define
class TransferLeg:
    """Transfer the leg: to another party without consulting them (blind, `to` a `Contact`),
    or by joining it to another active leg (attended, `to` a `LegReference`).

    """

    state: TransferLegState
    to: Contact | LegReference

    def to_dict(self) -> dict[str, Any]:
        state = self.state.value

        to: dict[str, Any]
        if isinstance(self.to, Contact):
            to = self.to.to_dict()
        else:
            to = self.to.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "state": state,
                "to": to,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        state = TransferLegState.from_value(d.pop("state"))

        def _parse_to(data: object) -> Contact | LegReference:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                to_type_0 = Contact.from_dict(data)

                return to_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            to_type_1 = LegReference.from_dict(data)

            return to_type_1

        to = _parse_to(d.pop("to"))

        transfer_leg = cls(
            state,
            to,
        )

        return transfer_leg


from ..models.contact import Contact
from ..models.leg_reference import LegReference
