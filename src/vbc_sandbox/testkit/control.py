"""The control API's operations on the test kit's own state, the injected faults and the
request journal; the web app resolves them through the handlers its builder hands it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vbc_sandbox.testkit.journal import Faults, Journal
from vbc_sandbox.web.handlers import Reply, ok


class Control:
    """The handlers of POST/GET /sandbox/faults and GET /sandbox/requests, for one sandbox."""

    def __init__(self, faults: Faults, journal: Journal) -> None:
        self.faults = faults
        self.journal = journal

    def handlers(self) -> dict[str, Callable[..., Any]]:
        """operationId -> handler, for `WebApp(control_handlers=...)`."""
        return {
            "inject_fault": self.inject_fault,
            "list_faults": self.list_faults,
            "list_requests": self.list_requests,
        }

    async def inject_fault(self, body: dict[str, Any]) -> Reply:
        self.faults.add(
            body["operation"], body["fault"], body.get("times", 1), body.get("retry_after", 1)
        )
        return None, 204, {}

    async def list_faults(self) -> Reply:
        return ok({"faults": self.faults.pending()})

    async def list_requests(
        self,
        account_id: str | None = None,
        operation: str | None = None,
        call_id: str | None = None,
        limit: int = 1000,
    ) -> Reply:
        entries = self.journal.entries(
            account_id=account_id, operation=operation, call_id=call_id, limit=limit
        )
        return ok({"requests": entries})
