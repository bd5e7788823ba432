"""calls.watch() under faults a real sandbox cannot produce on demand: a scripted calls list
behind an httpx MockTransport whose pages are cut from the calls active at each request, so
calls shift between pages as they do on a live list. Each rule of the guide "Follow calls
as they change" (docs/guides/watch.md) has a test here that fails when the rule is broken."""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections.abc import Callable, Iterator
from datetime import UTC
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from vbc_telephony import (
    APIResponseValidationError,
    AsyncTelephony,
    AuthenticationError,
    CallEvent,
    ServerError,
    Telephony,
)
from vbc_telephony._watching import ENDED_MEMORY, StateError

ORIGIN = "http://127.0.0.1:9"
BASE = f"{ORIGIN}/t/vbc.prod/telephony/v3"
LIST_PATH = "/t/vbc.prod/telephony/v3/cc/accounts/1234/calls"


CUSTOMER = 15551234567


def leg(call_id: str, leg_id: str, to: int, status: str) -> dict[str, Any]:
    return {
        "leg_id": leg_id,
        "call_id": call_id,
        "direction": "outbound",
        "to": to,
        "start_time": 1595959736,
        "status": status,
    }


def a_call(call_id: str, status: str = "on-call", **fields: Any) -> dict[str, Any]:
    return {
        "account_id": 1234,
        "call_id": call_id,
        "direction": "outbound",
        "from": 1001,
        "to": CUSTOMER,
        "start_time": 1595959736,
        "status": status,
        "legs": [
            leg(call_id, f"{call_id}-a", 1001, status),
            leg(call_id, f"{call_id}-b", CUSTOMER, status),
        ],
        **fields,
    }


Reply = httpx.Response | Exception


class FakeService:
    """The calls list of one account: `active` in list order, each page cut from it when
    asked; `faults` answer the next matching requests instead; `after_page[n]` runs once
    page n has been served (to end or start calls mid-walk)."""

    def __init__(self, *calls: str, page_size: int = 100) -> None:
        self.active: dict[str, dict[str, Any]] = {call_id: a_call(call_id) for call_id in calls}
        self.faults: list[tuple[str, Reply]] = []
        self.after_page: dict[int, Callable[[], None]] = {}
        self.page_override: dict[int, Callable[[int, int], dict[str, Any]]] = {}
        self.requests: list[httpx.Request] = []
        self.page_size = page_size

    def fault(self, kind: str, reply: Reply) -> None:
        """The next request of `kind` ("list" or "get") gets `reply`."""
        self.faults.append((kind, reply))

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        kind = "list" if path == LIST_PATH else "get"
        for index, (wanted, reply) in enumerate(self.faults):
            if wanted == kind:
                del self.faults[index]
                if isinstance(reply, Exception):
                    raise reply
                return reply
        if kind == "get":
            call = self.active.get(path.rsplit("/", 1)[1])
            if call is None:
                return httpx.Response(404, json={"code": "404", "message": "Call not found"})
            return httpx.Response(200, json=call)
        query = parse_qs(request.url.query.decode())
        page, size = int(query.get("page", ["1"])[0]), int(query["page_size"][0])
        body = self.page(page, size)
        hook = self.after_page.pop(page, None)
        if hook is not None:
            hook()
        return httpx.Response(200, json=body)

    def page(self, page: int, size: int) -> dict[str, Any]:
        if page in self.page_override:
            return self.page_override.pop(page)(page, size)
        calls = list(self.active.values())
        pages = max(1, math.ceil(len(calls) / size))
        return {
            "calls": calls[(page - 1) * size : page * size],
            "current_page": page,
            "pages": pages,
            "page_size": size,
            "next_page_uri": self.uri(page + 1, size) if page < pages else None,
        }

    @staticmethod
    def uri(page: int, size: int) -> str:
        return f"/cc/accounts/1234/calls?page_size={size}&order=asc&page={page}"

    def gets(self) -> list[str]:
        return [r.url.path.rsplit("/", 1)[1] for r in self.requests if r.url.path != LIST_PATH]


def client_for(service: FakeService, **options: Any) -> Telephony:
    return Telephony(
        account_id=1234,
        token="token",
        base_url=BASE,
        transport=httpx.MockTransport(service.handler),
        sleep=options.pop("sleep", lambda seconds: None),
        **options,
    )


def kinds(events: Any) -> list[tuple[str, str]]:
    return [(event.type, event.call_id) for event in events]


class Enough(Exception):
    """Raised by a test's sleep to stop a watcher after some looks."""


