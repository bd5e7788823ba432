"""The control API's operations on the test kit's own state: the injected faults, the
request journal and the VIS delivery outcomes; the web app resolves them through the
handlers its builder hands it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vbc_sandbox.phone.delivery_outcomes import DeliveryOutcomes
from vbc_sandbox.testkit.journal import Faults, Journal
from vbc_sandbox.web.handlers import Reply, ok


class Control:
    """The handlers of POST/GET /sandbox/faults, GET /sandbox/requests and POST/GET
    /sandbox/delivery-outcomes, for one sandbox."""

    def __init__(
        self, faults: Faults, journal: Journal, delivery_outcomes: DeliveryOutcomes
    ) -> None:
        self.faults = faults
        self.journal = journal
        self.delivery_outcomes = delivery_outcomes

    def handlers(self) -> dict[str, Callable[..., Any]]:
        """operationId -> handler, for `WebApp(control_handlers=...)`."""
        return {
            "inject_fault": self.inject_fault,
            "list_faults": self.list_faults,
            "list_requests": self.list_requests,
            "add_delivery_outcome": self.add_delivery_outcome,
            "list_delivery_outcomes": self.list_delivery_outcomes,
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

    async def add_delivery_outcome(self, body: dict[str, Any]) -> Reply:
        self.delivery_outcomes.add(
            body["outcome"], body.get("times", 1), body.get("seconds", 0.0), body.get("webhook_id")
        )
        return None, 204, {}

    async def list_delivery_outcomes(self) -> Reply:
        return ok({"delivery_outcomes": self.delivery_outcomes.pending()})
