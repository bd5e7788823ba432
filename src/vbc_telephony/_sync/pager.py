# Written by scripts/unasync.py from pager.py: edit that file, then run `make generate`.
"""Lazy iteration over a list's items or its pages (where a walk ends: `_pagination`)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from typing import Generic

from vbc_telephony._pagination import I, P, PageWalk


class Pager(Generic[P, I]):
    """Iterate for every item, or `pages()` for the pages themselves. Nothing is fetched
    until you iterate, and each page only when you reach it. `key` names an item (a call
    by its call_id), so that a walk can tell a page that brings nothing new."""

    def __init__(
        self,
        first_url: str,
        fetch: Callable[[str], P],
        items: Callable[[P], list[I]],
        resolve: Callable[[str], str],
        key: Callable[[I], Hashable],
    ) -> None:
        self._first_url, self._fetch, self._items, self._resolve = first_url, fetch, items, resolve
        self._key = key

    def pages(self) -> Iterator[P]:
        walk = PageWalk(self._resolve)
        url: str | None = self._first_url
        while url is not None:
            page = self._fetch(url)
            yield page
            url = walk.next_url(page, url, [self._key(item) for item in self._items(page)])

    def first_page(self) -> P:
        return self._fetch(self._first_url)

    def __iter__(self) -> Iterator[I]:
        for page in self.pages():
            for item in self._items(page):
                yield item
