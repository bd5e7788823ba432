"""client.calls, client.calls.legs and client.devices, sync and async.

Each method builds its body with `_actions`, runs the generated endpoint function under the
call's options (retry policy, whether a repeat is safe), and returns the generated model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import attrs
import httpx

from vbc_telephony import _actions as actions
from vbc_telephony._base import aparsed, created_call_id, page_url, parsed, translate
from vbc_telephony._pagination import AsyncPager, Pager, listed
from vbc_telephony._retry import call_options
from vbc_telephony_api.api.call import delete_call, get_call, list_calls, update_call
from vbc_telephony_api.api.call_leg import (
    delete_call_leg,
    get_call_leg,
    list_call_legs,
    update_call_leg,
)
from vbc_telephony_api.api.device_registration import get_device, list_devices
from vbc_telephony_api.models import (
    AnswerCall,
    Call,
    CallActionResult,
    CallLeg,
    CallPage,
    CreateCallRequest,
    Device,
    DevicePage,
    LegActionResult,
    ListCallsOrder,
    ListDevicesOrder,
    ParkCall,
    TransferCall,
)
from vbc_telephony_api.types import UNSET

if TYPE_CHECKING:
    from vbc_telephony._client import AsyncTelephony, Telephony

Order = Literal["asc", "desc"]
CallUpdate = AnswerCall | ParkCall | TransferCall


def list_filters(
    page_size: int,
    order: Order | None,
    start_time: int | None,
    end_time: int | None,
    order_type: type[ListCallsOrder] | type[ListDevicesOrder],
) -> dict[str, Any]:
    """Keyword arguments for a generated list function, unset where the caller gave none."""
    return {
        "page_size": page_size,
        "order": order_type(order) if order else UNSET,
        "start_time": UNSET if start_time is None else start_time,
        "end_time": UNSET if end_time is None else end_time,
    }


def page_from(response: httpx.Response, model: Any) -> Any:
    try:
        return model.from_dict(response.json())
    except (KeyError, TypeError, ValueError) as error:
        raise translate(error) from error


def fetch_page(client: Telephony, uri: str, model: Any) -> Any:
    """The page a `*_page_uri` points at, parsed as `model`."""
    with call_options(client.options):
        try:
            response = client.http.get(page_url(client.base_url, uri))
        except httpx.HTTPError as error:
            raise translate(error) from error
    return page_from(response, model)


async def afetch_page(client: AsyncTelephony, uri: str, model: Any) -> Any:
    with call_options(client.options):
        try:
            response = await client.http.get(page_url(client.base_url, uri))
        except httpx.HTTPError as error:
            raise translate(error) from error
    return page_from(response, model)


# ------------------------------------------------------------------------------- sync


@attrs.define
class Legs:
    _client: Telephony

    def _send(self, call: Any, repeatable: bool | None = None) -> Any:
        with call_options(attrs.evolve(self._client.options, repeatable=repeatable)):
            return parsed(call)

    def list(self, call_id: str) -> list[CallLeg]:
        c = self._client
        result: list[CallLeg] = self._send(
            lambda: list_call_legs.sync_detailed(c.account_id, call_id, client=c.api)
        )
        return result

    def get(self, call_id: str, leg_id: str) -> CallLeg:
        c = self._client
        result: CallLeg = self._send(
            lambda: get_call_leg.sync_detailed(c.account_id, call_id, leg_id, client=c.api)
        )
        return result

    def update(self, call_id: str, leg_id: str, action: actions.LegAction) -> LegActionResult:
        """Send any leg action (see the `_actions` builders, or the generated models)."""
        c = self._client
        result: LegActionResult = self._send(
            lambda: update_call_leg.sync_detailed(
                c.account_id, call_id, leg_id, client=c.api, body=action
            ),
            repeatable=False if isinstance(action, actions.UNREPEATABLE) else None,
        )
        return result

    def drop(self, call_id: str, leg_id: str) -> None:
        """Drop this party; the call ends when fewer than two remain."""
        c = self._client
        self._send(
            lambda: delete_call_leg.sync_detailed(c.account_id, call_id, leg_id, client=c.api)
        )

    def hold(self, call_id: str, leg_id: str) -> LegActionResult:
        return self.update(call_id, leg_id, actions.hold())

    def unhold(self, call_id: str, leg_id: str) -> LegActionResult:
        return self.update(call_id, leg_id, actions.unhold())

    def answer(self, call_id: str, leg_id: str) -> LegActionResult:
        return self.update(call_id, leg_id, actions.answer_leg())

    def send_dtmf(self, call_id: str, leg_id: str, digits: str) -> LegActionResult:
        return self.update(call_id, leg_id, actions.dtmf(digits))

    def play(self, call_id: str, leg_id: str, url: str) -> LegActionResult:
        return self.update(call_id, leg_id, actions.play(url))

    def stop_playing(self, call_id: str, leg_id: str) -> LegActionResult:
        return self.update(call_id, leg_id, actions.stop_playing())

    def transfer(
        self, call_id: str, leg_id: str, to: str | int, to_type: actions.PartyType = "extension"
    ) -> LegActionResult:
        """Blind transfer: this leg's party is connected to `to` without consulting them."""
        return self.update(call_id, leg_id, actions.blind_transfer(to, to_type))

    def transfer_to_leg(self, call_id: str, leg_id: str, other_leg_id: str) -> LegActionResult:
        """Attended transfer: join this leg's party to another active leg."""
        return self.update(call_id, leg_id, actions.attended_transfer(other_leg_id))

    def start_recording(
        self, call_id: str, leg_id: str, service: actions.Recording = "ccr"
    ) -> LegActionResult:
        return self.update(call_id, leg_id, actions.start_recording(service))

    def stop_recording(
        self, call_id: str, leg_id: str, service: actions.Recording = "ccr"
    ) -> LegActionResult:
        return self.update(call_id, leg_id, actions.stop_recording(service))


