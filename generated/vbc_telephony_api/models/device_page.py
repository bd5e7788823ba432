from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.device_page_order import DevicePageOrder

T = TypeVar("T", bound="DevicePage")


@_attrs_define
class DevicePage:
    """One page of devices; paging fields as in CallPage."""

    devices: list[Device]
    current_page: int | str
    """ A page number or count. Documented as a string, shown as an integer. """
    page_size: int | str
    """ A page number or count. Documented as a string, shown as an integer. """
    pages: int | str
    """ A page number or count. Documented as a string, shown as an integer. """
    next_page: int | None | str
    """ The next page's number, or null on the last page. """
    order: DevicePageOrder
    first_page_uri: str
    next_page_uri: None | str
    previous_page_uri: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        devices = []
        for devices_item_data in self.devices:
            devices_item = devices_item_data.to_dict()
            devices.append(devices_item)

        current_page: int | str
        current_page = self.current_page

        page_size: int | str
        page_size = self.page_size

        pages: int | str
        pages = self.pages

        next_page: int | None | str
        next_page = self.next_page

        order = self.order.value

        first_page_uri = self.first_page_uri

        next_page_uri: None | str
        next_page_uri = self.next_page_uri

        previous_page_uri: None | str
        previous_page_uri = self.previous_page_uri

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "devices": devices,
                "current_page": current_page,
                "page_size": page_size,
                "pages": pages,
                "next_page": next_page,
                "order": order,
                "first_page_uri": first_page_uri,
                "next_page_uri": next_page_uri,
                "previous_page_uri": previous_page_uri,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        devices = []
        _devices = d.pop("devices")
        for devices_item_data in _devices:
            devices_item = Device.from_dict(devices_item_data)

            devices.append(devices_item)

        current_page = d.pop("current_page")

        page_size = d.pop("page_size")

        pages = d.pop("pages")

        next_page = d.pop("next_page")

        order = DevicePageOrder.from_value(d.pop("order"))

        first_page_uri = d.pop("first_page_uri")

        next_page_uri = d.pop("next_page_uri")

        previous_page_uri = d.pop("previous_page_uri")

        device_page = cls(
            devices,
            current_page,
            page_size,
            pages,
            next_page,
            order,
            first_page_uri,
            next_page_uri,
            previous_page_uri,
        )

        device_page.additional_properties = d
        return device_page

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


from ..models.device import Device
