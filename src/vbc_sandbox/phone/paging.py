"""Pages of a listing, and the `*_page_uri` fields that lead from one page to the next.

Each list numbers its pages as the vendor shows it (openapi.yaml's `page` parameter of the
list, whose default is its first page): calls from 0, devices from 1.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import attrs

import vbc_spec as spec
from vbc_sandbox.storage.store import Listing, Row, Store

#: A larger page_size is served as this many; the response's page_size says so.
MAX_PAGE_SIZE = 1000


@functools.cache
def first_page(operation_id: str) -> int:
    """The number of a list's first page: its `page` parameter's default in openapi.yaml."""
    document = spec.load()
    for item in document["paths"].values():
        operation = item.get("get", {})
        if operation.get("operationId") == operation_id:
            for parameter in operation.get("parameters", []):
                parameter = spec.resolve(document, parameter)
                if parameter["name"] == "page":
                    return int(parameter["schema"]["default"])
    raise KeyError(f"openapi.yaml has no page parameter on {operation_id}")


@attrs.frozen
class PageQuery:
    """What a list request asks for: which page (None: the first), how many, which order,
    which time window."""

    page: int | None = None
    page_size: int = 100
    order: str = "desc"
    start_time: int | None = None
    end_time: int | None = None

    @classmethod
    def of(cls, query: dict[str, Any]) -> PageQuery:
        """From a validated request's query parameters."""
        names = attrs.fields_dict(cls)
        return cls(**{name: value for name, value in query.items() if name in names})

    @property
    def size(self) -> int:
        """The page size served (a larger one asked for is capped)."""
        return min(self.page_size, MAX_PAGE_SIZE)

    def number(self, first: int) -> int:
        """The page asked for, numbered as its list numbers them (from `first`)."""
        return first if self.page is None else self.page


def page_of(
    store: Store, listing: Listing, query: PageQuery, first: int, total: int | None = None
) -> tuple[list[Row], int]:
    """The rows of one page, ordered by time then insertion, and how many pages there are
    (`total` rows are listed; counted here when the caller does not know). Pages are
    numbered from `first`."""
    if total is None:
        total = store.count(listing)
    pages = max(1, math.ceil(total / query.size))
    index = query.number(first) - first
    if not 0 <= index < pages:
        return [], pages
    return store.page(listing, query.order, query.size, index * query.size), pages


def page_fields(
    path: str,
    asked: PageQuery,
    pages: int,
    filters: dict[str, Any],
    first: int,
    *,
    last_names_next: bool = False,
) -> dict[str, Any]:
    """The documented paging fields, pages numbered from `first` (`pages` counts them).
    URIs are relative to the API base, as documented, and carry `page` plus every filter,
    so following them needs nothing else. With `last_names_next` the last page names itself
    as the next one, as the vendor's own example of a one-page list does."""
    page, page_size, order = asked.number(first), asked.size, asked.order
    last = first + pages - 1
    filters = {"start_time": asked.start_time, "end_time": asked.end_time, **filters}
    query = "".join(f"&{key}={value}" for key, value in filters.items() if value is not None)

    def uri(number: int) -> str:
        return f"{path}?page_size={page_size}&order={order}&page={number}{query}"

    has_next = page < last
    next_uri = uri(page + 1) if has_next else (uri(page) if last_names_next else None)
    return {
        "current_page": page,
        "page_size": page_size,
        "pages": pages,
        "order": order,
        "next_page": page + 1 if has_next or last_names_next else None,
        "first_page_uri": uri(first),
        "next_page_uri": next_uri,
        "previous_page_uri": uri(min(page - 1, last)) if page > first else None,
    }
