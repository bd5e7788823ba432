"""client.webhooks and client.events: the user's call-event subscriptions and the events VIS
keeps (`vis.yaml`), on the client's VIS base URL, with the same token, retries, bounds and
errors as every other call. Requests carry only what the vendor documents."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import attrs

from vbc_telephony._async.pager import AsyncPager
from vbc_telephony._async.resources import AsyncResource, fetch
from vbc_telephony._base import path_segment
from vbc_telephony._checks import http_url
from vbc_telephony._errors import APIResponseValidationError
from vbc_telephony._listing import OffsetPage, list_url, offset_page_from
from vbc_telephony._vis_views import Webhook, vis_event
from vbc_telephony.webhooks import VisCallEvent
from vbc_vis_api.api.event import count_events, get_event
from vbc_vis_api.api.webhook import (
    create_webhook,
    delete_webhook,
    get_webhook,
    list_webhooks,
    renew_webhook,
)
from vbc_vis_api.models import (
    CallDirection,
    EventKind,
    EventsCount,
    MetadataPolicy,
    WebhookCreate,
    WebhookCreateSigningAlgo,
)
from vbc_vis_api.models import Event as EventModel
from vbc_vis_api.models import Webhook as WebhookModel
from vbc_vis_api.types import UNSET

Policy = Literal["HEADER", "BODY", "NONE"]
Direction = Literal["INBOUND", "OUTBOUND"]
Order = Literal["ASC", "DESC"]
DIRECTIONS = ("INBOUND", "OUTBOUND")
#: What vis.yaml lets a request filter on: every state for a list, those of a call in
#: progress for a count (the vendor's count lists no other).
LIST_STATES = frozenset(
    {"INITIALIZING", "RINGING", "ACTIVE", "HELD", "REMOTE_HELD", "DETACHED"}
    | {"REJECTED", "CANCELLED", "ANSWERED", "MISSED"}
)
COUNT_STATES = frozenset({"INITIALIZING", "RINGING", "ACTIVE", "HELD", "REMOTE_HELD"})
#: vis.yaml's assumed bounds on what a subscription sends.
MAX_URL = 2048
MAX_SIGNING_KEY = 1024


def one_of(value: object, allowed: Iterable[str], what: str) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(sorted(allowed))}, not {value!r}")
    return value


def states_filter(states: Iterable[str] | None, allowed: frozenset[str]) -> str | None:
    """The `states` query value: documented states, comma-separated."""
    if states is None:
        return None
    if isinstance(states, str):
        states = [states]
    chosen = [one_of(state, allowed, "each of states") for state in states]
    return ",".join(chosen) or None


def instant(value: int | None, what: str) -> int | None:
    """fromDate / toDate: a whole number from 0 (VIS does not say its unit)."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise ValueError(f"{what} must be a whole number from 0, not {value!r}")
    return value


@attrs.define
class AsyncWebhooks(AsyncResource):
    """Subscriptions to the user's call events: VIS POSTs each state change of the calls of
    the user whose token this is to `url`, signed with `signing_key`. See
    docs/guides/sdk.md."""

    async def create(
        self,
        *,
        url: str,
        signing_key: str,
        metadata_policy: Policy = "HEADER",
        retry_create: bool = False,
    ) -> Webhook:
        """Subscribe `url` to the user's CALL events, signed with HMAC-SHA256 under
        `signing_key`; the signature travels in headers (`HEADER`) or in the body (`BODY`),
        or not at all (`NONE`). Not retried once the request may have reached VIS (a retry
        could subscribe twice) unless `retry_create=True`."""
        http_url(url, "url")
        if len(url) > MAX_URL:
            raise ValueError(f"url must be at most {MAX_URL} characters")
        if not isinstance(signing_key, str) or not 0 < len(signing_key) <= MAX_SIGNING_KEY:
            # The key itself is never in a message.
            raise ValueError(f"signing_key must be text of 1 to {MAX_SIGNING_KEY} characters")
        body = WebhookCreate(
            url=url,
            events=[EventKind.CALL],
            signing_algo=WebhookCreateSigningAlgo.HMAC_SHA256,
            signing_key=signing_key,
            metadata_policy=MetadataPolicy(
                one_of(metadata_policy, ("HEADER", "BODY", "NONE"), "metadata_policy")
            ),
        )
        c = self._client
        result: WebhookModel = await self._send(
            lambda: create_webhook.asyncio_detailed(client=c.vis_api, body=body),
            repeatable=retry_create,
        )
        return Webhook.of(result)

    async def list(self) -> list[Webhook]:
        """The user's webhooks (each echoes its signing key: `signing_key`, never in a repr)."""
        c = self._client
        result: list[WebhookModel] = await self._send(
            lambda: list_webhooks.asyncio_detailed(client=c.vis_api)
        )
        return [Webhook.of(webhook) for webhook in result]

    async def get(self, webhook_id: str) -> Webhook:
        webhook_id = path_segment(webhook_id, "webhook_id")
        c = self._client
        result: WebhookModel = await self._send(
            lambda: get_webhook.asyncio_detailed(webhook_id, client=c.vis_api)
        )
        return Webhook.of(result)

    async def renew(self, webhook_id: str) -> Webhook:
        """Move its expiry on and clear `failed`, expired or not (VIS: typically 10 days)."""
        webhook_id = path_segment(webhook_id, "webhook_id")
        c = self._client
        result: WebhookModel = await self._send(
            lambda: renew_webhook.asyncio_detailed(webhook_id, client=c.vis_api)
        )
        return Webhook.of(result)

    async def delete(self, webhook_id: str) -> None:
        webhook_id = path_segment(webhook_id, "webhook_id")
        c = self._client
        await self._send(
            lambda: delete_webhook.asyncio_detailed(webhook_id, client=c.vis_api), empty=True
        )


