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
    """One party of a call, in the documented form (`from`, `to`) or the observed one
    (`from_number`, `to_number`, names, `device_id`, `extension`, `answer_time`, times
    as microsecond strings), as described under `Call`.

    Required: the fields every known form carries: `leg_id`, `call_id`, `direction`,
    `status` and `start_time`, in the vendor's `CallLeg` and in every leg the live-tested
    client read (`x-vbc-dialects.evidence`). `account_id` is only in the documented form.
    `end_time` is in both but, in the vendor's words, "Call end time (if applicable)".

    """

    call_id: str
    """ The id of the call this leg belongs to. """
    leg_id: str
    """ Globally unique leg id (a UUID). """
    direction: Direction
    """ Whether the call or leg came into the account or went out of it. """
    status: CallStatus
    """ Where a call or leg is in its life. Documented: `ringing`, `on-call` (which replaced
    `active` in November 2023), `busy`, `failed`, `unanswered`. Observed in live traffic
    by third-party clients polling the calls list (resuldeger/crmnewpanel2, and the
    lifecycle recorded in the project's reference digest), not in Vonage's documentation:
    `initializing` (the call is being set up), `disconnected` (a party has gone) and
    `ended`. The vbc-telephony SDK keeps any other value as it arrives.
     """
    start_time: int | str
    """ A point in time. The documented examples send epoch seconds as a JSON integer. Live
    traffic seen by third parties (resuldeger/crmnewpanel2) carries decimal
    microseconds since the epoch as a string, with `"0"` for not yet or never. The
    vendor's schema declares RFC 3339 date-times, which nobody has seen. The pattern on
    strings is this project's assumption: a target that departs from it gets an
    advisory from vbc-conformance, not a failure.
     """
    account_id: int | str | Unset = UNSET
    """ A VBC account number. Documented as a string, shown as an integer in the documented
    examples, observed as a string in live traffic.
     """
    end_time: int | str | Unset = UNSET
    """ A point in time. The documented examples send epoch seconds as a JSON integer. Live
    traffic seen by third parties (resuldeger/crmnewpanel2) carries decimal
    microseconds since the epoch as a string, with `"0"` for not yet or never. The
    vendor's schema declares RFC 3339 date-times, which nobody has seen. The pattern on
    strings is this project's assumption: a target that departs from it gets an
    advisory from vbc-conformance, not a failure.
     """
    from_: int | str | Unset = UNSET
    """ A DID, a PSTN number or an extension. Documented as a string, shown as an integer. """
    to: int | str | Unset = UNSET
    """ A DID, a PSTN number or an extension. Documented as a string, shown as an integer. """
    from_number: str | Unset = UNSET
    """ The calling number or extension. Observed in live traffic by third parties
    (resuldeger/crmnewpanel2); not in Vonage's documentation, which calls it `from`.
     """
    from_name: str | Unset = UNSET
    """ The caller's display name. Observed in live traffic by third parties
    (resuldeger/crmnewpanel2); not in Vonage's documentation.
     """
    to_number: str | Unset = UNSET
    """ The called number or extension. Observed in live traffic by third parties
    (resuldeger/crmnewpanel2); not in Vonage's documentation, which calls it `to`.
     """
    to_name: str | Unset = UNSET
    """ The called party's display name. Observed in live traffic by third parties
    (resuldeger/crmnewpanel2); not in Vonage's documentation.
     """
    device_id: str | Unset = UNSET
    """ The device on this leg, or `pstn` for the outside party. Observed in live
    traffic by third parties (resuldeger/crmnewpanel2); not in Vonage's
    documentation.
     """
    extension: str | Unset = UNSET
    """ The account's extension on this leg; on the outside (`pstn`) leg, a phone
    number. Observed in live traffic by third parties (resuldeger/crmnewpanel2); not
    in Vonage's documentation.
     """
    answer_time: int | str | Unset = UNSET
    """ A point in time. The documented examples send epoch seconds as a JSON integer. Live
    traffic seen by third parties (resuldeger/crmnewpanel2) carries decimal
    microseconds since the epoch as a string, with `"0"` for not yet or never. The
    vendor's schema declares RFC 3339 date-times, which nobody has seen. The pattern on
    strings is this project's assumption: a target that departs from it gets an
    advisory from vbc-conformance, not a failure.
     """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        call_id = self.call_id

        leg_id = self.leg_id

        direction = self.direction.value

        status = self.status.value

        start_time: int | str
        start_time = self.start_time

        account_id: int | str | Unset
        if isinstance(self.account_id, Unset):
            account_id = UNSET
        else:
            account_id = self.account_id

        end_time: int | str | Unset
        if isinstance(self.end_time, Unset):
            end_time = UNSET
        else:
            end_time = self.end_time

        from_: int | str | Unset
        if isinstance(self.from_, Unset):
            from_ = UNSET
        else:
            from_ = self.from_

        to: int | str | Unset
        if isinstance(self.to, Unset):
            to = UNSET
        else:
            to = self.to

        from_number = self.from_number

        from_name = self.from_name

        to_number = self.to_number

        to_name = self.to_name

        device_id = self.device_id

        extension = self.extension

        answer_time: int | str | Unset
        if isinstance(self.answer_time, Unset):
            answer_time = UNSET
        else:
            answer_time = self.answer_time

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "call_id": call_id,
                "leg_id": leg_id,
                "direction": direction,
                "status": status,
                "start_time": start_time,
            }
        )
        if account_id is not UNSET:
            field_dict["account_id"] = account_id
        if end_time is not UNSET:
            field_dict["end_time"] = end_time
        if from_ is not UNSET:
            field_dict["from"] = from_
        if to is not UNSET:
            field_dict["to"] = to
        if from_number is not UNSET:
            field_dict["from_number"] = from_number
        if from_name is not UNSET:
            field_dict["from_name"] = from_name
        if to_number is not UNSET:
            field_dict["to_number"] = to_number
        if to_name is not UNSET:
            field_dict["to_name"] = to_name
        if device_id is not UNSET:
            field_dict["device_id"] = device_id
        if extension is not UNSET:
            field_dict["extension"] = extension
        if answer_time is not UNSET:
            field_dict["answer_time"] = answer_time

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        call_id = d.pop("call_id")

        leg_id = d.pop("leg_id")

        direction = Direction.from_value(d.pop("direction"))

        status = CallStatus.from_value(d.pop("status"))

        start_time = d.pop("start_time")

        account_id = d.pop("account_id", UNSET)

        end_time = d.pop("end_time", UNSET)

        from_ = d.pop("from", UNSET)

        to = d.pop("to", UNSET)

        from_number = d.pop("from_number", UNSET)

        from_name = d.pop("from_name", UNSET)

        to_number = d.pop("to_number", UNSET)

        to_name = d.pop("to_name", UNSET)

        device_id = d.pop("device_id", UNSET)

        extension = d.pop("extension", UNSET)

        answer_time = d.pop("answer_time", UNSET)

        call_leg = cls(
            call_id,
            leg_id,
            direction,
            status,
            start_time,
            account_id,
            end_time,
            from_,
            to,
            from_number,
            from_name,
            to_number,
            to_name,
            device_id,
            extension,
            answer_time,
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
