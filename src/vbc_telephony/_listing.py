"""What a list operation needs before and after I/O: the first page's URL, a page read
from an answer (a bare array of items too), and the items on a page; and for a list paged
by `offset` (VIS's events: bare arrays, no page counters), the next page's URL."""

from __future__ import annotations

from typing import Any

import attrs
import httpx

from vbc_telephony._errors import UNUSABLE, APIResponseValidationError, translate
from vbc_telephony._views import Call as CallView
from vbc_telephony_api.models import CallPage, Device, DevicePage


def list_url(base_url: str, path: str, **filters: Any) -> str:
    """The first page's URL: the documented filters the caller gave, and no others."""
    query = {name: value for name, value in filters.items() if value is not None}
    return str(httpx.URL(base_url + path, params=query))


def page_from(response: httpx.Response, model: Any, field: str) -> Any:
    """A page parsed as `model`. A bare array of items is read as a page of them: a
    live-tested client (resuldeger/crmnewpanel2) accepts that form of the calls list."""
    data = page_data(response)
    try:
        return model.from_dict({field: data} if isinstance(data, list) else data)
    except UNUSABLE as error:
        raise translate(error) from error


def page_data(response: httpx.Response) -> Any:
    """A successful answer's JSON, where the spec documents a page."""
    if not 200 <= response.status_code < 300:
        raise APIResponseValidationError(
            f"the service answered {response.status_code} where the spec documents a page",
            method=response.request.method,
            url=str(response.request.url),
        )
    try:
        return response.json()
    except UNUSABLE as error:
        raise translate(error) from error


@attrs.frozen
class OffsetPage:
    """A page of a list paged by `offset` (VIS's events): its items, and the next page's URL,
    named only when this page was full (a short page is the last), for PageWalk to follow
    under its guards."""

    items: list[Any]
    next_page_uri: str | None


def offset_page_from(response: httpx.Response, model: Any, size: int) -> OffsetPage:
    """A bare array of items parsed as `model`; the next page is the next `offset` of the
    URL asked (which this SDK built: it carries `size`, and `offset` after the first)."""
    data = page_data(response)
    if not isinstance(data, list):
        raise APIResponseValidationError(
            f"the service answered {type(data).__name__} where the spec documents an array",
            method=response.request.method,
            url=str(response.request.url),
        )
    try:
        items = [model.from_dict(item) for item in data]
    except UNUSABLE as error:
        raise translate(error) from error
    asked = response.request.url
    offset = int(asked.params.get("offset", "0"))
    full = len(items) >= size
    return OffsetPage(items, str(asked.copy_set_param("offset", offset + 1)) if full else None)


def listed(page: Any, field: str) -> list[Any]:
    items = getattr(page, field)
    return list(items) if isinstance(items, list) else []


def call_views(page: CallPage) -> list[CallView]:
    return [CallView(call) for call in listed(page, "calls")]


def devices_of(page: DevicePage) -> list[Device]:
    return listed(page, "devices")


@attrs.frozen
class RawCallPage:
    """A calls page read for a watcher: its paging fields parsed as CallPage parses them,
    its calls left as the service sent them, so that a watcher parses only the calls that
    are new or changed (a look at a quiet list then costs less than reading it)."""

    page: CallPage
    calls: list[Any]

    @classmethod
    def from_dict(cls, data: Any) -> RawCallPage:
        if not isinstance(data, dict):
            raise TypeError(f"a page is an object, not {type(data).__name__}")
        calls = data.get("calls")
        if calls is not None and not isinstance(calls, list):
            raise TypeError(f"'calls' is a list, not {type(calls).__name__}")
        return cls(CallPage.from_dict({**data, "calls": []}), calls or [])
