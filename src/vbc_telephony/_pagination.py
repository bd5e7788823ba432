"""Lists that walk every page lazily by following `next_page_uri`, as the service says to."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Generic, Protocol, TypeVar

from vbc_telephony_api.types import Unset


class PageLike(Protocol):
    @property
    def next_page_uri(self) -> str | Unset | None: ...


P = TypeVar("P", bound=PageLike)
I = TypeVar("I")  # noqa: E741 (an item)


def next_uri(page: PageLike) -> str | None:
    uri = page.next_page_uri
    return uri if isinstance(uri, str) and uri else None


class Pager(Generic[P, I]):
    """`for item in pager` walks every item; `pager.pages()` walks the pages themselves.
    Nothing is fetched until you iterate, and each page only when you reach it."""

    def __init__(
        self, first: Callable[[], P], follow: Callable[[str], P], items: Callable[[P], list[I]]
    ) -> None:
        self._first, self._follow, self._items = first, follow, items

    def pages(self) -> Iterator[P]:
        page = self._first()
        yield page
        while (uri := next_uri(page)) is not None:
            page = self._follow(uri)
            yield page

    def first_page(self) -> P:
        return self._first()

    def __iter__(self) -> Iterator[I]:
        for page in self.pages():
            yield from self._items(page)


class AsyncPager(Generic[P, I]):
    """`async for item in pager`, and `pager.pages()`; lazy like Pager."""

    def __init__(
        self,
        first: Callable[[], Awaitable[P]],
        follow: Callable[[str], Awaitable[P]],
        items: Callable[[P], list[I]],
    ) -> None:
        self._first, self._follow, self._items = first, follow, items

    async def pages(self) -> AsyncIterator[P]:
        page = await self._first()
        yield page
        while (uri := next_uri(page)) is not None:
            page = await self._follow(uri)
            yield page

    async def first_page(self) -> P:
        return await self._first()

    async def __aiter__(self) -> AsyncIterator[I]:
        async for page in self.pages():
            for item in self._items(page):
                yield item


def listed(page: Any, field: str) -> list[Any]:
    items = getattr(page, field)
    return list(items) if isinstance(items, list) else []
