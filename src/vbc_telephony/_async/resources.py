"""client.calls, client.calls.legs and client.devices.

Each method builds its body with `_actions`, runs the generated endpoint function under the
call's options (retry policy, whether a repeat is safe), and returns the generated model, or
for calls and legs the one view of them that `_views` gives whichever form the service sent.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Hashable, Mapping
from datetime import UTC, datetime
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Literal

import attrs
import httpx

from vbc_telephony import _actions as actions
from vbc_telephony._async.pager import AsyncPager
from vbc_telephony._base import checked, created_call_id, path_segment
from vbc_telephony._errors import UNUSABLE, translate
from vbc_telephony._listing import call_views, devices_of, list_url, page_from
from vbc_telephony._placement import Placement, poll_delays
from vbc_telephony._retry import call_options
from vbc_telephony._views import Call as CallView
from vbc_telephony._views import Leg
from vbc_telephony_api.api.call import delete_call, get_call, update_call
from vbc_telephony_api.api.call_leg import (
    delete_call_leg,
    get_call_leg,
    list_call_legs,
    update_call_leg,
)
from vbc_telephony_api.api.device_registration import get_device
from vbc_telephony_api.models import (
    AnswerCall,
    CallActionResult,
    CallLeg,
    CallPage,
    CreateCallRequest,
    Device,
    DevicePage,
    LegActionResult,
    ParkCall,
    TransferCall,
)

if TYPE_CHECKING:
    from vbc_telephony._async.client import AsyncTelephony
    from vbc_telephony._async.watch import AsyncCallWatcher

Order = Literal["asc", "desc"]
CallUpdate = AnswerCall | ParkCall | TransferCall


async def parsed(call: Callable[[], Awaitable[Any]], empty: bool = False) -> Any:
    """Run a generated `*_detailed` call and return what it parsed (None only where an empty
    answer is documented, `empty=True`)."""
    try:
        response = await call()
    except UNUSABLE as error:
        raise translate(error) from error
    return checked(response, empty)


async def fetch(client: AsyncTelephony, url: str) -> httpx.Response:
    """GET an absolute URL (a page) under the client's options; errors typed."""
    with call_options(client.options):
        try:
            return await client.http.get(url)
        except UNUSABLE as error:
            raise translate(error) from error


async def fetch_page(client: AsyncTelephony, url: str, model: Any, field: str) -> Any:
    return page_from(await fetch(client, url), model, field)


@attrs.define
class AsyncResource:
    """What every resource does around a request: the call's options, parsing, paging."""

    _client: AsyncTelephony

    async def _send(self, call: Any, repeatable: bool | None = None, empty: bool = False) -> Any:
        with call_options(attrs.evolve(self._client.options, repeatable=repeatable)):
            return await parsed(call, empty)

    def _pager(
        self,
        path: str,
        model: Any,
        field: str,
        items: Callable[[Any], list[Any]],
        key: Callable[[Any], Hashable],
        **filters: Any,
    ) -> Any:
        c = self._client
        return AsyncPager(
            list_url(c.base_url, f"/{path.format(account_id=c.account_id)}", **filters),
            lambda url: fetch_page(c, url, model, field),
            items,
            c.page_url,
            key,
        )


