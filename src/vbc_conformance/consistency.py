"""What an answer must agree with besides openapi.yaml: the request that got it, the other
answers about the same call, and what earlier answers said. schemathesis judges each answer
against the spec alone, and a server can pass that while contradicting itself: a call that
is not the one asked for, a leg its call does not carry, a call twice in one walk over the
pages, a start time that moves. These are the rules, without I/O; the checks that read what
they need are in `hooks`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from vbc_conformance.safety import legs_of
from vbc_telephony._views import as_datetime

#: The ids an answer to each operation repeats from its path (a call's or leg's own, and the
#: call of its legs).
OWN_IDS = {
    "get_call": ("call_id",),
    "update_call": ("call_id",),
    "delete_call": ("call_id",),
    "list_call_legs": ("call_id",),
    "get_call_leg": ("call_id", "leg_id"),
    "update_call_leg": ("call_id", "leg_id"),
}
#: What tells the items of a list apart.
ITEM_IDS = {"calls": "call_id", "devices": "mac_address"}
#: Start times remembered at most (a run that sees more stops remembering new ones).
MOST_REMEMBERED = 100_000


def ids_disagree(operation: str, asked: Mapping[str, Any], body: Any) -> str | None:
    """Where a successful answer names another call or leg than its request did."""
    names = OWN_IDS.get(operation, ())
    records = body if isinstance(body, list) else [body]
    if operation == "get_call" and isinstance(body, dict):
        records = [body, *legs_of(body)]  # the call's legs belong to it too
    for record in records:
        if not isinstance(record, dict):
            continue
        for name in names:
            if name in record and str(record[name]) != str(asked.get(name)):
                return f"asked for {name} {asked.get(name)!r}, the answer names {record[name]!r}"
    return None


def leg_ids(legs: Any) -> set[str]:
    return {
        str(leg["leg_id"])
        for leg in (legs if isinstance(legs, list) else [])
        if isinstance(leg, dict) and "leg_id" in leg
    }


def legs_disagree(listed: Any, call: Any, listed_again: Any) -> str | None:
    """Where `GET .../legs` and the call's own legs differ. The call is read between two
    listings, so a leg that joins or leaves between two reads is no disagreement: only a leg
    listed both times that the call lacks, or one the call has that neither listing has."""
    first, second = leg_ids(listed), leg_ids(listed_again)
    carried = leg_ids(legs_of(call)) if isinstance(call, dict) else set()
    hidden = sorted((first & second) - carried)
    if hidden:
        return f"GET .../legs lists leg {hidden[0]}, which the call's own legs lack"
    unlisted = sorted(carried - (first | second))
    if unlisted:
        return f"the call carries leg {unlisted[0]}, which GET .../legs does not list"
    return None


def items_of(page: Any) -> tuple[str, list[Any]] | None:
    """(the id field, the items) of a page of calls or devices."""
    for field, key in ITEM_IDS.items():
        if isinstance(page, dict) and isinstance(page.get(field), list):
            return key, page[field]
    return None


def repeated(seen: set[str], page: Any) -> str | None:
    """The first item of `page` already seen in this walk over the pages (then remembered)."""
    found = items_of(page)
    if found is None:
        return None
    key, items = found
    for item in items:
        if isinstance(item, dict) and key in item:
            value = str(item[key])
            if value in seen:
                return value
            seen.add(value)
    return None


def calls_and_legs(body: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """("call"|"leg", the record) for every call and leg in an answer."""
    if isinstance(body, list):
        for item in body:
            yield from calls_and_legs(item)
    elif isinstance(body, dict):
        if isinstance(body.get("calls"), list):
            yield from calls_and_legs(body["calls"])
        elif "leg_id" in body:
            yield "leg", body
        elif "call_id" in body:
            yield "call", body
            yield from calls_and_legs(legs_of(body))


def moment(record: Mapping[str, Any], field: str) -> datetime | None:
    return as_datetime(record.get(field))


class Timeline:
    """Start times seen so far: a call's or leg's start never moves, and within one record
    its start, answer and end come in that order where they are set."""

    def __init__(self) -> None:
        self.starts: dict[tuple[str, str], datetime] = {}

    def observe(self, body: Any) -> str | None:
        """What in `body` goes back in time, if anything (everything in it is remembered)."""
        for kind, record in calls_and_legs(body):
            own = str(record.get(f"{kind}_id"))
            start = moment(record, "start_time")
            order = [
                (field, at)
                for field in ("start_time", "answer_time", "end_time")
                if (at := moment(record, field)) is not None
            ]
            for (earlier, at), (later, then) in itertools.pairwise(order):
                if then < at:
                    return f"{kind} {own}: {later} {then.isoformat()} is before its {earlier}"
            if start is None:
                continue
            before = self.starts.get((kind, own))
            if before is None:
                if len(self.starts) < MOST_REMEMBERED:
                    self.starts[(kind, own)] = start
            elif start != before:
                return (
                    f"{kind} {own} started at {before.isoformat()}, and now at {start.isoformat()}"
                )
        return None
