"""Lazy iteration over a list's items or its pages (where a walk ends: `_pagination`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from typing import Generic

from vbc_telephony._pagination import I, P, PageWalk


class AsyncPager(Generic[P, I]):
    """Iterate for every item, or `pages()` for the pages themselves. Nothing is fetched
    until you iterate, and each page only when you reach it. `key` names an item (a call
    by its call_id), so that a walk can tell a page that brings nothing new."""

    def __init__(
        self,
        first_url: str,
        fetch: Callable[[str], Awaitable[P]],
        items: Callable[[P], list[I]],
        resolve: Callable[[str], str],
        key: Callable[[I], Hashable],
    ) -> None:
        self._first_url, self._fetch, self._items, self._resolve = first_url, fetch, items, resolve
        self._key = key

    async def pages(self) -> AsyncIterator[P]:
        walk = PageWalk(self._resolve)
        url: str | None = self._first_url
        while url is not None:
            page = await self._fetch(url)
            yield page
            url = walk.next_url(page, url, [self._key(item) for item in self._items(page)])

    async def first_page(self) -> P:
        return await self._fetch(self._first_url)

    async def __aiter__(self) -> AsyncIterator[I]:
        async for page in self.pages():
            for item in self._items(page):
                yield item
