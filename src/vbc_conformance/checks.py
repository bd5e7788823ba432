"""The checks vbc-conformance adds to schemathesis' own (registered on import, by `hooks`):
another account's token is refused, and answers agree with their requests and with each
other (the rules are in `consistency`). Each is named in the report like a built-in one."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import httpx
import requests
import schemathesis

from vbc_conformance import consistency
from vbc_conformance.target import SETTINGS, absolute, body_of, operation_id, read, succeeded
from vbc_telephony._pagination import PageWalk

#: The most pages one walk reads (a live-tested board stops at 20 too: pbekas/RPS_Tools).
MOST_PAGES = 20
#: How often one call's legs are compared with it (each time reads twice more).
LEG_COMPARISONS_PER_CALL = 3
LEG_COMPARISONS: dict[str, int] = {}
#: Walks in pages of one item each run may take, per list.
WALKS_IN_ONES = {"list_calls": 3, "list_devices": 3}
TIMELINE = consistency.Timeline()
_timeline_lock = threading.Lock()
_counts_lock = threading.Lock()


def judged(failure: str, problem: str | None) -> bool | None:
    """A check's verdict: the failure, naming the problem, where there is one."""
    if problem:
        raise AssertionError(f"{failure}: {problem}")
    return None


@schemathesis.check
def cross_account_isolation(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case[Any]
) -> bool | None:
    """The same request with another account's token must be refused and reveal nothing."""
    if not SETTINGS.other_token or not 200 <= response.status_code < 300:
        return None
    kwargs = case.as_transport_kwargs()
    kwargs["headers"] = {
        **(kwargs.get("headers") or {}),
        "Authorization": f"Bearer {SETTINGS.other_token}",
    }
    kwargs.setdefault("timeout", 10)
    other = requests.request(**kwargs)  # noqa: S113 (the timeout is in kwargs)
    if 200 <= other.status_code < 300:
        raise AssertionError(
            f"Another account's token got {other.status_code} for this account's"
            f" {case.method} {case.formatted_path}: cross-account access is not refused"
        )
    owned = [str(v) for k, v in case.path_parameters.items() if k != "account_id"]
    leaked = [value for value in owned if value and value in other.text]
    if leaked:
        raise AssertionError(f"The refusal ({other.status_code}) reveals {', '.join(leaked)}")
    return None


@schemathesis.check
def ids_match_request(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case[Any]
) -> bool | None:
    """A call or leg answered for is the one asked for (an id that changes between placing a
    call and reading it fails here)."""
    if not succeeded(case, response):
        return None
    asked = case.path_parameters or {}
    problem = consistency.ids_disagree(operation_id(case), asked, body_of(response))
    return judged("The answer is about another call or leg", problem)


@schemathesis.check
def legs_match_call(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case[Any]
) -> bool | None:
    """`GET .../legs` lists the legs the call itself carries (reads the call, and the legs
    again)."""
    if operation_id(case) != "list_call_legs" or not succeeded(case, response):
        return None
    call_id = str((case.path_parameters or {}).get("call_id"))
    with _counts_lock:
        compared = LEG_COMPARISONS.setdefault(call_id, 0)
        LEG_COMPARISONS[call_id] += 1
    if not SETTINGS.extra_reads or compared >= LEG_COMPARISONS_PER_CALL:
        return None
    legs_path = case.formatted_path
    call, again = read(legs_path.removesuffix("/legs")), read(legs_path)
    if call is None or again is None:
        return None  # the call ended in between: nothing to compare
    problem = consistency.legs_disagree(body_of(response), call, again)
    return judged("The call and its legs disagree", problem)


def walk(url: str, page: Any) -> str | None:
    """Follow `next_page_uri` from `page` (the answer to `url`): the first item met twice."""
    seen: set[str] = set()
    pager = PageWalk(absolute)
    for _ in range(MOST_PAGES):
        if not isinstance(page, dict):
            return None
        again = consistency.repeated(seen, page)
        if again:
            return again
        found = consistency.items_of(page)
        fields = ("current_page", "pages", "first_page_uri", "next_page_uri")
        counters = SimpleNamespace(**{field: page.get(field) for field in fields})
        key, items = found or ("", [])
        keys = [str(item.get(key)) if isinstance(item, dict) else repr(item) for item in items]
        next_url = pager.next_url(counters, url, keys)
        if next_url is None:
            return None
        page, url = read(next_url), next_url
    return None


@schemathesis.check
def pages_repeat_nothing(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case[Any]
) -> bool | None:
    """Walking a list by `next_page_uri` meets every item once: from this answer, and (a
    few times a run, where it lists two items or more) from the same request in pages of
    one, which needs no many items to reach a second page."""
    operation = operation_id(case)
    if operation not in ("list_calls", "list_devices") or not succeeded(case, response):
        return None
    if not SETTINGS.extra_reads:
        return None
    kwargs = case.as_transport_kwargs()
    params = {k: v for k, v in (kwargs.get("params") or {}).items() if k != "page"}
    url = str(httpx.URL(kwargs["url"], params=kwargs.get("params") or {}))
    again = walk(url, body_of(response))
    found = consistency.items_of(body_of(response))
    with _counts_lock:
        small = found is not None and len(found[1]) > 1 and WALKS_IN_ONES[operation] > 0
        if small:
            WALKS_IN_ONES[operation] -= 1
    if again is None and small:
        url = str(httpx.URL(kwargs["url"], params={**params, "page_size": 1}))
        again = walk(url, read(url))
    return judged("One walk over the pages lists an item twice", again)


@schemathesis.check
def times_move_forward(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case[Any]
) -> bool | None:
    """A call's or leg's start time stays what it was first read as, and its start, answer
    and end times come in that order."""
    if not succeeded(case, response):
        return None
    with _timeline_lock:
        problem = TIMELINE.observe(body_of(response))
    return judged("A time moved backwards", problem)