def run_looks(
    service: FakeService,
    looks: int,
    between: dict[int, Callable[[], None]] | None = None,
    **options: Any,
) -> tuple[list[CallEvent], list[float], list[int]]:
    """Iterate a watcher for `looks` looks: its events, the waits it asked for, and the
    requests each look sent. `between[n]` runs after look n."""
    waits: list[float] = []
    per_look: list[int] = []
    between = between or {}

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        per_look.append(len(service.requests) - sum(per_look))
        if len(waits) in between:
            between[len(waits)]()
        if len(waits) >= looks:
            raise Enough

    events: list[CallEvent] = []
    with client_for(service, sleep=sleep) as client:
        with pytest.raises(Enough):
            for event in client.calls.watch(**options):
                events.append(event)
    return events, waits, per_look


# ----------------------------------------------------------------- when a call has ended


def test_a_call_gone_from_a_one_page_list_has_ended_without_asking_again() -> None:
    service = FakeService("A", "B")
    with client_for(service) as client:
        watcher = client.calls.watch()
        assert kinds(watcher.look()) == [("started", "A"), ("started", "B")]
        del service.active["A"]
        assert kinds(watcher.look()) == [("ended", "A")]
    assert service.gets() == []  # one page is one answer: no GET needed


@pytest.mark.parametrize(
    "reply",
    [
        httpx.Response(503, json={"code": "503", "message": "down"}),
        httpx.Response(429, headers={"Retry-After": "5"}, json={"message": "throttled"}),
        httpx.ReadTimeout("the service is slow"),
        httpx.ConnectError("refused"),
        httpx.Response(200, content=b"<html>a proxy's page</html>"),
    ],
    ids=["503", "429", "timeout", "connection", "garbled"],
)
def test_a_failed_look_ends_no_call(reply: Reply) -> None:
    service = FakeService("A", "B")
    events, _, _ = run_looks(
        service,
        looks=3,
        between={1: lambda: (service.active.pop("A"), service.fault("list", reply))},
    )
    # Look 2 failed: nothing ended then; look 3 (a complete walk) ends A.
    assert kinds(events) == [("started", "A"), ("started", "B"), ("ended", "A")]


def test_a_failure_mid_walk_ends_none_of_the_calls_not_reached() -> None:
    service = FakeService("A", "B", "C", "D")
    with client_for(service) as client:
        watcher = client.calls.watch(page_size=2)
        assert len(list(watcher.look())) == 4
        del service.active["A"]
        service.after_page[1] = lambda: service.fault(
            "list", httpx.Response(502, json={"message": "bad gateway"})
        )
        with pytest.raises(ServerError):
            list(watcher.look())  # page 1 (B, C) read, page 2 failed
        assert {call["call_id"] for call in watcher.state["calls"]} == {"A", "B", "C", "D"}
        assert kinds(watcher.look()) == [("ended", "A")]


def test_a_walk_cut_short_ends_no_call() -> None:
    """Page 2 repeats page 1 and names a page 3: the walk's guard ends it, and the calls
    on the real page 2 are not taken for ended."""
    service = FakeService("A", "B", "C")
    with client_for(service) as client:
        watcher = client.calls.watch(page_size=2)
        assert len(list(watcher.look())) == 3
        service.page_override[2] = lambda page, size: {
            "calls": list(service.active.values())[:2],
            "current_page": 2,
            "pages": 3,
            "next_page_uri": service.uri(3, size),
        }
        assert list(watcher.look()) == []
    assert service.gets() == []
    assert len(watcher.state["calls"]) == 3


def test_a_call_that_shifted_to_a_page_already_read_is_asked_about_not_ended() -> None:
    """A ends while page 1 is read: B, C move up a page, so the walk never sees C."""
    service = FakeService("A", "B", "C", "D", "E")
    with client_for(service) as client:
        watcher = client.calls.watch(page_size=2)
        assert len(list(watcher.look())) == 5
        service.after_page[1] = lambda: service.active.pop("A")
        assert list(watcher.look()) == []  # C: missing from the walk, its GET answers 200
        assert service.gets() == ["C"]
        assert kinds(watcher.look()) == [("ended", "A")]  # A: missing, its GET answers 404
    assert service.gets() == ["C", "A"]


def test_a_missing_call_whose_get_fails_is_kept() -> None:
    service = FakeService("A", "B", "C")
    with client_for(service) as client:
        watcher = client.calls.watch(page_size=2)
        list(watcher.look())
        service.after_page[1] = lambda: service.active.pop("A")  # C shifts up, unseen
        service.fault("get", httpx.Response(503, json={"message": "down"}))
        with pytest.raises(ServerError):
            list(watcher.look())  # C's GET failed: no verdict
        assert "C" in {call["call_id"] for call in watcher.state["calls"]}
        assert kinds(watcher.look()) == [("ended", "A")]  # C listed again: no new start


