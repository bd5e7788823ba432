from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.call_status import CallStatus
from ..models.direction import Direction
from ..types import UNSET, Unset

T = TypeVar("T", bound="CallLeg")


@_attrs_define
class CallLeg:
    """One party of a call."""

    account_id: int | str
    """ A VBC account number. Documented as a string, shown as an integer. """
    call_id: str
    """ The id of the call this leg belongs to. """
    leg_id: str
    """ Globally unique leg id (a UUID). """
    direction: Direction
    """ Whether the call or leg came into the account or went out of it. """
    from_: int | str
    """ A DID, a PSTN number or an extension. Documented as a string, shown as an integer. """
    to: int | str
    """ A DID, a PSTN number or an extension. Documented as a string, shown as an integer. """
    start_time: int | str
    """ A point in time. A conforming server sends epoch seconds as a JSON integer (the
    documented examples). Strings are accepted too: the live service sends decimal
    microseconds since the epoch, and the documentation declares RFC 3339 date-times.
     """
    status: CallStatus
    """ Where a call or leg is in its life. `on-call` replaced `active` in November 2023. The
    live service has been seen reporting `initializing`, `disconnected` and `ended`,
    which are not documented.
     """
    end_time: int | str | Unset = UNSET
    """ A point in time. A conforming server sends epoch seconds as a JSON integer (the
    documented examples). Strings are accepted too: the live service sends decimal
    microseconds since the epoch, and the documentation declares RFC 3339 date-times.
     """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        account_id: int | str
        account_id = self.account_id

        call_id = self.call_id

        leg_id = self.leg_id

        direction = self.direction.value

        from_: int | str
        from_ = self.from_

        to: int | str
        to = self.to

        start_time: int | str
        start_time = self.start_time

        status = self.status.value

        end_time: int | str | Unset
        if isinstance(self.end_time, Unset):
            end_time = UNSET
        else:
            end_time = self.end_time

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "account_id": account_id,
                "call_id": call_id,
                "leg_id": leg_id,
                "direction": direction,
                "from": from_,
                "to": to,
                "start_time": start_time,
                "status": status,
            }
        )
        if end_time is not UNSET:
            field_dict["end_time"] = end_time

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        account_id = d.pop("account_id")

        call_id = d.pop("call_id")

        leg_id = d.pop("leg_id")

        direction = Direction.from_value(d.pop("direction"))

        from_ = d.pop("from")

        to = d.pop("to")

        start_time = d.pop("start_time")

        status = CallStatus.from_value(d.pop("status"))

        end_time = d.pop("end_time", UNSET)

        call_leg = cls(
            account_id,
            call_id,
            leg_id,
            direction,
            from_,
            to,
            start_time,
            status,
            end_time,
        )

        call_leg.additional_properties = d
        return call_leg

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
