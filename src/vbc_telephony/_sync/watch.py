# Written by scripts/unasync.py from watch.py: edit that file, then run `make generate`.
"""client.calls.watch(): the account's calls as they start, change and end, by looking at the
calls list again and again (the rules, which do no I/O, are in `_watching`)."""

from __future__ import annotations

import contextlib
from collections.abc import Generator, Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from vbc_telephony._base import path_segment
from vbc_telephony._errors import APIError, InvalidIdError, NotFoundError
from vbc_telephony._listing import RawCallPage, list_url
from vbc_telephony._pagination import PageWalk
from vbc_telephony._retry import NO_RETRIES
from vbc_telephony._sync.resources import fetch_page
from vbc_telephony._views import Call
from vbc_telephony._watching import (
    CallEvent,
    Follower,
    Pace,
    call_id_of,
    log_cut_short,
    passing,
)

if TYPE_CHECKING:
    from vbc_telephony._sync.client import Telephony

#: The largest page asked for (the sandbox's own bound; Vonage documents none).
MAX_PAGE_SIZE = 1000


def now() -> datetime:
    return datetime.now(UTC)


class CallWatcher:
    """Iterate for `CallEvent`s, for ever: `started` when a call is first seen, `changed`
    when something moved (`event.changes`), `ended` once it is gone for sure. Between looks
    it waits `interval` seconds with the client's `sleep`, backs off on errors that may pass
    and raises the others. `state` is what to save to resume where it stopped;
    `look()` is one look, for callers that keep their own schedule."""

    def __init__(
        self,
        client: Telephony,
        *,
        interval: float,
        extension: str | None,
        state: Mapping[str, Any] | None,
        page_size: int,
        max_backoff: float,
        requests_per_minute: float | None,
    ) -> None:
        if isinstance(page_size, bool) or not isinstance(page_size, int):
            raise ValueError(f"page_size must be a whole number, not {page_size!r}")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1 to {MAX_PAGE_SIZE}, not {page_size}")
        self._pace = Pace(interval, max_backoff, requests_per_minute)
        self._follower = Follower(client.account_id, extension, state)
        # One attempt per request: the watcher's pace is its retry loop, so a failing
        # service gets one request per back-off step, not one per retry of every look.
        self._client = client.with_options(retry=NO_RETRIES)
        self._first_url = list_url(
            client.base_url,
            f"/cc/accounts/{client.account_id}/calls",
            extension=extension,
            page_size=page_size,
            # Oldest first: a new call joins the end, so the pages already read keep still.
            order="asc",
        )
        self.requests = 0
        """Requests sent so far (list pages and the GETs that confirm an end)."""

    @property
    def state(self) -> dict[str, Any]:
        """JSON-ready: the last state of each call followed, no history. A watcher made with
        `state=` reports no `started` for those calls, and `ended` for those gone since."""
        return self._follower.state()

    @property
    def calls(self) -> list[Call]:
        """The calls followed now (the active ones), each as last seen: what a board
        restarted from `state` shows before the first event."""
        return self._follower.calls()

    def take_back(self, event: CallEvent) -> None:
        """The latest event could not be handled (a write failed): `state` goes back to
        before it, so a watcher resumed from it reports the event again."""
        self._follower.take_back(event)

    def look(self) -> Generator[CallEvent, None, None]:
        """One look: every page of the list once, then the calls not seen. Raises the
        APIError that stopped it; the events it yielded before stand."""
        follower, client = self._follower, self._client
        follower.begin_look()
        walk = PageWalk(client.page_url)
        url: str | None = self._first_url
        pages, at = 0, now()
        while url is not None:
            self.requests += 1
            page: RawCallPage = fetch_page(client, url, RawCallPage, "calls")
            pages, at = pages + 1, now()
            for raw in page.calls:
                event = follower.sighted(raw, at)
                if event is not None:
                    yield event
            url = walk.next_url(page.page, url, [call_id_of(raw) for raw in page.calls])
        if walk.cut_short:
            log_cut_short(pages)
            return
        # One page is one answer; over several, calls shift between pages as others end,
        # and a filtered list drops a call that goes on elsewhere: ask each one itself.
        trusted = pages == 1 and follower.extension is None
        for call_id in follower.unseen():
            if trusted:
                yield follower.gone(call_id, at)
                continue
            try:
                path_segment(call_id, "call_id")
            except InvalidIdError:
                continue  # an id that cannot be asked about: no verdict
            self.requests += 1
            try:
                call = client.calls.get(call_id)
            except NotFoundError:
                yield follower.gone(call_id, now())
                continue
            event = follower.sighted(call.model.to_dict(), now())
            if event is not None:
                yield event

    def __iter__(self) -> Iterator[CallEvent]:
        while True:
            sent = self.requests
            try:
                with contextlib.closing(self.look()) as events:
                    for event in events:
                        yield event
            except APIError as error:
                if not passing(error):
                    raise
                wait = self._pace.failed(error)
            else:
                wait = self._pace.worked(self.requests - sent)
            self._client.sleep(wait)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(account_id={self._follower.account_id!r},"
            f" extension={self._follower.extension!r}, interval={self._pace.interval:g})"
        )