def test_a_filtered_watch_asks_before_ending_a_call_that_left_the_filter() -> None:
    """With extension=, a call transferred away drops out of the list but goes on."""
    service = FakeService("A")
    with client_for(service) as client:
        watcher = client.calls.watch(extension="1001")
        assert kinds(watcher.look()) == [("started", "A")]
        service.page_override[1] = lambda page, size: {"calls": [], "current_page": 1, "pages": 1}
        assert list(watcher.look()) == []  # its GET answers 200: not ended
        del service.active["A"]
        assert kinds(watcher.look()) == [("ended", "A")]
    assert service.gets() == ["A", "A"]
    assert "extension=1001" in str(service.requests[0].url)


def test_a_call_listed_twice_in_one_walk_starts_once() -> None:
    """Z is placed ahead of the others while page 1 is read: B shows on page 2 as well."""
    service = FakeService("A", "B", "C")

    def place_z_first() -> None:
        service.active = {"Z": a_call("Z"), **service.active}

    with client_for(service) as client:
        watcher = client.calls.watch(page_size=2)
        service.after_page[1] = place_z_first
        assert kinds(watcher.look()) == [("started", "A"), ("started", "B"), ("started", "C")]
        assert kinds(watcher.look()) == [("started", "Z")]


# ----------------------------------------------------------------- order, no repeats


def test_the_events_of_a_call_come_once_each_and_in_order() -> None:
    service = FakeService("A", "B", "C", "D")
    service.active["A"] = a_call("A", "ringing")

    def steps() -> Iterator[Callable[[], None]]:
        yield lambda: service.active.update(A=a_call("A", "on-call"))
        yield lambda: service.after_page.update({1: lambda: service.active.pop("B")})
        yield lambda: service.active.pop("A")
        # A list that lags a 404: A is listed again after its end.
        yield lambda: service.active.update(A=a_call("A", "on-call"))
        yield lambda: service.active.pop("A")

    events, _, _ = run_looks(
        service, looks=6, between=dict(enumerate(steps(), start=1)), page_size=2
    )
    by_call: dict[str, list[str]] = {}
    for event in events:
        by_call.setdefault(event.call_id, []).append(event.type)
    assert by_call["A"] == ["started", "changed", "ended"]
    assert by_call["B"] == ["started", "ended"]
    assert by_call["C"] == by_call["D"] == ["started"]
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert all(e.at.tzinfo is UTC for e in events)


def test_a_call_seen_by_one_look_and_gone_by_the_next_starts_and_ends() -> None:
    service = FakeService()
    events, _, _ = run_looks(
        service,
        looks=3,
        between={
            1: lambda: service.active.update(Q=a_call("Q", "ringing")),
            2: lambda: service.active.pop("Q"),
        },
    )
    assert kinds(events) == [("started", "Q"), ("ended", "Q")]
    assert events[1].call.status == "ringing"  # `ended` carries the last state seen


# ----------------------------------------------------------------- what a change says


def test_changed_says_what_moved_with_before_and_after_as_plain_data() -> None:
    service = FakeService("A")
    with client_for(service) as client:
        watcher = client.calls.watch()
        list(watcher.look())
        call = a_call("A")
        call["legs"][0]["status"] = "held"  # hold, as a service that shows it spells it
        call["legs"][1] = leg("A", "A-c", 1003, "ringing")
        call["status"] = "ringing"
        service.active["A"] = call
        [event] = watcher.look()
    assert event.type == "changed"
    moved = [change.to_dict() for change in event.changes]
    assert {"what": "status", "leg_id": None, "before": "on-call", "after": "ringing"} in moved
    assert {"what": "leg_status", "leg_id": "A-a", "before": "on-call", "after": "held"} in moved
    assert {"what": "hold", "leg_id": "A-a", "before": False, "after": True} in moved
    assert {"what": "transfer", "leg_id": None, "before": ["15551234567"], "after": ["1003"]} in (
        moved
    )
    removed = next(c for c in moved if c["what"] == "leg_removed")
    added = next(c for c in moved if c["what"] == "leg_added")
    assert (removed["before"]["leg_id"], removed["after"]) == ("A-b", None)
    assert (added["before"], added["after"]["status"]) == (None, "ringing")
    line = json.loads(json.dumps(event.to_dict()))
    assert line["type"] == "changed" and line["call"]["status"] == "ringing"
    assert line["at"].endswith("+00:00")