@attrs.define
class Calls:
    _client: Telephony
    legs: Legs = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.legs = Legs(self._client)

    def _send(self, call: Any, repeatable: bool | None = None) -> Any:
        with call_options(attrs.evolve(self._client.options, repeatable=repeatable)):
            return parsed(call)

    def list(
        self,
        *,
        page_size: int = 100,
        order: Order | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        extension: str | None = None,
    ) -> Pager[CallPage, Call]:
        """Active calls, newest first by default: iterate for calls, `.pages()` for pages."""
        c = self._client
        filters = list_filters(page_size, order, start_time, end_time, ListCallsOrder)
        ext = UNSET if extension is None else extension
        return Pager(
            lambda: self._send(
                lambda: list_calls.sync_detailed(
                    c.account_id, client=c.api, extension=ext, **filters
                )
            ),
            lambda uri: fetch_page(c, uri, CallPage),
            lambda page: listed(page, "calls"),
        )

    def get(self, call_id: str) -> Call:
        c = self._client
        result: Call = self._send(
            lambda: get_call.sync_detailed(c.account_id, call_id, client=c.api)
        )
        return result

    def create(self, body: CreateCallRequest, *, retry_create: bool = False) -> str:
        """Place a call; returns its id. Not retried once the request may have reached the
        service (a retry could dial twice) unless `retry_create=True`."""
        c = self._client
        with call_options(attrs.evolve(c.options, repeatable=retry_create)):
            try:
                response = c.http.post(f"/cc/accounts/{c.account_id}/calls", json=body.to_dict())
            except Exception as error:
                raise translate(error) from error
        return created_call_id(response)

    def dial(
        self,
        to: str | int,
        *,
        from_: str | int,
        to_type: Literal["extension", "device", "pstn", "feature_code"] = "pstn",
        from_type: Literal["extension", "device", "feature_code"] = "extension",
        kind: Literal["click2dial", "click2dialme", "odr", "default"] = "click2dial",
        retry_create: bool = False,
    ) -> str:
        """Click-to-dial: ring `from_` (an extension by default), then call `to`."""
        return self.create(
            actions.dial(to, from_, to_type, from_type, kind), retry_create=retry_create
        )

    def update(self, call_id: str, body: CallUpdate) -> CallActionResult:
        c = self._client
        result: CallActionResult = self._send(
            lambda: update_call.sync_detailed(c.account_id, call_id, client=c.api, body=body),
            repeatable=False if isinstance(body, actions.UNREPEATABLE) else None,
        )
        return result

    def answer(self, call_id: str, device: str) -> CallActionResult:
        """Answer a ringing (or pick up a parked) call on a device, by its VH id."""
        return self.update(call_id, actions.answer_call(device))

    def park(
        self, call_id: str, by: str | int, by_type: actions.PartyType = "extension"
    ) -> CallActionResult:
        return self.update(call_id, actions.park(by, by_type))

    def transfer(
        self,
        call_id: str,
        *,
        from_: str | int,
        to: str | int,
        from_type: actions.PartyType = "extension",
        to_type: actions.PartyType = "extension",
    ) -> CallActionResult:
        return self.update(call_id, actions.transfer_call(from_, to, from_type, to_type))

    def hangup(self, call_id: str) -> CallActionResult:
        """Hang up every leg; the call then answers 404."""
        c = self._client
        result: CallActionResult = self._send(
            lambda: delete_call.sync_detailed(c.account_id, call_id, client=c.api)
        )
        return result

    delete = hangup


@attrs.define
class Devices:
    _client: Telephony

    def _send(self, call: Any) -> Any:
        with call_options(self._client.options):
            return parsed(call)

    def list(
        self,
        *,
        page_size: int = 100,
        order: Order | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
    ) -> Pager[DevicePage, Device]:
        c = self._client
        filters = list_filters(page_size, order, start_time, end_time, ListDevicesOrder)
        return Pager(
            lambda: self._send(
                lambda: list_devices.sync_detailed(c.account_id, client=c.api, **filters)
            ),
            lambda uri: fetch_page(c, uri, DevicePage),
            lambda page: listed(page, "devices"),
        )

    def get(self, mac_address: str) -> Device:
        c = self._client
        result: Device = self._send(
            lambda: get_device.sync_detailed(c.account_id, mac_address, client=c.api)
        )
        return result


