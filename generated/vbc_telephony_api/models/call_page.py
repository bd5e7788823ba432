from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.call_page_order import CallPageOrder
from ..types import UNSET, Unset

T = TypeVar("T", bound="CallPage")


@_attrs_define
class CallPage:
    """One page of active calls. The `*_page_uri` fields are relative to the API base URL
    (`.../telephony/v3`). The documented schema has `next_page` and `next_page_uri` null
    on the last page, but the vendor's own example of a one-page list (`current_page: 0`,
    `pages: 1`) still names a `next_page_uri`, the same URI: a client must stop on an
    empty page, on a URI it has already fetched, or on the last page by `current_page`
    and `pages`. Pages of calls count from 0, as the vendor's example shows (see the
    `page` parameter): the last is `pages - 1`. Only `calls` is required: a
    live-tested client (resuldeger/crmnewpanel2) reads nothing else, and also accepts a
    bare array of calls, which the vbc-telephony SDK accepts too.

    """

    calls: list[Call]
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
    order: CallPageOrder | Unset = UNSET
    first_page_uri: str | Unset = UNSET
    next_page_uri: None | str | Unset = UNSET
    previous_page_uri: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        calls = []
        for calls_item_data in self.calls:
            calls_item = calls_item_data.to_dict()
            calls.append(calls_item)

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
                "calls": calls,
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
        calls = []
        _calls = d.pop("calls")
        for calls_item_data in _calls:
            calls_item = Call.from_dict(calls_item_data)

            calls.append(calls_item)

        current_page = d.pop("current_page", UNSET)

        page_size = d.pop("page_size", UNSET)

        pages = d.pop("pages", UNSET)

        next_page = d.pop("next_page", UNSET)

        _order = d.pop("order", UNSET)
        order: CallPageOrder | Unset
        if isinstance(_order, Unset):
            order = UNSET
        else:
            order = CallPageOrder.from_value(_order)

        first_page_uri = d.pop("first_page_uri", UNSET)

        next_page_uri = d.pop("next_page_uri", UNSET)

        previous_page_uri = d.pop("previous_page_uri", UNSET)

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
