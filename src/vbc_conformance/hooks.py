"""schemathesis hooks (loaded through schemathesis.toml): the live-target guard, drift
recording, and judging a live target without our assumptions; loading this also registers
vbc-conformance's own checks (`checks`). Check results come from schemathesis' own report.

The run's settings arrive once, typed (`settings.RunSettings`). Without them the guard
assumes the worst: a live target, read-only.
"""

from __future__ import annotations

import functools
import json
import threading
from pathlib import Path
from typing import Any, TextIO

import attrs
import schemathesis

from vbc_conformance import checks as checks  # registers the checks it defines
from vbc_conformance.apis import APIS, api_of
from vbc_conformance.assumptions import (
    JUDGED_ON_SCHEMA,
    request_is_documented,
    response_is_documented,
)
from vbc_conformance.drift import DriftFinder
from vbc_conformance.safety import Guard, legs_of
from vbc_conformance.target import SETTINGS, body_of, operation_id

#: Per API (Telephony, VIS), what an answer shows beyond pass or fail.
FINDERS = {api.name: DriftFinder(api.document) for api in APIS}
GUARD = Guard(live=SETTINGS.live, writes=SETTINGS.writes, allowed=SETTINGS.dial_allow)

#: Calls this run saw end as a documented side effect: dropping a leg ends a call left with
#: one party, and an attended transfer ends the call its target leg left. schemathesis only
#: knows that a DELETE removes the paths below it, so a later 404 on such a call would read
#: as a created resource gone missing.
ENDED_BY_CASCADE: set[str] = set()
#: Which call each leg seen so far belongs to.
CALL_OF_LEG: dict[str, str] = {}
_write_lock = threading.Lock()


def record(event: dict[str, Any]) -> None:
    """Append one event for the vbc-conformance report (only when it asked for them)."""
    if SETTINGS.events_dir is None:
        return
    line = json.dumps(event) + "\n"
    with _write_lock:
        events_file(SETTINGS.events_dir).write(line)


@functools.cache
def events_file(events_dir: Path) -> TextIO:
    """The run's events file, opened once (each answer records several events), written a
    line at a time so that it is whole whenever the report reads it."""
    return (events_dir / "events.jsonl").open("a", encoding="utf-8", buffering=1)


@schemathesis.hook
def before_call(
    context: schemathesis.HookContext, case: schemathesis.Case[Any], kwargs: dict[str, Any]
) -> None:
    case.body = GUARD.check(case.method, operation_id(case), case.path_parameters, case.body)


@schemathesis.hook
def after_call(
    context: schemathesis.HookContext, case: schemathesis.Case[Any], response: schemathesis.Response
) -> None:
    if case.method.upper() != case.operation.method.upper():
        return  # a probe with an undeclared method: unsupported_method judges those
    body = body_of(response)
    GUARD.saw(operation_id(case), response.status_code, body)
    note_cascades(operation_id(case), case, response.status_code, body)
    content_type = response.headers.get("content-type", [None])[0]
    found = FINDERS[api_of(case.operation).name].observe(
        case.method,
        case.operation.path,
        response.status_code,
        content_type,
        body if isinstance(body, dict | list) else None,
        has_body=bool(response.content),
    )
    for drift in found.drift:
        record({"event": "drift", **attrs.asdict(drift)})
    for form in found.forms:
        record({"event": "form", **attrs.asdict(form)})
    for advisory in found.advisories:
        record({"event": "advisory", **attrs.asdict(advisory)})


def note_cascades(operation: str, case: schemathesis.Case[Any], status: int, body: Any) -> None:
    if not 200 <= status < 300:
        return
    calls = body.get("calls", [body]) if isinstance(body, dict) else []
    legs = body if isinstance(body, list) else [leg for call in calls for leg in legs_of(call)]
    for leg in legs:
        if isinstance(leg, dict) and "leg_id" in leg and "call_id" in leg:
            CALL_OF_LEG[str(leg["leg_id"])] = str(leg["call_id"])
    call_id = str(case.path_parameters.get("call_id", ""))
    if operation == "delete_call_leg":
        ENDED_BY_CASCADE.add(call_id)
    elif operation == "update_call_leg" and isinstance(case.body, dict):
        target = case.body.get("to")
        if isinstance(target, dict) and target.get("type") == "leg":
            ENDED_BY_CASCADE.add(CALL_OF_LEG.get(str(target.get("destination")), ""))


@schemathesis.hook
def filter_failure(
    context: schemathesis.HookContext,
    failure: Any,
    case: schemathesis.Case[Any],
    response: schemathesis.Response,
) -> bool:
    """Keep every failure but "created resource not found" on a call that ended by cascade,
    and, on a live target, one that only this project's assumed limits cause (recorded as an
    advisory instead)."""
    name = type(failure).__name__
    if name == "EnsureResourceAvailability":
        return str(case.path_parameters.get("call_id", "")) not in ENDED_BY_CASCADE
    if GUARD.live and name in JUDGED_ON_SCHEMA and only_assumed(name, case, response):
        record(
            {
                "event": "advisory",
                "operation": f"{case.method.upper()} {case.operation.path}",
                "where": "request" if name == "AcceptedNegativeData" else "response",
                "keyword": "limits",
                "value": f"{failure.title}: {case.formatted_path} {case.query or ''}"[:200],
            }
        )
        return False
    return True


def only_assumed(name: str, case: schemathesis.Case[Any], response: schemathesis.Response) -> bool:
    """Whether a schema-judged failure disappears once our assumptions are set aside."""
    path, method, source = case.operation.path, case.operation.method, api_of(case.operation).spec
    if name == "AcceptedNegativeData":
        return request_is_documented(path, method, case, source)
    headers = {key.lower(): values[0] for key, values in response.headers.items() if values}
    status, body = response.status_code, body_of(response)
    return response_is_documented(path, method, status, body, headers, source)
