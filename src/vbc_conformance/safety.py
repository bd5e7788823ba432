"""The guard that makes the suite safe to point at a live phone system.

Read-only runs send GET requests only (anything else is refused before it leaves). Runs
with writes allowed dial only the parties given with --dial-allow and act only on calls
the run itself placed: every other call or leg id in a write is replaced by a fresh UUID,
which no system knows, so the request can do nothing.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from typing import Any

import attrs

#: Which party types each position of a request body accepts (see openapi.yaml).
CALLER_TYPES = frozenset({"extension", "device", "feature_code"})
PARTY_TYPES = frozenset({"extension", "device", "pstn", "feature_code"})
CONTACT_TYPES = frozenset({"extension", "device", "pstn"})


class SafetyViolation(RuntimeError):
    """A request the guard will not let leave."""


@attrs.frozen
class Party:
    type: str
    destination: str

    @classmethod
    def parse(cls, text: str) -> Party:
        """`pstn:15551234567`, `extension:1001`, or a bare number (a PSTN number)."""
        kind, _, destination = text.partition(":") if ":" in text else ("pstn", "", text)
        if kind not in PARTY_TYPES or not destination:
            raise ValueError(
                f"--dial-allow takes TYPE:DESTINATION with TYPE one of {sorted(PARTY_TYPES)}"
                f" (or a bare PSTN number), not {text!r}"
            )
        return cls(kind, destination)


def legs_of(call: dict[str, Any]) -> list[Any]:
    """A call's legs in either dialect: the documented `legs` or the observed `leg_map`."""
    legs = call.get("legs")
    if isinstance(legs, list):
        return legs
    leg_map = call.get("leg_map")
    return list(leg_map.values()) if isinstance(leg_map, dict) else []


@attrs.define
class Guard:
    live: bool
    writes: bool
    allowed: tuple[Party, ...] = ()
    _created_calls: set[str] = attrs.field(factory=set)
    _created_legs: set[str] = attrs.field(factory=set)
    _lock: threading.Lock = attrs.field(factory=threading.Lock)

    def check(
        self, method: str, operation_id: str, path_parameters: dict[str, Any], body: Any
    ) -> Any:
        """Pass, rewrite or refuse one request; returns the body to send."""
        if not self.live or method.upper() in ("GET", "HEAD", "OPTIONS"):
            return body
        if not self.writes:
            raise SafetyViolation(
                f"{method} refused: the target is live and writes are not allowed"
            )
        with self._lock:
            call_id = path_parameters.get("call_id")
            if call_id is not None and str(call_id) not in self._created_calls:
                path_parameters["call_id"] = str(uuid.uuid4())
            leg_id = path_parameters.get("leg_id")
            if leg_id is not None and str(leg_id) not in self._created_legs:
                path_parameters["leg_id"] = str(uuid.uuid4())
            return self.rewrite_parties(operation_id, body)

    def rewrite_parties(self, operation_id: str, body: Any) -> Any:
        if not isinstance(body, dict):
            return body
        body = dict(body)
        for key, value in body.items():
            if not (isinstance(value, dict) and "type" in value and "destination" in value):
                continue
            if value["type"] == "leg":
                if str(value["destination"]) not in self._created_legs:
                    body[key] = {**value, "destination": str(uuid.uuid4())}
                continue
            accepted = (
                CALLER_TYPES
                if (operation_id, key) == ("create_call", "from")
                else (PARTY_TYPES if operation_id == "create_call" else CONTACT_TYPES)
            )
            candidates = [p for p in self.allowed if p.type in accepted]
            if not candidates:
                raise SafetyViolation(
                    f"no --dial-allow party can stand in for {key!r} of {operation_id}"
                )
            pick = int(hashlib.sha256(repr(value).encode()).hexdigest(), 16) % len(candidates)
            body[key] = {"type": candidates[pick].type, "destination": candidates[pick].destination}
        return body

    def saw(self, operation_id: str, status: int, body: Any) -> None:
        """Learn which calls and legs this run owns from what the target answered."""
        if not 200 <= status < 300:
            return
        with self._lock:
            if operation_id == "create_call" and isinstance(body, str):
                self._created_calls.add(body.strip().strip('"'))
            legs: list[Any] = []
            if operation_id == "get_call" and isinstance(body, dict):
                if str(body.get("call_id")) in self._created_calls:
                    legs = legs_of(body)
            elif operation_id == "list_call_legs" and isinstance(body, list):
                legs = [leg for leg in body if str(leg.get("call_id")) in self._created_calls]
            for leg in legs:
                if isinstance(leg, dict) and "leg_id" in leg:
                    self._created_legs.add(str(leg["leg_id"]))