def test_nothing_that_matters_moved_gives_no_event() -> None:
    service = FakeService("A")
    with client_for(service) as client:
        watcher = client.calls.watch()
        list(watcher.look())
        service.active["A"] = a_call("A", unknown_counter=7)
        assert list(watcher.look()) == []
        del service.active["A"]
        [ended] = watcher.look()
    assert ended.call.additional_properties["unknown_counter"] == 7  # the last state seen


# ----------------------------------------------------------------- the pace


def test_retry_after_is_honoured_and_a_look_that_works_returns_to_the_interval(
    caplog: pytest.LogCaptureFixture,
) -> None:
    service = FakeService("A")
    throttled = httpx.Response(429, headers={"Retry-After": "30"}, json={"message": "quota"})
    caplog.set_level(logging.INFO, logger="vbc_telephony")
    _, waits, per_look = run_looks(
        service, looks=3, between={1: lambda: service.fault("list", throttled)}
    )
    assert waits[0] == 2.0 and waits[1] >= 30.0 and waits[2] == 2.0
    assert per_look == [1, 1, 1]  # the 429 was not retried inside the look
    lines = [r.getMessage() for r in caplog.records if r.name == "vbc_telephony"]
    assert any("429" in line and "Retry-After: 30 s" in line for line in lines)
    assert any("looking every 2 s again" in line for line in lines)


def test_errors_back_off_with_jitter_up_to_the_cap_one_request_each(
    caplog: pytest.LogCaptureFixture,
) -> None:
    service = FakeService("A")
    for _ in range(12):
        service.fault("list", httpx.Response(503, json={"message": "down"}))
    caplog.set_level(logging.INFO, logger="vbc_telephony")
    _, waits, per_look = run_looks(service, looks=13, interval=1.0, max_backoff=60.0)
    failed = waits[:12]
    for n, wait in enumerate(failed, start=1):
        flat = min(60.0, 2.0**n)
        assert flat / 2 <= wait <= flat
    assert len(set(failed[-6:])) == 6  # jittered, not in step with other watchers
    assert waits[12] == 1.0  # recovered
    assert per_look == [1] * 13  # one request per failed look: no retries multiplied
    backoffs = [r for r in caplog.records if "in a row failed" in r.getMessage()]
    assert len(backoffs) == 12 and all(r.levelno == logging.INFO for r in backoffs)


def test_requests_per_minute_spaces_the_looks_by_what_each_costs() -> None:
    service = FakeService(*"ABCDE")
    _, waits, per_look = run_looks(service, looks=2, page_size=2, requests_per_minute=10)
    assert per_look == [3, 3]
    assert waits == [18.0, 18.0]  # 3 requests at 10 a minute


def test_an_error_that_waiting_cannot_cure_is_raised() -> None:
    service = FakeService("A")
    service.fault("list", httpx.Response(401, json={"code": 401, "message": "bad token"}))
    with client_for(service) as client, pytest.raises(AuthenticationError):
        next(iter(client.calls.watch()))


@pytest.mark.parametrize(
    "options",
    [
        {"interval": float("nan")},
        {"interval": 0},
        {"interval": float("inf")},
        {"max_backoff": -1},
        {"page_size": 0},
        {"page_size": 10**9},
        {"requests_per_minute": float("nan")},
    ],
)
def test_options_out_of_bounds_are_refused(options: dict[str, Any]) -> None:
    with client_for(FakeService()) as client, pytest.raises(ValueError):
        client.calls.watch(**options)


# ----------------------------------------------------------------- resuming


def test_a_resumed_watcher_reports_only_what_happened_while_it_was_down() -> None:
    service = FakeService("A", "B", "C")
    with client_for(service) as client:
        first = client.calls.watch()
        list(first.look())
        saved = json.loads(json.dumps(first.state))
        # Down a while: A ends, B is answered elsewhere, D starts.
        del service.active["A"]
        service.active["B"] = a_call("B", "ringing")
        service.active["D"] = a_call("D")
        resumed = client.calls.watch(state=saved)
        events = list(resumed.look())
    assert kinds(events) == [("changed", "B"), ("started", "D"), ("ended", "A")]
    assert events[2].call.status == "on-call"  # A's last state seen, from the state


def test_a_state_taken_between_events_resumes_with_no_repeat_and_no_gap() -> None:
    service = FakeService("A", "B", "C")
    with client_for(service) as client:
        first = client.calls.watch()
        events = first.look()
        assert kinds([next(events)]) == [("started", "A")]
        saved = json.loads(json.dumps(first.state))
        resumed = client.calls.watch(state=saved)
        assert kinds(resumed.look()) == [("started", "B"), ("started", "C")]


