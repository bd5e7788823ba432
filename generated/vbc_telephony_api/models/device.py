from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Device")


@_attrs_define
class Device:
    """A desk phone's registration and provisioning status. The top-level `last_request`
    and `last_success` are not explained by Vonage; the sandbox mirrors the latest
    provisioning request and the latest successful registration in them.

    """

    account_id: int | str
    """ A VBC account number. Documented as a string, shown as an integer in the documented
    examples, observed as a string in live traffic.
     """
    mac_address: str
    device_ip: str | Unset = UNSET
    last_request: int | str | Unset = UNSET
    """ A point in time. The documented examples send epoch seconds as a JSON integer. Live
    traffic seen by third parties (resuldeger/crmnewpanel2) carries decimal
    microseconds since the epoch as a string, with `"0"` for not yet or never. The
    vendor's schema declares RFC 3339 date-times, which nobody has seen. The pattern on
    strings is this project's assumption: a target that departs from it gets an
    advisory from vbc-conformance, not a failure.
     """
    last_success: int | str | Unset = UNSET
    """ A point in time. The documented examples send epoch seconds as a JSON integer. Live
    traffic seen by third parties (resuldeger/crmnewpanel2) carries decimal
    microseconds since the epoch as a string, with `"0"` for not yet or never. The
    vendor's schema declares RFC 3339 date-times, which nobody has seen. The pattern on
    strings is this project's assumption: a target that departs from it gets an
    advisory from vbc-conformance, not a failure.
     """
    registration: DeviceRegistration | Unset = UNSET
    """ The latest successful SIP registration. """
    provisioned: DeviceProvisioned | Unset = UNSET
    """ The latest provisioning request, and the latest one that succeeded. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        account_id: int | str
        account_id = self.account_id

        mac_address = self.mac_address

        device_ip = self.device_ip

        last_request: int | str | Unset
        if isinstance(self.last_request, Unset):
            last_request = UNSET
        else:
            last_request = self.last_request

        last_success: int | str | Unset
        if isinstance(self.last_success, Unset):
            last_success = UNSET
        else:
            last_success = self.last_success

        registration: dict[str, Any] | Unset = UNSET
        if not isinstance(self.registration, Unset):
            registration = self.registration.to_dict()

        provisioned: dict[str, Any] | Unset = UNSET
        if not isinstance(self.provisioned, Unset):
            provisioned = self.provisioned.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "account_id": account_id,
                "mac_address": mac_address,
            }
        )
        if device_ip is not UNSET:
            field_dict["device_ip"] = device_ip
        if last_request is not UNSET:
            field_dict["last_request"] = last_request
        if last_success is not UNSET:
            field_dict["last_success"] = last_success
        if registration is not UNSET:
            field_dict["registration"] = registration
        if provisioned is not UNSET:
            field_dict["provisioned"] = provisioned

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        account_id = d.pop("account_id")

        mac_address = d.pop("mac_address")

        device_ip = d.pop("device_ip", UNSET)

        last_request = d.pop("last_request", UNSET)

        last_success = d.pop("last_success", UNSET)

        _registration = d.pop("registration", UNSET)
        registration: DeviceRegistration | Unset
        if isinstance(_registration, Unset):
            registration = UNSET
        else:
            registration = DeviceRegistration.from_dict(_registration)

        _provisioned = d.pop("provisioned", UNSET)
        provisioned: DeviceProvisioned | Unset
        if isinstance(_provisioned, Unset):
            provisioned = UNSET
        else:
            provisioned = DeviceProvisioned.from_dict(_provisioned)

        device = cls(
            account_id,
            mac_address,
            device_ip,
            last_request,
            last_success,
            registration,
            provisioned,
        )

        device.additional_properties = d
        return device

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


from ..models.device_provisioned import DeviceProvisioned
from ..models.device_registration import DeviceRegistration
