"""A connection that has not sent a whole request head within HEADER_TIMEOUT seconds is
closed: a client dripping header bytes cannot hold a worker's connection (uvicorn has no
such limit of its own; its keep-alive timeout covers only idle connections).

The same protocol class lets the app drop a connection unanswered (`vbc.abort` in the
scope's extensions), for the test kit's injected faults."""

from __future__ import annotations

import asyncio
import os

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

#: Read by each worker process from its environment, as the CLI set it.
HEADER_TIMEOUT_VARIABLE = "VBC_SANDBOX_HEADER_TIMEOUT"


class HeaderDeadlineProtocol(HttpToolsProtocol):
    header_timeout = float(os.environ.get(HEADER_TIMEOUT_VARIABLE, "10"))
    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._head_timer is None:
            self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        # The test kit's injected "drop" fault closes the connection unanswered.
        extensions: dict[str, object] = self.scope.setdefault("extensions", {})  # type: ignore[assignment]
        extensions["vbc.abort"] = self.transport.abort
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._head_timer = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _too_slow(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            self.transport.close()
