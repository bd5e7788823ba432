from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.device_page_order import DevicePageOrder
from ..types import UNSET, Unset

T = TypeVar("T", bound="DevicePage")


@_attrs_define
class DevicePage:
    """One page of devices; paging fields as in CallPage, but pages of devices count from
    1, as the vendor's example shows: it has `current_page: 1`, `pages: 2`,
    `next_page: "string"` and every URI the same. The last page is `pages`.

    """

    devices: list[Device]
    current_page: int | str | Unset = UNSET
    """ A page number or count. Documented as a string, shown as an integer. """
    page_size: int | str | Unset = UNSET
    """ A page number or count. Documented as a string, shown as an integer. """
    pages: int | str | Unset = UNSET
    """ A page number or count. Documented as a string, shown as an integer. """
    next_page: int | None | str | Unset = UNSET
    """ The next page's number, or null on the last page (`anyOf`, so generators that test
    every branch do not find null matching two of them).
     """
    order: DevicePageOrder | Unset = UNSET
    first_page_uri: str | Unset = UNSET
    next_page_uri: None | str | Unset = UNSET
    previous_page_uri: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        devices = []
        for devices_item_data in self.devices:
            devices_item = devices_item_data.to_dict()
            devices.append(devices_item)

        current_page: int | str | Unset
        if isinstance(self.current_page, Unset):
            current_page = UNSET
        else:
            current_page = self.current_page

        page_size: int | str | Unset
        if isinstance(self.page_size, Unset):
            page_size = UNSET
        else:
            page_size = self.page_size

        pages: int | str | Unset
        if isinstance(self.pages, Unset):
            pages = UNSET
        else:
            pages = self.pages

        next_page: int | None | str | Unset
        if isinstance(self.next_page, Unset):
            next_page = UNSET
        else:
            next_page = self.next_page

        order: str | Unset = UNSET
        if not isinstance(self.order, Unset):
            order = self.order.value

        first_page_uri = self.first_page_uri

        next_page_uri: None | str | Unset
        if isinstance(self.next_page_uri, Unset):
            next_page_uri = UNSET
        else:
            next_page_uri = self.next_page_uri

        previous_page_uri: None | str | Unset
        if isinstance(self.previous_page_uri, Unset):
            previous_page_uri = UNSET
        else:
            previous_page_uri = self.previous_page_uri

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "devices": devices,
            }
        )
        if current_page is not UNSET:
            field_dict["current_page"] = current_page
        if page_size is not UNSET:
            field_dict["page_size"] = page_size
        if pages is not UNSET:
            field_dict["pages"] = pages
        if next_page is not UNSET:
            field_dict["next_page"] = next_page
        if order is not UNSET:
            field_dict["order"] = order
        if first_page_uri is not UNSET:
            field_dict["first_page_uri"] = first_page_uri
        if next_page_uri is not UNSET:
            field_dict["next_page_uri"] = next_page_uri
        if previous_page_uri is not UNSET:
            field_dict["previous_page_uri"] = previous_page_uri

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        devices = []
        _devices = d.pop("devices")
        for devices_item_data in _devices:
            devices_item = Device.from_dict(devices_item_data)

            devices.append(devices_item)

        current_page = d.pop("current_page", UNSET)

        page_size = d.pop("page_size", UNSET)

        pages = d.pop("pages", UNSET)

        next_page = d.pop("next_page", UNSET)

        _order = d.pop("order", UNSET)
        order: DevicePageOrder | Unset
        if isinstance(_order, Unset):
            order = UNSET
        else:
            order = DevicePageOrder.from_value(_order)

        first_page_uri = d.pop("first_page_uri", UNSET)

        next_page_uri = d.pop("next_page_uri", UNSET)

        previous_page_uri = d.pop("previous_page_uri", UNSET)

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