def test_a_state_from_another_account_or_filter_or_garbage_is_refused() -> None:
    with client_for(FakeService("A")) as client:
        watcher = client.calls.watch()
        list(watcher.look())
        state = watcher.state
        with pytest.raises(StateError, match="extension"):
            client.calls.watch(state=state, extension="1001")
        for bad in [{}, {**state, "version": 99}, {**state, "calls": [{"no": "id"}]}, []]:
            with pytest.raises(StateError):
                client.calls.watch(state=bad)  # type: ignore[arg-type]


def test_an_event_taken_back_is_reported_again_by_a_resumed_watcher() -> None:
    """A consumer that could not handle the latest event (its write failed) takes it back."""
    service = FakeService("A")
    with client_for(service) as client:
        watcher = client.calls.watch()
        [started] = watcher.look()
        watcher.take_back(started)
        with pytest.raises(ValueError):
            watcher.take_back(started)  # once, and only the latest
        assert kinds(client.calls.watch(state=watcher.state).look()) == [("started", "A")]
        [started] = watcher.look()
        service.active["A"] = a_call("A", "ringing")
        [changed] = watcher.look()
        watcher.take_back(changed)
        assert kinds(client.calls.watch(state=watcher.state).look()) == [("changed", "A")]
        list(watcher.look())
        del service.active["A"]
        [ended] = watcher.look()
        watcher.take_back(ended)
        assert kinds(client.calls.watch(state=watcher.state).look()) == [("ended", "A")]


@pytest.mark.parametrize(
    "item",
    [{"status": "ringing"}, {"call_id": ["a", "list"]}, {"call_id": ""}, "text", None],
    ids=["no-id", "list-id", "empty-id", "text", "null"],
)
def test_a_listed_call_without_a_usable_id_fails_the_look_and_ends_nothing(item: Any) -> None:
    service = FakeService("A")
    with client_for(service) as client:
        watcher = client.calls.watch()
        list(watcher.look())
        service.page_override[1] = lambda page, size: {"calls": [item], "pages": 1}
        with pytest.raises(APIResponseValidationError):
            list(watcher.look())
        assert kinds(watcher.look()) == []  # A is still followed, and still listed


# ----------------------------------------------------------------- bounded, once per look


def test_each_page_is_fetched_once_per_look() -> None:
    """The last page names itself as the next one, as the observed dialect does."""
    service = FakeService(*"ABCDEFG")
    last = service.page

    def naming_itself(page: int, size: int) -> dict[str, Any]:
        body = last(page, size)
        body["next_page_uri"] = body["next_page_uri"] or service.uri(page, size)
        return body

    service.page = naming_itself  # type: ignore[method-assign]
    _, _, per_look = run_looks(service, looks=3, page_size=3)
    assert per_look == [3, 3, 3]
    urls = [str(r.url) for r in service.requests[:3]]
    assert len(set(urls)) == 3


def test_what_a_watcher_keeps_is_bounded_by_the_calls_active_at_once() -> None:
    service = FakeService()
    with client_for(service) as client:
        watcher = client.calls.watch()
        for wave in range(30):
            service.active = {f"{wave}-{n}": a_call(f"{wave}-{n}") for n in range(100)}
            events = list(watcher.look())
            assert sum(e.type == "started" for e in events) == 100
            state = watcher.state
            assert len(state["calls"]) == 100
            assert len(state["ended"]) <= ENDED_MEMORY
    assert len(watcher.state["ended"]) == ENDED_MEMORY


# ----------------------------------------------------------------- the async twin


def test_the_async_watcher_follows_the_same_rules() -> None:
    service = FakeService("A", "B", "C")
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 1:
            service.after_page[1] = lambda: service.active.pop("A")
        if len(waits) == 3:
            raise Enough

    async def main() -> list[tuple[str, str]]:
        seen = []
        async with AsyncTelephony(
            account_id=1234,
            token="token",
            base_url=BASE,
            transport=httpx.MockTransport(service.handler),
            sleep=sleep,
        ) as client:
            try:
                async for event in client.calls.watch(page_size=2):
                    seen.append((event.type, event.call_id))
            except Enough:
                pass
        return seen

    assert asyncio.run(main()) == [
        ("started", "A"),
        ("started", "B"),
        ("started", "C"),
        ("ended", "A"),
    ]
    # Look 2 (two pages) asked about C, which shifted up; look 3 (one page) ended A.
    assert service.gets() == ["C"]
