"""Pages of a listing, and the `*_page_uri` fields that lead from one page to the next."""

from __future__ import annotations

import math
import sqlite3
from typing import Any

from vbc_sandbox.store import Store

#: A larger page_size is served as this many; the response's page_size says so.
MAX_PAGE_SIZE = 1000


def time_window(column: str, start: int | None, end: int | None) -> tuple[list[str], list[Any]]:
    """WHERE clauses and arguments for the documented start_time/end_time filters."""
    clauses: list[str] = []
    args: list[Any] = []
    if start is not None:
        clauses.append(f"{column} >= ?")
        args.append(start)
    if end is not None:
        clauses.append(f"{column} <= ?")
        args.append(end)
    return clauses, args


def page_of(
    store: Store,
    table: str,
    where: str,
    args: list[Any],
    page: int,
    page_size: int,
    order: str,
    time_column: str,
    total: int | None = None,
) -> tuple[list[sqlite3.Row], int]:
    """The rows of one page, ordered by time then insertion, and how many pages there are
    (`total` rows match `where`; counted here when the caller does not know)."""
    page_size = min(page_size, MAX_PAGE_SIZE)
    if total is None:
        row = store.one(f"SELECT count(*) AS n FROM {table} WHERE {where}", *args)  # noqa: S608
        total = int(row["n"]) if row else 0
    pages = max(1, math.ceil(total / page_size))
    if page > pages:
        return [], pages
    direction = "ASC" if order == "asc" else "DESC"
    items = store.all(
        f"SELECT * FROM {table} WHERE {where}"  # noqa: S608
        f" ORDER BY {time_column} {direction}, rowid {direction} LIMIT ? OFFSET ?",
        *args,
        page_size,
        (page - 1) * page_size,
    )
    return items, pages


def page_fields(
    path: str,
    page: int,
    page_size: int,
    order: str,
    pages: int,
    filters: dict[str, Any],
    *,
    last_names_next: bool = False,
) -> dict[str, Any]:
    """The documented paging fields. URIs are relative to the API base, as documented, and
    carry `page` plus every filter, so following them needs nothing else. With
    `last_names_next` the last page names itself as the next one, as the vendor's own
    example of a one-page list does."""
    page_size = min(page_size, MAX_PAGE_SIZE)
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
