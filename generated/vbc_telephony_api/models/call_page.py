from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.call_page_order import CallPageOrder

T = TypeVar("T", bound="CallPage")


@_attrs_define
class CallPage:
    """One page of active calls. The `*_page_uri` fields are relative to the API base URL
    (`.../telephony/v3`); `next_page` and `next_page_uri` are null on the last page and
    `previous_page_uri` on the first.

    """

    calls: list[Call]
    current_page: int | str
    """ A page number or count. Documented as a string, shown as an integer. """
    page_size: int | str
    """ A page number or count. Documented as a string, shown as an integer. """
    pages: int | str
    """ A page number or count. Documented as a string, shown as an integer. """
    next_page: int | None | str
    """ The next page's number, or null on the last page. """
    order: CallPageOrder
    first_page_uri: str
    next_page_uri: None | str
    previous_page_uri: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        calls = []
        for calls_item_data in self.calls:
            calls_item = calls_item_data.to_dict()
            calls.append(calls_item)

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
                "calls": calls,
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
        calls = []
        _calls = d.pop("calls")
        for calls_item_data in _calls:
            calls_item = Call.from_dict(calls_item_data)

            calls.append(calls_item)

        current_page = d.pop("current_page")

        page_size = d.pop("page_size")

        pages = d.pop("pages")

        next_page = d.pop("next_page")

        order = CallPageOrder.from_value(d.pop("order"))

        first_page_uri = d.pop("first_page_uri")

        next_page_uri = d.pop("next_page_uri")

        previous_page_uri = d.pop("previous_page_uri")

        call_page = cls(
            calls,
            current_page,
            page_size,
            pages,
            next_page,
            order,
            first_page_uri,
            next_page_uri,
            previous_page_uri,
        )

        call_page.additional_properties = d
        return call_page

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


from ..models.call import Call