# ------------------------------------------------------------------------------ async


@attrs.define
class AsyncLegs:
    _client: AsyncTelephony

    async def _send(self, call: Any, repeatable: bool | None = None) -> Any:
        with call_options(attrs.evolve(self._client.options, repeatable=repeatable)):
            return await aparsed(call)

    async def list(self, call_id: str) -> list[CallLeg]:
        c = self._client
        result: list[CallLeg] = await self._send(
            lambda: list_call_legs.asyncio_detailed(c.account_id, call_id, client=c.api)
        )
        return result

    async def get(self, call_id: str, leg_id: str) -> CallLeg:
        c = self._client
        result: CallLeg = await self._send(
            lambda: get_call_leg.asyncio_detailed(c.account_id, call_id, leg_id, client=c.api)
        )
        return result

    async def update(self, call_id: str, leg_id: str, action: actions.LegAction) -> LegActionResult:
        c = self._client
        result: LegActionResult = await self._send(
            lambda: update_call_leg.asyncio_detailed(
                c.account_id, call_id, leg_id, client=c.api, body=action
            ),
            repeatable=False if isinstance(action, actions.UNREPEATABLE) else None,
        )
        return result

    async def drop(self, call_id: str, leg_id: str) -> None:
        c = self._client
        await self._send(
            lambda: delete_call_leg.asyncio_detailed(c.account_id, call_id, leg_id, client=c.api)
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
        return await self.update(call_id, leg_id, actions.blind_transfer(to, to_type))

    async def transfer_to_leg(
        self, call_id: str, leg_id: str, other_leg_id: str
    ) -> LegActionResult:
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
class AsyncCalls:
    _client: AsyncTelephony
    legs: AsyncLegs = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.legs = AsyncLegs(self._client)

    async def _send(self, call: Any, repeatable: bool | None = None) -> Any:
        with call_options(attrs.evolve(self._client.options, repeatable=repeatable)):
            return await aparsed(call)

    def list(
        self,
        *,
        page_size: int = 100,
        order: Order | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        extension: str | None = None,
    ) -> AsyncPager[CallPage, Call]:
        c = self._client
        filters = list_filters(page_size, order, start_time, end_time, ListCallsOrder)
        ext = UNSET if extension is None else extension
        return AsyncPager(
            lambda: self._send(
                lambda: list_calls.asyncio_detailed(
                    c.account_id, client=c.api, extension=ext, **filters
                )
            ),
            lambda uri: afetch_page(c, uri, CallPage),
            lambda page: listed(page, "calls"),
        )

    async def get(self, call_id: str) -> Call:
        c = self._client
        result: Call = await self._send(
            lambda: get_call.asyncio_detailed(c.account_id, call_id, client=c.api)
        )
        return result

    async def create(self, body: CreateCallRequest, *, retry_create: bool = False) -> str:
        c = self._client
        with call_options(attrs.evolve(c.options, repeatable=retry_create)):
            try:
                response = await c.http.post(
                    f"/cc/accounts/{c.account_id}/calls", json=body.to_dict()
                )
            except Exception as error:
                raise translate(error) from error
        return created_call_id(response)

    async def dial(
        self,
        to: str | int,
        *,
        from_: str | int,
        to_type: Literal["extension", "device", "pstn", "feature_code"] = "pstn",
        from_type: Literal["extension", "device", "feature_code"] = "extension",
        kind: Literal["click2dial", "click2dialme", "odr", "default"] = "click2dial",
        retry_create: bool = False,
    ) -> str:
        return await self.create(
            actions.dial(to, from_, to_type, from_type, kind), retry_create=retry_create
        )

    async def update(self, call_id: str, body: CallUpdate) -> CallActionResult:
        c = self._client
        result: CallActionResult = await self._send(
            lambda: update_call.asyncio_detailed(c.account_id, call_id, client=c.api, body=body),
            repeatable=False if isinstance(body, actions.UNREPEATABLE) else None,
        )
        return result

    async def answer(self, call_id: str, device: str) -> CallActionResult:
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
        c = self._client
        result: CallActionResult = await self._send(
            lambda: delete_call.asyncio_detailed(c.account_id, call_id, client=c.api)
        )
        return result

    delete = hangup


@attrs.define
class AsyncDevices:
    _client: AsyncTelephony

    async def _send(self, call: Any) -> Any:
        with call_options(self._client.options):
            return await aparsed(call)

    def list(
        self,
        *,
        page_size: int = 100,
        order: Order | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
    ) -> AsyncPager[DevicePage, Device]:
        c = self._client
        filters = list_filters(page_size, order, start_time, end_time, ListDevicesOrder)
        return AsyncPager(
            lambda: self._send(
                lambda: list_devices.asyncio_detailed(c.account_id, client=c.api, **filters)
            ),
            lambda uri: afetch_page(c, uri, DevicePage),
            lambda page: listed(page, "devices"),
        )

    async def get(self, mac_address: str) -> Device:
        c = self._client
        result: Device = await self._send(
            lambda: get_device.asyncio_detailed(c.account_id, mac_address, client=c.api)
        )
        return result
