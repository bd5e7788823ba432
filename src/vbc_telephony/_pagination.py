"""Lists that walk every page lazily by following `next_page_uri`, and always end.

The service's pages cannot be trusted to say when to stop: the vendor's own example of a
one-page list (`current_page: 0`, `pages: 1`) still names a `next_page_uri`, the same URI.
So a walk stops at the first of: no next URI, an empty page, a URI it has already fetched,
and a page whose `current_page` reaches `pages` (counting from 0 or 1, as the first page
shows).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from vbc_telephony_api.types import Unset

P = TypeVar("P")
I = TypeVar("I")  # noqa: E741 (an item)


def same_url(url: str) -> str:
    """A URL with its query sorted, so the same page asked for twice compares equal."""
    parts = urlsplit(url)
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), query, ""))


def counter(value: Any) -> int | None:
    """A page counter, sent as an integer or a decimal string."""
    if isinstance(value, bool) or value is None or isinstance(value, Unset):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


class PageWalk:
    """Decides, page by page, which URL to fetch next; no I/O."""

    def __init__(self, resolve: Callable[[str], str]) -> None:
        self.resolve = resolve
        self.fetched: set[str] = set()
        self.first_number: int | None = None

    def next_url(self, page: Any, fetched_url: str, item_count: int) -> str | None:
        self.fetched.add(same_url(fetched_url))
        current, pages = (
            counter(getattr(page, "current_page", None)),
            counter(getattr(page, "pages", None)),
        )
        if self.first_number is None:
            # The first page fixes where counting starts, and its own URI is one we have.
            self.first_number = 0 if current == 0 else 1
            first_uri = getattr(page, "first_page_uri", None)
            if isinstance(first_uri, str) and first_uri:
                self.fetched.add(same_url(self.resolve(first_uri)))
        if item_count == 0:
            return None
        if current is not None and pages is not None and current >= pages - 1 + self.first_number:
            return None
        uri = getattr(page, "next_page_uri", None)
        if not isinstance(uri, str) or not uri:
            return None
        url = self.resolve(uri)
        return None if same_url(url) in self.fetched else url