@attrs.define
class AsyncLegs(AsyncResource):
    async def list(self, call_id: str) -> list[Leg]:
        call_id = path_segment(call_id, "call_id")
        c = self._client
        result: list[CallLeg] = await self._send(
            lambda: list_call_legs.asyncio_detailed(c.account_id, call_id, client=c.api)
        )
        return [Leg(leg) for leg in result]

    async def get(self, call_id: str, leg_id: str) -> Leg:
        call_id = path_segment(call_id, "call_id")
        leg_id = path_segment(leg_id, "leg_id")
        c = self._client
        result: CallLeg = await self._send(
            lambda: get_call_leg.asyncio_detailed(c.account_id, call_id, leg_id, client=c.api)
        )
        return Leg(result)

    async def update(self, call_id: str, leg_id: str, action: actions.LegAction) -> LegActionResult:
        """Send any leg action (see the `_actions` builders, or the generated models)."""
        call_id = path_segment(call_id, "call_id")
        leg_id = path_segment(leg_id, "leg_id")
        c = self._client
        result: LegActionResult = await self._send(
            lambda: update_call_leg.asyncio_detailed(
                c.account_id, call_id, leg_id, client=c.api, body=action
            ),
            repeatable=False if isinstance(action, actions.UNREPEATABLE) else None,
        )
        return result

    async def drop(self, call_id: str, leg_id: str) -> None:
        """Drop this party; the call ends when fewer than two remain."""
        call_id = path_segment(call_id, "call_id")
        leg_id = path_segment(leg_id, "leg_id")
        c = self._client
        await self._send(
            lambda: delete_call_leg.asyncio_detailed(c.account_id, call_id, leg_id, client=c.api),
            empty=True,
        )

    async def hold(self, call_id: str, leg_id: str) -> LegActionResult:
        return await self.update(call_id, leg_id, actions.hold())

    async def unhold(self, call_id: str, leg_id: str) -> LegActionResult:
        return await self.update(call_id, leg_id, actions.unhold())

    async def answer(self, call_id: str, leg_id: str) -> LegActionResult:
        return await self.update(call_id, leg_id, actions.answer_leg())

    async def send_dtmf(self, call_id: str, leg_id: str, digits: str) -> LegActionResult:
        return await self.update(call_id, leg_id, actions.dtmf(digits))

    async def play(self, call_id: str, leg_id: str, url: str) -> LegActionResult:
        return await self.update(call_id, leg_id, actions.play(url))

    async def stop_playing(self, call_id: str, leg_id: str) -> LegActionResult:
        return await self.update(call_id, leg_id, actions.stop_playing())

    async def transfer(
        self, call_id: str, leg_id: str, to: str | int, to_type: actions.PartyType = "extension"
    ) -> LegActionResult:
        """Blind transfer: this leg's party is connected to `to` without consulting them."""
        return await self.update(call_id, leg_id, actions.blind_transfer(to, to_type))

    async def transfer_to_leg(
        self, call_id: str, leg_id: str, other_leg_id: str
    ) -> LegActionResult:
        """Attended transfer: join this leg's party to another active leg."""
        return await self.update(call_id, leg_id, actions.attended_transfer(other_leg_id))

    async def start_recording(
        self, call_id: str, leg_id: str, service: actions.Recording = "ccr"
    ) -> LegActionResult:
        return await self.update(call_id, leg_id, actions.start_recording(service))

    async def stop_recording(
        self, call_id: str, leg_id: str, service: actions.Recording = "ccr"
    ) -> LegActionResult:
        return await self.update(call_id, leg_id, actions.stop_recording(service))


