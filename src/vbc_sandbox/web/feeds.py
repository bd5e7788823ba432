"""The console's live feed: an account's snapshot as server-sent events, sent when it changes,
for as long as the token that opened it is valid.

Idle feeds cost next to nothing: every feed of a process shares one look per tick at what
moves when anything changes (`Store.change_marks`: each account's change counter, the
directory's version, the clock), and a feed reads its account again only when its account,
the directory (a reset, a restore, a seed) or the clock moved, or when the time comes at
which what it shows changes by itself (a phone answering after its ring delay, a call's
linger ending, the token expiring). It then checks its token again: a feed whose token
expired or went with a reset sends an `error` event and ends. A token may hold a few feeds
at once in each process; a comment line now and then keeps proxies from cutting a quiet one.
"""

from __future__ import annotations

import collections
import json
import math
import time
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

import anyio
import attrs
from starlette.responses import StreamingResponse
from starlette.types import Message, Receive, Scope, Send

from vbc_sandbox.errors import SandboxError
from vbc_sandbox.phone.clock import Clock
from vbc_sandbox.storage.store import Row, Store

if TYPE_CHECKING:
    from vbc_sandbox.phone.state import Sandbox

#: How often a feed looks for a change: well within the 500 ms a page should show it.
FEED_INTERVAL = 0.2
#: Feeds one token may hold open at once in one process (a console tab holds one).
FEEDS_PER_TOKEN = 4
#: Seconds of silence after which a feed sends a comment line, so proxies keep it open.
HEARTBEAT = 15.0
#: Seconds a client may leave a feed's output unread before the feed is dropped.
SEND_TIMEOUT = 10.0

#: What the console draws of an account, and the time (sandbox clock) at which that
#: changes by itself; math.inf: not before someone acts.
Drawing = Callable[["Sandbox", str], tuple[Any, float]]


class TooManyFeeds(SandboxError):
    status = 429

    def __init__(self) -> None:
        super().__init__(
            f"This token already has {FEEDS_PER_TOKEN} live feeds open (a console tab"
            " each): close one first"
        )

    def headers(self) -> dict[str, str]:
        return {"Retry-After": "5"}


@attrs.frozen
class Marks:
    """One look at what moves when anything a console shows changes."""

    directory: int
    clock: Row | None
    accounts: dict[str, int]

    def of(self, account: str) -> tuple[Any, ...]:
        """What, if it moved, means the account must be read again."""
        clock = self.clock[:] if self.clock is not None else None
        return self.directory, clock, self.accounts.get(account)

    def now(self) -> float:
        return Clock.reading(self.clock)


class Feeds:
    """The feeds open in this process: how many each token holds, and the look they share."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.open: collections.Counter[str] = collections.Counter()
        self.looked: tuple[float, Marks] | None = None

    def admit(self, key: str) -> None:
        """Count a new feed for the token with this digest; TooManyFeeds past the cap."""
        if self.open[key] >= FEEDS_PER_TOKEN:
            raise TooManyFeeds()
        self.open[key] += 1

    def release(self, key: str) -> None:
        self.open[key] -= 1
        if self.open[key] <= 0:
            del self.open[key]

    def look(self) -> Marks:
        """The marks as read at most half a tick ago: one read per tick for every feed."""
        at = time.monotonic()
        if self.looked is None or at - self.looked[0] >= FEED_INTERVAL / 2:
            self.looked = (at, Marks(*self.store.change_marks()))
        return self.looked[1]


def event(data: Any, name: str | None = None) -> str:
    return (f"event: {name}\n" if name else "") + f"data: {json.dumps(data, sort_keys=True)}\n\n"


class Feed(StreamingResponse):
    """One open feed (admitted by `Feeds.admit`, released when it ends however it ends)."""

    def __init__(
        self, sandbox: Sandbox, feeds: Feeds, key: str, account: str, draw: Drawing
    ) -> None:
        self.sandbox, self.feeds, self.key = sandbox, feeds, key
        self.account, self.draw = account, draw
        super().__init__(
            self.events(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def sending(message: Message) -> None:
            with anyio.fail_after(SEND_TIMEOUT):
                await send(message)

        try:
            # Starlette's stream ends when the client disconnects.
            await super().__call__(scope, receive, sending)
        except TimeoutError:
            pass  # a client that stopped reading: its connection is closed unfinished
        finally:
            self.feeds.release(self.key)

    async def events(self) -> AsyncIterator[str]:
        feeds, authority = self.feeds, self.sandbox.authority
        seen: tuple[Any, ...] | None = None
        due = -math.inf
        shown = None
        quiet_since = time.monotonic()
        while True:
            try:
                marks = feeds.look()
                if marks.of(self.account) != seen or marks.now() >= due:
                    seen = marks.of(self.account)
                    # Still valid? A reset or restore may have removed it, time expired it.
                    _, expires_at = authority.holder(self.key)
                    drawn, changes_at = self.draw(self.sandbox, self.account)
                    due = min(changes_at, math.inf if expires_at is None else expires_at)
                    text = event(drawn)
                    if text != shown:
                        shown, quiet_since = text, time.monotonic()
                        yield text
            except SandboxError as error:  # the token is gone, or the database is
                yield event(error.body(), "error")
                return
            if time.monotonic() - quiet_since >= HEARTBEAT:
                quiet_since = time.monotonic()
                yield ": still here\n\n"
            await anyio.sleep(FEED_INTERVAL)
