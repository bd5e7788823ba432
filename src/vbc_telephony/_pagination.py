"""Lists that walk every page lazily by following `next_page_uri`, and always end.

The service's pages cannot be trusted to say when to stop: the vendor's own example of a
one-page list (`current_page: 0`, `pages: 1`) still names a `next_page_uri`, the same URI.
So a walk ends where the server ends it: no next URI, an empty page, or a page whose
`current_page` reaches `pages` (counting from 0 or 1, as the first page shows). Failing
that, a guard ends it, with a warning and `cut_short` set: a next URI already fetched, a
page that brings no item not already seen in this walk, or more pages than the first page
announced, with a margin.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from vbc_telephony._logs import logger
from vbc_telephony_api.types import Unset

P = TypeVar("P")
I = TypeVar("I")  # noqa: E741 (an item)

#: The widest page counter read: 18 digits fit any real list, and a longer decimal string
#: is not turned into a number at all (past 4300 digits, `int()` itself refuses).
COUNTER_DIGITS = 18
#: Pages a walk may read beyond what its first page announced: a quarter again, and at
#: least 3. Calls placed while a walk runs add pages, more the longer it runs; an honest
#: list outgrows this only if, during one walk, more calls arrive than a quarter of those
#: there when it began. A server that repeats itself is ended sooner, by "nothing new".
MIN_EXTRA_PAGES = 3


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
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) <= COUNTER_DIGITS:
            return int(text)
    return None


def page_limit(announced: int | None) -> int | None:
    """How many pages a walk may read, from the `pages` its first page announced."""
    if announced is None:
        # No bound: such a list is read as long as each page brings something new. A cap
        # would cut a large tenant's honest list short, a server that repeats itself is
        # ended by "nothing new", and one that makes up new items for ever is an endless
        # list, which the caller bounds by taking as many as it wants (the `vbc` command's
        # --limit), one bounded page at a time.
        return None
    announced = max(announced, 1)
    return announced + max(MIN_EXTRA_PAGES, announced // 4)


def identity(key: Hashable) -> Hashable:
    """An item's key as a set member, whatever a hostile server made of the id."""
    try:
        hash(key)
    except TypeError:
        return repr(key)
    return key


class PageWalk:
    """Decides, page by page, which URL to fetch next; no I/O.

    `cut_short` is True once a guard ended the walk (the list may be incomplete), False
    while it runs and when the server's own answer ended it."""

    def __init__(self, resolve: Callable[[str], str]) -> None:
        self.resolve = resolve
        self.fetched: set[str] = set()
        self.seen: set[Hashable] = set()
        self.first_number: int | None = None
        self.announced: int | None = None
        self.limit: int | None = None
        self.pages_read = 0
        self.cut_short = False

    def next_url(self, page: Any, fetched_url: str, item_keys: Sequence[Hashable]) -> str | None:
        """The next page's URL, or None when the walk ends. `item_keys` are the identities
        of the page's items (a call's call_id, a device's mac_address)."""
        self.fetched.add(same_url(fetched_url))
        self.pages_read += 1
        current, pages = (
            counter(getattr(page, "current_page", None)),
            counter(getattr(page, "pages", None)),
        )
        if self.first_number is None:
            # The first page fixes where counting starts, how far the walk may go, and its
            # own URI is one we have.
            self.first_number = 0 if current == 0 else 1
            self.announced, self.limit = pages, page_limit(pages)
            first_uri = getattr(page, "first_page_uri", None)
            if isinstance(first_uri, str) and first_uri:
                self.fetched.add(same_url(self.resolve(first_uri)))
        keys = {identity(key) for key in item_keys}
        new = keys - self.seen
        self.seen |= new
        # The server's own end.
        if not keys:
            return None
        if current is not None and pages is not None and current >= pages - 1 + self.first_number:
            return None
        uri = getattr(page, "next_page_uri", None)
        if not isinstance(uri, str) or not uri:
            return None
        # The guards: the server says there is more, but it is repeating itself or has
        # gone past what it announced.
        url = self.resolve(uri)
        why = self.guard(url, bool(new))
        if why is None:
            return url
        self.cut_short = True
        logger.warning(
            "a list walk ended after %d pages, the list may be incomplete: page %s %s",
            self.pages_read,
            fetched_url,
            why,
        )
        return None

    def guard(self, url: str, brought_new: bool) -> str | None:
        """Why a walk must not fetch `url` though the server names it, or None."""
        if same_url(url) in self.fetched:
            return "names as the next page one already read"
        if not brought_new:
            # An honest list repeats a whole page only if a page's worth of calls arrived
            # between two requests of a walk; the warning and `cut_short` say so then.
            return "brought no item not already seen in this walk"
        if self.limit is not None and self.pages_read >= self.limit:
            return (
                f"is page {self.pages_read}, as far as a walk goes when its first page"
                f" announces {self.announced}"
            )
        return None