@attrs.define
class AsyncCalls(AsyncResource):
    legs: AsyncLegs = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.legs = AsyncLegs(self._client)

    def list(
        self,
        *,
        page_size: int = 100,
        order: Order | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        extension: str | None = None,
    ) -> AsyncPager[CallPage, CallView]:
        """Active calls, newest first by default: iterate for calls, `.pages()` for pages."""
        pager: AsyncPager[CallPage, CallView] = self._pager(
            "cc/accounts/{account_id}/calls",
            CallPage,
            "calls",
            call_views,
            attrgetter("call_id"),
            extension=extension,
            page_size=page_size,
            order=order,
            start_time=start_time,
            end_time=end_time,
        )
        return pager

    async def get(self, call_id: str) -> CallView:
        call_id = path_segment(call_id, "call_id")
        c = self._client
        result = await self._send(
            lambda: get_call.asyncio_detailed(c.account_id, call_id, client=c.api)
        )
        return CallView(result)

    def watch(
        self,
        *,
        interval: float = 2.0,
        extension: str | int | None = None,
        state: Mapping[str, Any] | None = None,
        page_size: int = 100,
        max_backoff: float = 300.0,
        requests_per_minute: float | None = None,
    ) -> AsyncCallWatcher:
        """Follow the calls as they change: iterate for CallEvents (`started`, `changed`,
        `ended`), looking at the calls list every `interval` seconds, backing off on errors
        up to `max_backoff` seconds, and, with `requests_per_minute` (your token's quota),
        never faster than that. `extension=` follows one extension's calls; `state=` a
        watcher's saved `state` resumes it. See docs/guides/watch.md."""
        # Imported here: the watcher reads pages with this module's fetch_page.
        from vbc_telephony._async.watch import AsyncCallWatcher

        return AsyncCallWatcher(
            self._client,
            interval=interval,
            extension=None if extension is None else str(extension),
            state=state,
            page_size=page_size,
            max_backoff=max_backoff,
            requests_per_minute=requests_per_minute,
        )

    async def create(
        self, body: CreateCallRequest, *, retry_create: bool = False, confirm_timeout: float = 10.0
    ) -> str:
        """Place a call; returns its id. Not retried once the request may have reached the
        service (a retry could dial twice) unless `retry_create=True`.

        When the service accepts the call without saying its id (observed: 202, no body),
        the calls list is searched for it for up to `confirm_timeout` seconds; if it does not
        appear, CallNotConfirmedError says that it may have been placed. Never dials twice."""
        c = self._client
        sent_at = datetime.now(UTC)
        with call_options(attrs.evolve(c.options, repeatable=retry_create)):
            try:
                response = await c.http.post(
                    f"/cc/accounts/{c.account_id}/calls", json=body.to_dict()
                )
            except Exception as error:
                raise translate(error) from error
        call_id = created_call_id(response)
        if call_id is not None:
            return call_id
        placement, started = Placement.of(body, response, sent_at), time.monotonic()
        for delay in poll_delays(confirm_timeout):
            await c.sleep(delay)
            found = placement.pick([call async for call in self.list(order="desc")], c.claimed)
            if found is not None:
                return found
        raise placement.not_found(time.monotonic() - started)

    async def dial(
        self,
        to: str | int,
        *,
        from_: str | int,
        to_type: Literal["extension", "device", "pstn", "feature_code"] = "pstn",
        from_type: Literal["extension", "device", "feature_code"] = "extension",
        kind: Literal["click2dial", "click2dialme", "odr", "default"] = "click2dial",
        retry_create: bool = False,
        confirm_timeout: float = 10.0,
    ) -> str:
        """Click-to-dial: ring `from_` (an extension by default), then call `to`; returns the
        call's id (see `create` for a service that answers without one)."""
        return await self.create(
            actions.dial(to, from_, to_type, from_type, kind),
            retry_create=retry_create,
            confirm_timeout=confirm_timeout,
        )

    async def update(self, call_id: str, body: CallUpdate) -> CallActionResult:
        call_id = path_segment(call_id, "call_id")
        c = self._client
        result: CallActionResult = await self._send(
            lambda: update_call.asyncio_detailed(c.account_id, call_id, client=c.api, body=body),
            repeatable=False if isinstance(body, actions.UNREPEATABLE) else None,
        )
        return result

    async def answer(self, call_id: str, device: str) -> CallActionResult:
        """Answer a ringing (or pick up a parked) call on a device, by its VH id."""
        return await self.update(call_id, actions.answer_call(device))

    async def park(
        self, call_id: str, by: str | int, by_type: actions.PartyType = "extension"
    ) -> CallActionResult:
        return await self.update(call_id, actions.park(by, by_type))

    async def transfer(
        self,
        call_id: str,
        *,
        from_: str | int,
        to: str | int,
        from_type: actions.PartyType = "extension",
        to_type: actions.PartyType = "extension",
    ) -> CallActionResult:
        return await self.update(call_id, actions.transfer_call(from_, to, from_type, to_type))

    async def hangup(self, call_id: str) -> CallActionResult:
        """Hang up every leg; the call then answers 404."""
        call_id = path_segment(call_id, "call_id")
        c = self._client
        result: CallActionResult = await self._send(
            lambda: delete_call.asyncio_detailed(c.account_id, call_id, client=c.api)
        )
        return result

    delete = hangup


@attrs.define
class AsyncDevices(AsyncResource):
    def list(
        self,
        *,
        page_size: int = 100,
        order: Order | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
    ) -> AsyncPager[DevicePage, Device]:
        pager: AsyncPager[DevicePage, Device] = self._pager(
            "registration/accounts/{account_id}/devices",
            DevicePage,
            "devices",
            devices_of,
            attrgetter("mac_address"),
            page_size=page_size,
            order=order,
            start_time=start_time,
            end_time=end_time,
        )
        return pager

    async def get(self, mac_address: str) -> Device:
        mac_address = path_segment(mac_address, "mac_address")
        c = self._client
        result: Device = await self._send(
            lambda: get_device.asyncio_detailed(c.account_id, mac_address, client=c.api)
        )
        return result
