"""The SDK reads both dialects into one view, walks lists that never say stop to their end,
and finds a call placed by an answer without an id, never dialling twice. The service's
answers here are the ones third-party clients recorded (tests/fixtures/live_evidence.py),
served through httpx's MockTransport."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from tests.fixtures import live_evidence as evidence
from vbc_telephony import AsyncTelephony, CallNotConfirmedError, Telephony, _placement
from vbc_telephony._views import as_datetime
from vbc_telephony_api.models import Call as CallModel
from vbc_telephony_api.models import CallStatus, Direction

BASE = "http://127.0.0.1:9/t/vbc.prod/telephony/v3"
Handler = Callable[[httpx.Request], httpx.Response]


def client_for(handler: Handler) -> Telephony:
    return Telephony(
        account_id=1234, token="t", base_url=BASE, transport=httpx.MockTransport(handler)
    )


def serving(pages: dict[str, Any], seen: list[str]) -> Handler:
    """Answer GETs by path and query (the first page is the one without `page`)."""

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        for key, body in pages.items():
            if str(request.url).endswith(key):
                return httpx.Response(200, json=body)
        return httpx.Response(404, json={"code": "404", "message": "no such page"})

    return handle


# ------------------------------------------------------------------ one view of a call


def test_the_observed_and_the_documented_call_read_the_same() -> None:
    observed = client_for(lambda _: httpx.Response(200, json=evidence.CRM_PANEL_CALL))
    documented = client_for(lambda _: httpx.Response(200, json=evidence.DOCUMENTED_CALL))
    a, b = observed.calls.get(evidence.CALL_ID), documented.calls.get(evidence.CALL_ID)
    for call in (a, b):
        assert call.call_id == evidence.CALL_ID and call.account_id == "1234"
        assert (call.from_, call.to) == ("1001", "15551234567")
        assert call.status is CallStatus.ON_CALL and call.direction is Direction.OUTBOUND
        assert call.start_time is not None and call.start_time.tzinfo is UTC
        assert call.start_time.replace(microsecond=0) == datetime.fromtimestamp(1790293069, UTC)
        assert call.end_time is None  # "0" in the observed form, absent in the documented
        assert [leg.leg_id for leg in call.legs] == [evidence.OUR_LEG, evidence.PSTN_LEG]
        assert [leg.status for leg in call.legs] == [CallStatus.ON_CALL, CallStatus.RINGING]
    # What only the observed form carries is there when it came, and None when it did not.
    ours, outside = a.legs
    assert (ours.device, ours.extension, outside.device, outside.is_outside) == (
        "VH1111111",
        "1001",
        "pstn",
        True,
    )
    assert ours.answer_time == datetime.fromtimestamp(1790293072, UTC)
    assert outside.answer_time is None and (a.from_name, a.to_name) == (
        "Alice Example",
        "Outbound Call",
    )
    assert b.legs[0].device is None and b.from_name is None
    assert a.to_dict()["legs"][1]["device"] == "pstn" and b.to_dict()["from"] == "1001"


@pytest.mark.parametrize(("text", "seconds"), evidence.TIME_WIDTHS.items())
def test_epoch_times_of_every_width_read_as_the_same_kind_of_datetime(
    text: str, seconds: float
) -> None:
    expected = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
    for value in (text, int(text)):
        moment = as_datetime(value)
        assert moment is not None and moment.tzinfo is UTC
        assert abs((moment - expected).total_seconds()) < 1e-3


@pytest.mark.parametrize("unset", ["0", 0, "", None, "not a time", float("nan"), True])
def test_unset_and_unreadable_times_are_none(unset: Any) -> None:
    assert as_datetime(unset) is None


def test_iso_times_with_and_without_a_zone_are_utc_aware() -> None:
    assert as_datetime("2026-09-24T16:10:06.000+00:00") == datetime(
        2026, 9, 24, 16, 10, 6, tzinfo=UTC
    )
    # The Reports API's zoneless form means UTC (resuldeger/crmnewpanel2 time.ts).
    assert as_datetime("2026-09-24 22:33:18") == datetime(2026, 9, 24, 22, 33, 18, tzinfo=UTC)


def test_the_generated_model_parses_the_live_call_and_keeps_every_field() -> None:
    model = CallModel.from_dict(evidence.CRM_PANEL_CALL)
    assert model.to_dict() == evidence.CRM_PANEL_CALL
    assert model.additional_properties == {}


# ------------------------------------------------------------------ lists that end


def test_the_vendors_one_page_calls_example_ends_after_one_request() -> None:
    seen: list[str] = []
    client = client_for(
        serving(
            {
                "/calls?page_size=100": evidence.VENDOR_CALL_PAGE,
                "/calls?page_size=0&order=desc": evidence.VENDOR_CALL_PAGE,
            },
            seen,
        )
    )
    calls = list(client.calls.list())
    assert [call.call_id for call in calls] == ["3fa85f64-5717-4562-b3fc-2c963f66afa6"]
    assert len(seen) == 1


def test_the_vendors_devices_example_ends_on_a_uri_it_has_read() -> None:
    seen: list[str] = []
    page = evidence.VENDOR_DEVICE_PAGE
    client = client_for(
        serving({"/devices?page_size=100": page, "/devices?page_size=100&order=desc": page}, seen)
    )
    devices = list(client.devices.list())
    assert [device.mac_address for device in devices] == ["79-5C-7D-28-1B-B3"]
    # Page 1 of 2 names itself as the next page: the walk does not read it again.
    assert len(seen) == 1


def page(
    calls: list[dict[str, Any]], current: Any, pages: Any, next_uri: str | None
) -> dict[str, Any]:
    return {"calls": calls, "current_page": current, "pages": pages, "next_page_uri": next_uri}


def call(number: int) -> dict[str, Any]:
    return {**evidence.DOCUMENTED_CALL, "call_id": f"call-{number}", "legs": []}


def test_a_walk_stops_on_a_uri_it_has_already_fetched() -> None:
    seen: list[str] = []
    client = client_for(
        serving(
            {
                "/calls?page_size=100": {
                    "calls": [call(1)],
                    "next_page_uri": "/cc/accounts/1234/calls?p=2",
                },
                "/calls?p=2": {
                    "calls": [call(2)],
                    "next_page_uri": "/cc/accounts/1234/calls?page_size=100",
                },
            },
            seen,
        )
    )
    assert [c.call_id for c in client.calls.list()] == ["call-1", "call-2"]
    assert len(seen) == 2


def test_a_walk_stops_on_an_empty_page() -> None:
    seen: list[str] = []
    client = client_for(
        serving(
            {
                "/calls?page_size=100": page([call(1)], 1, 9, "/cc/accounts/1234/calls?p=2"),
                "/calls?p=2": page([], 2, 9, "/cc/accounts/1234/calls?p=3"),
            },
            seen,
        )
    )
    assert [c.call_id for c in client.calls.list()] == ["call-1"]
    assert len(seen) == 2


@pytest.mark.parametrize(("first", "pages"), [(1, "2"), (0, 2), ("1", "2")])
def test_a_walk_stops_when_the_counters_say_last_page_counting_from_0_or_1(
    first: Any, pages: Any
) -> None:
    second = int(first) + 1
    seen: list[str] = []
    client = client_for(
        serving(
            {
                "/calls?page_size=100": page(
                    [call(1)], first, pages, "/cc/accounts/1234/calls?p=2"
                ),
                "/calls?p=2": page(
                    [call(2)],
                    type(first)(second) if isinstance(first, str) else second,
                    pages,
                    "/cc/accounts/1234/calls?p=3",
                ),
                "/calls?p=3": page([call(3)], second + 1, pages, None),
            },
            seen,
        )
    )
    assert [c.call_id for c in client.calls.list()] == ["call-1", "call-2"]
    assert len(seen) == 2


def test_a_bare_array_of_calls_reads_as_one_page() -> None:
    seen: list[str] = []
    client = client_for(serving({"/calls?page_size=100": evidence.CRM_PANEL_LIST_AS_ARRAY}, seen))
    assert [c.from_ for c in client.calls.list()] == ["1001"]


def test_async_walks_end_the_same_way() -> None:
    seen: list[str] = []
    handler = serving({"/calls?page_size=100": evidence.VENDOR_CALL_PAGE}, seen)

    async def main() -> list[str]:
        async with AsyncTelephony(
            account_id=1234, token="t", base_url=BASE, transport=httpx.MockTransport(handler)
        ) as client:
            return [c.call_id async for c in client.calls.list()]

    assert asyncio.run(main()) == ["3fa85f64-5717-4562-b3fc-2c963f66afa6"]
    assert len(seen) == 1


# ------------------------------------------------------------------ dial() without an id


class Tenant:
    """A live tenant as Vacademy-io/vacademy_platform found it: click2dial answers 202 with
    no id; the call appears in the calls list a moment later."""

    def __init__(self, listed_after: int = 1, extra: list[dict[str, Any]] | None = None) -> None:
        self.posts: list[dict[str, Any]] = []
        self.lists = 0
        self.listed_after = listed_after
        self.placed: list[dict[str, Any]] = list(extra or [])
        self.now = datetime.now(UTC)

    def observed_call(
        self, call_id: str, started: datetime, to: str = "15551234567"
    ) -> dict[str, Any]:
        micros = str(int(started.timestamp() * 1_000_000))
        return {
            **evidence.CRM_PANEL_CALL,
            "call_id": call_id,
            "start_time": micros,
            "to_number": to,
            "leg_map": {},
        }

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            self.posts.append(json.loads(request.content))
            self.placed.append(self.observed_call(f"placed-{len(self.posts)}", self.now))
            return httpx.Response(
                202,
                text="",
                headers={
                    "Content-Type": "text/plain",
                    "Date": format_datetime(self.now, usegmt=True),
                },
            )
        self.lists += 1
        visible = self.placed if self.lists >= self.listed_after else []
        return httpx.Response(200, json={"calls": visible})


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_placement, "POLL_DELAYS", (0.01, 0.01, 0.01, 0.01))


def test_dial_finds_the_call_an_answer_without_id_placed_and_dials_once() -> None:
    tenant = Tenant(listed_after=2)
    earlier = tenant.observed_call("earlier-call", tenant.now - timedelta(minutes=5))
    elsewhere = tenant.observed_call("other-number", tenant.now, to="15559999999")
    tenant.placed += [earlier, elsewhere]
    client = client_for(tenant)
    assert client.calls.dial("15551234567", from_="1001") == "placed-1"
    assert tenant.posts == [evidence.VACADEMY_CLICK2DIAL] and tenant.lists == 2


def test_two_calls_between_the_same_parties_get_their_own_ids() -> None:
    tenant = Tenant()
    client = client_for(tenant)
    first = client.calls.dial("15551234567", from_="1001")
    second = client.calls.dial("+1 555 123 4567", from_="1001")  # the same number, written apart
    assert {first, second} == {"placed-1", "placed-2"}


def test_a_call_that_never_shows_up_raises_and_is_not_dialled_again() -> None:
    tenant = Tenant(listed_after=10**6)
    client = client_for(tenant)
    with pytest.raises(CallNotConfirmedError, match="may have been placed"):
        client.calls.dial("15551234567", from_="1001", confirm_timeout=1.0)
    assert len(tenant.posts) == 1 and tenant.lists == 4


def test_async_dial_finds_its_call_too() -> None:
    tenant = Tenant(listed_after=2)

    async def main() -> str:
        async with AsyncTelephony(
            account_id=1234, token="t", base_url=BASE, transport=httpx.MockTransport(tenant)
        ) as client:
            return await client.calls.dial("15551234567", from_="1001")

    assert asyncio.run(main()) == "placed-1" and len(tenant.posts) == 1
