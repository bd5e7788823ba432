from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.call_direction import CallDirection
from ..models.event_type import EventType
from ..models.vis_call_state import VisCallState
from ..types import UNSET, Unset

T = TypeVar("T", bound="Event")


@_attrs_define
class Event:
    """One state of one call of the subscribing user.

    Required: the fields every known form carries: the vendor's schema requires `id`,
    `type`, `accountId`, `userId`, `uciId`, `direction`, `state`, `phoneNumber` and
    `startTime`, but its own examples lack `uciId` (both) and `phoneNumber` (2018),
    so those two are not required here. `answerTime` is there once the call is
    answered, `endTime` once it is final (null or absent before); `duration` is
    non-zero only in `ANSWERED`. Fields beyond these are accepted (`internal` and
    `ucpType` are in the 2020 example, undocumented).

    """

    id: int | str
    """ An id. The vendor's schema types event, user and account ids as int64 (webhook ids
    as strings); every vendor example sends strings, some of which are no number at all
    (`"5a85d86f253bcd10897f3189"`, `"-1"`). Both are accepted; a conforming server
    sends strings.
     """
    type_: EventType
    """ The record type. """
    account_id: int | str
    """ An id. The vendor's schema types event, user and account ids as int64 (webhook ids
    as strings); every vendor example sends strings, some of which are no number at all
    (`"5a85d86f253bcd10897f3189"`, `"-1"`). Both are accepted; a conforming server
    sends strings.
     """
    user_id: int | str
    """ An id. The vendor's schema types event, user and account ids as int64 (webhook ids
    as strings); every vendor example sends strings, some of which are no number at all
    (`"5a85d86f253bcd10897f3189"`, `"-1"`). Both are accepted; a conforming server
    sends strings.
     """
    direction: CallDirection
    """ Whether the call came into the user or went out from them. """
    state: VisCallState
    """ Where a call is in its life, as Vonage documents it. Final: `ANSWERED` (a call of
    non-zero duration *has ended*; it does not mean "picked up"), `CANCELLED`
    (outbound, before the remote party answered), `MISSED` and `REJECTED` (inbound). In
    progress: `INITIALIZING` (inbound, not yet alerting), `RINGING`, `ACTIVE`, `HELD`,
    `REMOTE_HELD`. `DETACHED` is only in the list. There is no transfer state, and no
    COMPLETED, BUSY or VOICEMAIL. The vbc-telephony SDK keeps any other value as it
    arrives.
     """
    start_time: str
    """ An ISO 8601 time with an offset: events use milliseconds and `+0000` without a colon
    (`2018-02-15T18:58:56.194+0000`), webhooks milliseconds and `Z`. The pattern is this
    project's assumption.
     """
    external_id: str | Unset = UNSET
    """ The communications provider's id, "only used for informational purposes"; not a
    Telephony API `call_id` (no link between the two is documented).
     """
    uci_id: int | str | Unset = UNSET
    """ An id. The vendor's schema types event, user and account ids as int64 (webhook ids
    as strings); every vendor example sends strings, some of which are no number at all
    (`"5a85d86f253bcd10897f3189"`, `"-1"`). Both are accepted; a conforming server
    sends strings.
     """
    phone_number: str | Unset = UNSET
    """ The remote party's number. """
    caller_id: str | Unset = UNSET
    """ The remote party's name (outgoing calls may not have it). """
    duration: int | Unset = UNSET
    """ The call's length in **milliseconds**; 0 until `ANSWERED`. """
    sms_data: str | Unset = UNSET
    """ In the vendor's schema, unexplained; never shown. """
    answer_time: None | str | Unset = UNSET
    """ A `VisTime`, or null for not yet (the vendor's words for `endTime` before a final state). """
    end_time: None | str | Unset = UNSET
    """ A `VisTime`, or null for not yet (the vendor's words for `endTime` before a final state). """
    internal: bool | Unset = UNSET
    """ Not documented; in the vendor's 2020 example (`false`). """
    ucp_type: str | Unset = UNSET
    """ Not documented; in the vendor's 2020 example (`VBS`). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id: int | str
        id = self.id

        type_ = self.type_.value

        account_id: int | str
        account_id = self.account_id

        user_id: int | str
        user_id = self.user_id

        direction = self.direction.value

        state = self.state.value

        start_time = self.start_time

        external_id = self.external_id

        uci_id: int | str | Unset
        if isinstance(self.uci_id, Unset):
            uci_id = UNSET
        else:
            uci_id = self.uci_id

        phone_number = self.phone_number

        caller_id = self.caller_id

        duration = self.duration

        sms_data = self.sms_data

        answer_time: None | str | Unset
        if isinstance(self.answer_time, Unset):
            answer_time = UNSET
        else:
            answer_time = self.answer_time

        end_time: None | str | Unset
        if isinstance(self.end_time, Unset):
            end_time = UNSET
        else:
            end_time = self.end_time

        internal = self.internal

        ucp_type = self.ucp_type

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "type": type_,
                "accountId": account_id,
                "userId": user_id,
                "direction": direction,
                "state": state,
                "startTime": start_time,
            }
        )
        if external_id is not UNSET:
            field_dict["externalId"] = external_id
        if uci_id is not UNSET:
            field_dict["uciId"] = uci_id
        if phone_number is not UNSET:
            field_dict["phoneNumber"] = phone_number
        if caller_id is not UNSET:
            field_dict["callerId"] = caller_id
        if duration is not UNSET:
            field_dict["duration"] = duration
        if sms_data is not UNSET:
            field_dict["smsData"] = sms_data
        if answer_time is not UNSET:
            field_dict["answerTime"] = answer_time
        if end_time is not UNSET:
            field_dict["endTime"] = end_time
        if internal is not UNSET:
            field_dict["internal"] = internal
        if ucp_type is not UNSET:
            field_dict["ucpType"] = ucp_type

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        type_ = EventType.from_value(d.pop("type"))

        account_id = d.pop("accountId")

        user_id = d.pop("userId")

        direction = CallDirection.from_value(d.pop("direction"))

        state = VisCallState.from_value(d.pop("state"))

        start_time = d.pop("startTime")

        external_id = d.pop("externalId", UNSET)

        uci_id = d.pop("uciId", UNSET)

        phone_number = d.pop("phoneNumber", UNSET)

        caller_id = d.pop("callerId", UNSET)

        duration = d.pop("duration", UNSET)

        sms_data = d.pop("smsData", UNSET)

        answer_time = d.pop("answerTime", UNSET)

        end_time = d.pop("endTime", UNSET)

        internal = d.pop("internal", UNSET)

        ucp_type = d.pop("ucpType", UNSET)

        event = cls(
            id,
            type_,
            account_id,
            user_id,
            direction,
            state,
            start_time,
            external_id,
            uci_id,
            phone_number,
            caller_id,
            duration,
            sms_data,
            answer_time,
            end_time,
            internal,
            ucp_type,
        )

        event.additional_properties = d
        return event

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