@attrs.define
class AsyncEvents(AsyncResource):
    """The user's call events as VIS keeps them: what a webhook delivered, or would have, for
    catching up after missed deliveries."""

    def list(
        self,
        *,
        direction: Direction | None = None,
        states: Iterable[str] | None = None,
        from_date: int | None = None,
        to_date: int | None = None,
        order: Order | None = None,
        sort: str | None = None,
        size: int = 20,
    ) -> AsyncPager[OffsetPage, VisCallEvent]:
        """Events, a page of `size` at a time (`offset` 0, 1, ...) until a short page;
        iterate for events, `.pages()` for pages. `states` is any of VisCallState's values;
        `from_date`/`to_date` are passed as VIS takes them (it does not say their unit)."""
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f"size must be a whole number from 1, not {size!r}")
        if sort is not None and not (isinstance(sort, str) and 0 < len(sort) <= 64):
            raise ValueError("sort must be a property name of 1 to 64 characters")
        c = self._client
        first = list_url(
            c.vis_base_url,
            "/self/events",
            direction=None if direction is None else one_of(direction, DIRECTIONS, "direction"),
            states=states_filter(states, LIST_STATES),
            fromDate=instant(from_date, "from_date"),
            toDate=instant(to_date, "to_date"),
            order=None if order is None else one_of(order, ("ASC", "DESC"), "order"),
            sort=sort,
            size=size,
        )
        return AsyncPager(
            first,
            lambda url: self._page(url, size),
            lambda page: [vis_event(event) for event in page.items],
            lambda uri: uri,
            # An event seen before is the same in every field; a repeated page brings none new.
            lambda event: event,
        )

    async def _page(self, url: str, size: int) -> OffsetPage:
        return offset_page_from(await fetch(self._client, url), EventModel, size)

    async def count(
        self,
        *,
        direction: Direction | None = None,
        states: Iterable[str] | None = None,
        from_date: int | None = None,
        to_date: int | None = None,
    ) -> int:
        """How many events match; `states` only of a call in progress (as VIS documents)."""
        # Checked before the call: a ValueError inside it would read as a bad answer.
        chosen = states_filter(states, COUNT_STATES)
        since, until = instant(from_date, "from_date"), instant(to_date, "to_date")
        way = (
            None if direction is None else CallDirection(one_of(direction, DIRECTIONS, "direction"))
        )
        c = self._client
        result: EventsCount = await self._send(
            lambda: count_events.asyncio_detailed(
                client=c.vis_api,
                from_date=UNSET if since is None else since,
                to_date=UNSET if until is None else until,
                direction=UNSET if way is None else way,
                states=UNSET if chosen is None else chosen,
            )
        )
        return result.count

    async def get(self, event_id: str) -> VisCallEvent:
        """One event (VIS answers it as an array of one)."""
        event_id = path_segment(event_id, "event_id")
        c = self._client
        result: list[EventModel] = await self._send(
            lambda: get_event.asyncio_detailed(event_id, client=c.vis_api)
        )
        if not result:
            raise APIResponseValidationError(f"VIS answered no event for {event_id!r}")
        return vis_event(result[0])
