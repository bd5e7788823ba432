from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.call_status import CallStatus
from ..models.direction import Direction
from ..types import UNSET, Unset

T = TypeVar("T", bound="Call")


@_attrs_define
class Call:
    """An active call and its parties. The service is known to send it in two forms; the
    vbc-telephony SDK reads both into one view.

    * **documented**: `from`, `to` and `legs` (an array), times in epoch seconds.
    * **observed**: `from_number`, `from_name`, `to_number`, `to_name`, `flags` and
      `leg_map` (an object keyed by leg id), ids and times as strings (times in
      microseconds since the epoch, `"0"` for not yet or never). Seen in live traffic by
      third-party clients (resuldeger/crmnewpanel2 `src/server/vonage/telephony.ts`);
      not in Vonage's documentation.

    Required: the fields every known form carries, so a server that drops one (a board
    that colours calls by `status` breaks on it) does not conform: `account_id`,
    `call_id`, `direction`, `status` and `start_time`, in the vendor's `Call` and in every
    call the live-tested client read (`x-vbc-dialects.evidence` names both). `end_time`
    is in both forms too, but not required: the vendor describes it as applying only
    where there is one ("Call end time (if applicable)"), and an active call has none.

    """

    account_id: int | str
    """ A VBC account number. Documented as a string, shown as an integer in the documented
    examples, observed as a string in live traffic.
     """
    call_id: str
    """ Globally unique call id (a UUID). """
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
    legs: list[CallLeg] | Unset = UNSET
    """ The call's parties (documented form). """
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
    """ The called party's display name (`Outbound Call` when there is none). Observed
    in live traffic by third parties (resuldeger/crmnewpanel2); not in Vonage's
    documentation.
     """
    flags: list[str] | Unset = UNSET
    """ Markers on the call, not explained anywhere. Observed in live traffic by third
    parties (resuldeger/crmnewpanel2); not in Vonage's documentation.
     """
    leg_map: CallLegMap | Unset = UNSET
    """ The call's parties keyed by leg id (the observed form of `legs`). Observed in
    live traffic by third parties (resuldeger/crmnewpanel2); not in Vonage's
    documentation.
     """
    actions_uri: str | Unset = UNSET
    """ A URI under the call ending in `/actions`, whose use is unknown (GET on it
    answers 404). Observed in live traffic by third parties (reference digest §5.1);
    not in Vonage's documentation.
     """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        account_id: int | str
        account_id = self.account_id

        call_id = self.call_id

        direction = self.direction.value

        status = self.status.value

        start_time: int | str
        start_time = self.start_time

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

        legs: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.legs, Unset):
            legs = []
            for legs_item_data in self.legs:
                legs_item = legs_item_data.to_dict()
                legs.append(legs_item)

        from_number = self.from_number

        from_name = self.from_name

        to_number = self.to_number

        to_name = self.to_name

        flags: list[str] | Unset = UNSET
        if not isinstance(self.flags, Unset):
            flags = self.flags

        leg_map: dict[str, Any] | Unset = UNSET
        if not isinstance(self.leg_map, Unset):
            leg_map = self.leg_map.to_dict()

        actions_uri = self.actions_uri

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "account_id": account_id,
                "call_id": call_id,
                "direction": direction,
                "status": status,
                "start_time": start_time,
            }
        )
        if end_time is not UNSET:
            field_dict["end_time"] = end_time
        if from_ is not UNSET:
            field_dict["from"] = from_
        if to is not UNSET:
            field_dict["to"] = to
        if legs is not UNSET:
            field_dict["legs"] = legs
        if from_number is not UNSET:
            field_dict["from_number"] = from_number
        if from_name is not UNSET:
            field_dict["from_name"] = from_name
        if to_number is not UNSET:
            field_dict["to_number"] = to_number
        if to_name is not UNSET:
            field_dict["to_name"] = to_name
        if flags is not UNSET:
            field_dict["flags"] = flags
        if leg_map is not UNSET:
            field_dict["leg_map"] = leg_map
        if actions_uri is not UNSET:
            field_dict["actions_uri"] = actions_uri

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        account_id = d.pop("account_id")

        call_id = d.pop("call_id")

        direction = Direction.from_value(d.pop("direction"))

        status = CallStatus.from_value(d.pop("status"))

        start_time = d.pop("start_time")

        end_time = d.pop("end_time", UNSET)

        from_ = d.pop("from", UNSET)

        to = d.pop("to", UNSET)

        _legs = d.pop("legs", UNSET)
        legs: list[CallLeg] | Unset = UNSET
        if _legs is not UNSET:
            legs = []
            for legs_item_data in _legs:
                legs_item = CallLeg.from_dict(legs_item_data)

                legs.append(legs_item)

        from_number = d.pop("from_number", UNSET)

        from_name = d.pop("from_name", UNSET)

        to_number = d.pop("to_number", UNSET)

        to_name = d.pop("to_name", UNSET)

        flags = cast(list[str], d.pop("flags", UNSET))

        _leg_map = d.pop("leg_map", UNSET)
        leg_map: CallLegMap | Unset
        if isinstance(_leg_map, Unset):
            leg_map = UNSET
        else:
            leg_map = CallLegMap.from_dict(_leg_map)

        actions_uri = d.pop("actions_uri", UNSET)

        call = cls(
            account_id,
            call_id,
            direction,
            status,
            start_time,
            end_time,
            from_,
            to,
            legs,
            from_number,
            from_name,
            to_number,
            to_name,
            flags,
            leg_map,
            actions_uri,
        )

        call.additional_properties = d
        return call

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


from ..models.call_leg import CallLeg
from ..models.call_leg_map import CallLegMap
