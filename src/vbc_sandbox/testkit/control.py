"""The control API's operations on the test kit's own state: the injected faults, the
request journal, the VIS delivery outcomes and the list of VIS deliveries; the web app
resolves them through the handlers its builder hands it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from connexion import context

from vbc_sandbox.phone.delivery_outcomes import DeliveryOutcomes
from vbc_sandbox.phone.webhook_rules import Parcel, envelope
from vbc_sandbox.storage.store import Row
from vbc_sandbox.testkit.journal import Faults, Journal
from vbc_sandbox.web.handlers import Reply, ok, sandbox
from vbc_telephony.webhooks import sign


class Control:
    """The handlers of POST/GET /sandbox/faults, GET /sandbox/requests, POST/GET
    /sandbox/delivery-outcomes and GET /sandbox/deliveries, for one sandbox."""

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
            "list_deliveries": self.list_deliveries,
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

    async def list_deliveries(
        self,
        call_id: str | None = None,
        webhook_id: str | None = None,
        state: str | None = None,
        limit: int = 1000,
    ) -> Reply:
        await context.scope["vbc.vis_loop"].produce()  # every change so far queued
        store = sandbox().store
        filters = {"call_id": call_id, "webhook_id": webhook_id, "state": state}
        rows = store.deliveries(filters, limit)
        webhooks = store.webhooks_by_id(sorted({row["webhook_id"] for row in rows}))
        shown = [delivery_json(row, webhooks.get(row["webhook_id"])) for row in reversed(rows)]
        return ok({"deliveries": shown})


def delivery_json(row: Row, webhook: Row | None) -> dict[str, Any]:
    """A queued delivery, with what its attempt sends (signed as its webhook says)."""
    event = json.loads(row["event"])
    body: dict[str, Any] = {"event": event}
    headers: dict[str, str] = {}
    if webhook is not None:
        parcel = Parcel(
            event,
            row["webhook_id"],
            row["delivery_id"],
            row["attempt"],
            metadata_policy=webhook["metadata_policy"],
            signing_algo=webhook["signing_algo"],
            signing_key=webhook["signing_key"],
        )
        body, headers = envelope(parcel, sign)
    return {
        **{
            name: row[name]
            for name in ("delivery_id", "webhook_id", "account_id", "call_id", "state")
        },
        **{name: row[name] for name in ("attempt", "created_at", "due_at", "settled_at")},
        "outcome": row["outcome"],
        "status": row["status"],
        "body": body,
        "headers": headers,
    }
