# Written by scripts/unasync.py from resources.py: edit that file, then run `make generate`.
"""client.calls, client.calls.legs and client.devices.

Each method builds its body with `_actions`, runs the generated endpoint function under the
call's options (retry policy, whether a repeat is safe), and returns the generated model, or
for calls and legs the one view of them that `_views` gives whichever form the service sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Mapping
from datetime import UTC, datetime
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Literal

import attrs
import httpx

from vbc_telephony import _actions as actions
from vbc_telephony._base import checked, created_call_id, path_segment
from vbc_telephony._errors import UNUSABLE, translate
from vbc_telephony._listing import call_views, devices_of, list_url, page_from
from vbc_telephony._placement import Placement, poll_delays
from vbc_telephony._retry import call_options
from vbc_telephony._sync.pager import Pager
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
    from vbc_telephony._sync.client import Telephony
    from vbc_telephony._sync.watch import CallWatcher

Order = Literal["asc", "desc"]
CallUpdate = AnswerCall | ParkCall | TransferCall


def parsed(call: Callable[[], Any], empty: bool = False) -> Any:
    """Run a generated `*_detailed` call and return what it parsed (None only where an empty
    answer is documented, `empty=True`)."""
    try:
        response = call()
    except UNUSABLE as error:
        raise translate(error) from error
    return checked(response, empty)


def fetch(client: Telephony, url: str) -> httpx.Response:
    """GET an absolute URL (a page) under the client's options; errors typed."""
    with call_options(client.options):
        try:
            return client.http.get(url)
        except UNUSABLE as error:
            raise translate(error) from error


def fetch_page(client: Telephony, url: str, model: Any, field: str) -> Any:
    return page_from(fetch(client, url), model, field)


@attrs.define
class Resource:
    """What every resource does around a request: the call's options, parsing, paging."""

    _client: Telephony

    def _send(self, call: Any, repeatable: bool | None = None, empty: bool = False) -> Any:
        with call_options(attrs.evolve(self._client.options, repeatable=repeatable)):
            return parsed(call, empty)

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
        return Pager(
            list_url(c.base_url, f"/{path.format(account_id=c.account_id)}", **filters),
            lambda url: fetch_page(c, url, model, field),
            items,
            c.page_url,
            key,
        )


@attrs.define
class Legs(Resource):
    def list(self, call_id: str) -> list[Leg]:
        call_id = path_segment(call_id, "call_id")
        c = self._client
        result: list[CallLeg] = self._send(
            lambda: list_call_legs.sync_detailed(c.account_id, call_id, client=c.api)
        )
        return [Leg(leg) for leg in result]

    def get(self, call_id: str, leg_id: str) -> Leg:
        call_id = path_segment(call_id, "call_id")
        leg_id = path_segment(leg_id, "leg_id")
        c = self._client
        result: CallLeg = self._send(
            lambda: get_call_leg.sync_detailed(c.account_id, call_id, leg_id, client=c.api)
        )
        return Leg(result)

    def update(self, call_id: str, leg_id: str, action: actions.LegAction) -> LegActionResult:
        """Send any leg action (see the `_actions` builders, or the generated models)."""
        call_id = path_segment(call_id, "call_id")
        leg_id = path_segment(leg_id, "leg_id")
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
        call_id = path_segment(call_id, "call_id")
        leg_id = path_segment(leg_id, "leg_id")
        c = self._client
        self._send(
            lambda: delete_call_leg.sync_detailed(c.account_id, call_id, leg_id, client=c.api),
            empty=True,
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
class Calls(Resource):
    legs: Legs = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.legs = Legs(self._client)

    def list(
        self,
        *,
        page_size: int = 100,
        order: Order | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        extension: str | None = None,
    ) -> Pager[CallPage, CallView]:
        """Active calls, newest first by default: iterate for calls, `.pages()` for pages."""
        pager: Pager[CallPage, CallView] = self._pager(
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

    def get(self, call_id: str) -> CallView:
        call_id = path_segment(call_id, "call_id")
        c = self._client
        result = self._send(lambda: get_call.sync_detailed(c.account_id, call_id, client=c.api))
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
    ) -> CallWatcher:
        """Follow the calls as they change: iterate for CallEvents (`started`, `changed`,
        `ended`), looking at the calls list every `interval` seconds, backing off on errors
        up to `max_backoff` seconds, and, with `requests_per_minute` (your token's quota),
        never faster than that. `extension=` follows one extension's calls; `state=` a
        watcher's saved `state` resumes it. See docs/guides/watch.md."""
        # Imported here: the watcher reads pages with this module's fetch_page.
        from vbc_telephony._sync.watch import CallWatcher

        return CallWatcher(
            self._client,
            interval=interval,
            extension=None if extension is None else str(extension),
            state=state,
            page_size=page_size,
            max_backoff=max_backoff,
            requests_per_minute=requests_per_minute,
        )

    def create(
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
                response = c.http.post(f"/cc/accounts/{c.account_id}/calls", json=body.to_dict())
            except Exception as error:
                raise translate(error) from error
        call_id = created_call_id(response)
        if call_id is not None:
            return call_id
        placement, started = Placement.of(body, response, sent_at), time.monotonic()
        for delay in poll_delays(confirm_timeout):
            c.sleep(delay)
            found = placement.pick([call for call in self.list(order="desc")], c.claimed)
            if found is not None:
                return found
        raise placement.not_found(time.monotonic() - started)

    def dial(
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
        return self.create(
            actions.dial(to, from_, to_type, from_type, kind),
            retry_create=retry_create,
            confirm_timeout=confirm_timeout,
        )

    def update(self, call_id: str, body: CallUpdate) -> CallActionResult:
        call_id = path_segment(call_id, "call_id")
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
        call_id = path_segment(call_id, "call_id")
        c = self._client
        result: CallActionResult = self._send(
            lambda: delete_call.sync_detailed(c.account_id, call_id, client=c.api)
        )
        return result

    delete = hangup


@attrs.define
class Devices(Resource):
    def list(
        self,
        *,
        page_size: int = 100,
        order: Order | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
    ) -> Pager[DevicePage, Device]:
        pager: Pager[DevicePage, Device] = self._pager(
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

    def get(self, mac_address: str) -> Device:
        mac_address = path_segment(mac_address, "mac_address")
        c = self._client
        result: Device = self._send(
            lambda: get_device.sync_detailed(c.account_id, mac_address, client=c.api)
        )
        return result
