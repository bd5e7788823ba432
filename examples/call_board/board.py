"""A call board for a contact centre: a badge per extension ("on a call", "ringing",
"free") and the calls each one missed, kept up to date from `calls.watch()` alone: no
request per badge, whatever the number of screens.

It uses only the SDK; its tests (test_board.py) use only the vbc-sandbox pytest plugin.
Run it against a sandbox: VBC_TOKEN=... VBC_ACCOUNT_ID=1234 python examples/call_board/board.py
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable

from vbc_telephony import Call, CallEvent, CallWatcher, Leg, Telephony

ON_A_CALL, RINGING, FREE = "on a call", "ringing", "free"
#: Leg statuses, in both dialects, by what the board shows.
TALKING = {"on-call"}
ALERTING = {"ringing", "initializing"}


def party(leg: Leg) -> str | None:
    """The extension (or number) a leg reaches."""
    return leg.extension or leg.to


class CallBoard:
    """What the board shows, from the events of one watcher."""

    def __init__(self, watcher: CallWatcher) -> None:
        self.watcher = watcher
        self.calls: dict[str, Call] = {}
        self.answered: set[str] = set()
        """Calls an extension of ours picked up, so an inbound one that ends is not missed."""
        self.missed: Counter[str] = Counter()
        # A watcher resumed from a saved state reports no `started` for the calls it knew.
        for call in watcher.calls:
            self.calls[call.call_id] = call

    def apply(self, event: CallEvent) -> None:
        call = event.call
        # Answered: a party other than the caller is talking (the caller's own leg is
        # connected from the start of an inbound call).
        if any(str(leg.status) in TALKING and party(leg) != call.from_ for leg in call.legs):
            self.answered.add(event.call_id)
        if event.type != "ended":
            self.calls[event.call_id] = call
            return
        self.calls.pop(event.call_id, None)
        if str(call.direction) == "inbound" and event.call_id not in self.answered:
            self.missed[str(call.to)] += 1
        self.answered.discard(event.call_id)

    def badge(self, extension: str) -> str:
        statuses = {
            str(leg.status)
            for call in self.calls.values()
            for leg in call.legs
            if party(leg) == extension
        }
        if statuses & TALKING:
            return ON_A_CALL
        return RINGING if statuses & ALERTING else FREE

    def badges(self, extensions: Iterable[str]) -> dict[str, str]:
        return {extension: self.badge(extension) for extension in extensions}

    def run(self, until: Callable[[CallBoard], bool] = lambda board: False) -> None:
        """Follow the calls, for ever or until `until(board)` holds after an event."""
        for event in self.watcher:
            self.apply(event)
            if until(self):
                return


def main() -> None:
    extensions = ["1001", "1002", "1003"]
    with Telephony(
        account_id=os.environ["VBC_ACCOUNT_ID"],
        token=os.environ["VBC_TOKEN"],
        base_url=os.environ.get("VBC_BASE_URL", "http://127.0.0.1:8080/t/vbc.prod/telephony/v3"),
    ) as client:
        board = CallBoard(client.calls.watch())
        shown: dict[str, str] = {}

        def show(board: CallBoard) -> bool:
            nonlocal shown
            if board.badges(extensions) != shown:
                shown = board.badges(extensions)
                print(shown, dict(board.missed), flush=True)
            return False

        try:
            board.run(show)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
