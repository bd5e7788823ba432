"""What a list operation needs before and after I/O: the first page's URL, a page read
from an answer (a bare array of items too), and the items on a page."""

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
    if not 200 <= response.status_code < 300:
        raise APIResponseValidationError(
            f"the service answered {response.status_code} where openapi.yaml documents a page",
            method=response.request.method,
            url=str(response.request.url),
        )
    try:
        data = response.json()
        return model.from_dict({field: data} if isinstance(data, list) else data)
    except UNUSABLE as error:
        raise translate(error) from error


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
