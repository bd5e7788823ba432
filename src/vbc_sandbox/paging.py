"""Pages of a listing, and the `*_page_uri` fields that lead from one page to the next."""

from __future__ import annotations

import math
from typing import Any

import attrs

from vbc_sandbox.store import Listing, Row, Store

#: A larger page_size is served as this many; the response's page_size says so.
MAX_PAGE_SIZE = 1000


@attrs.frozen
class PageQuery:
    """What a list request asks for: which page, how many, which order, which time window."""

    page: int = 1
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


def page_of(
    store: Store, listing: Listing, query: PageQuery, total: int | None = None
) -> tuple[list[Row], int]:
    """The rows of one page, ordered by time then insertion, and how many pages there are
    (`total` rows are listed; counted here when the caller does not know)."""
    if total is None:
        total = store.count(listing)
    pages = max(1, math.ceil(total / query.size))
    if query.page > pages:
        return [], pages
    return store.page(listing, query.order, query.size, (query.page - 1) * query.size), pages


def page_fields(
    path: str,
    asked: PageQuery,
    pages: int,
    filters: dict[str, Any],
    *,
    last_names_next: bool = False,
) -> dict[str, Any]:
    """The documented paging fields. URIs are relative to the API base, as documented, and
    carry `page` plus every filter, so following them needs nothing else. With
    `last_names_next` the last page names itself as the next one, as the vendor's own
    example of a one-page list does."""
    page, page_size, order = asked.page, asked.size, asked.order
    filters = {"start_time": asked.start_time, "end_time": asked.end_time, **filters}
    query = "".join(f"&{key}={value}" for key, value in filters.items() if value is not None)

    def uri(number: int) -> str:
        return f"{path}?page_size={page_size}&order={order}&page={number}{query}"

    has_next = page < pages
    next_uri = uri(page + 1) if has_next else (uri(page) if last_names_next else None)
    return {
        "current_page": page,
        "page_size": page_size,
        "pages": pages,
        "order": order,
        "next_page": page + 1 if has_next or last_names_next else None,
        "first_page_uri": uri(1),
        "next_page_uri": next_uri,
        "previous_page_uri": uri(min(page - 1, pages)) if page > 1 else None,
    }
