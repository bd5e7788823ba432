"""One view of a call and its legs, whichever form the service sent (see `Call` in
openapi.yaml): the documented one (`from`, `to`, `legs`, epoch seconds) or the one observed
in live traffic (`from_number`, `to_name`, `leg_map`, microsecond strings, "0" for unset).
Users read `call.from_`, `call.legs`, `call.start_time` and never branch on the form.

A view wraps the generated model and reads it on access, so building one costs next to
nothing on a 100-call page; `.model` is the generated model as parsed.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from vbc_telephony_api.models import Call as CallModel
from vbc_telephony_api.models import CallLeg as CallLegModel
from vbc_telephony_api.models import CallStatus, Direction
from vbc_telephony_api.types import Unset

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: Microseconds in one unit of an epoch number with this many digits at most: seconds up to
#: the year 5138, then milliseconds, microseconds and nanoseconds (a width, not a size, tells
#: them apart, as the live-tested clients read them).
SCALES = ((11, 1_000_000), (14, 1_000), (17, 1))
#: The widest epoch number read from a string: nanoseconds until the year 2286.
EPOCH_DIGITS = 19


def as_datetime(value: Any) -> datetime | None:
    """A timezone-aware UTC datetime for an epoch number in s, ms, µs or ns (a number or a
    decimal string) or an ISO 8601 string; None for unset, 0, "0" and what cannot be read."""
    if isinstance(value, bool) or value is None or isinstance(value, Unset):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit()):
            return iso_datetime(text)
        if len(text) > EPOCH_DIGITS:
            return None  # no time; and past 4300 digits int() itself refuses
        value = int(text)
    if not isinstance(value, int | float) or value <= 0:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None  # (an int is never NaN, and may be too wide for a float)
    digits = len(str(int(value)))
    micros = next((scale for width, scale in SCALES if digits <= width), None)
    try:
        return EPOCH + timedelta(
            microseconds=value * micros if micros is not None else value / 1000
        )
    except (OverflowError, ValueError):
        return None


def iso_datetime(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    # The Reports API writes UTC without saying so; assume the same of any zoneless time.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # year 1 at +14:00 is before any UTC datetime
        return None


def as_text(value: Any) -> str | None:
    """A number or name as a string (documented examples send integers), None when unset."""
    if value is None or isinstance(value, Unset):
        return None
    return value if isinstance(value, str) else str(value)


def first_set(*values: Any) -> Any:
    return next((value for value in values if not isinstance(value, Unset)), None)


def direction_of(value: Direction | Unset) -> Direction | None:
    """inbound or outbound in any case (a live-tested client reads it case-blind); any other
    value is kept as it came."""
    if isinstance(value, Unset):
        return None
    lower = value.value.lower()
    return Direction.from_value(lower) if lower in ("inbound", "outbound") else value


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def status_of(value: CallStatus | Unset) -> CallStatus | None:
    return None if isinstance(value, Unset) else value


class View:
    """What a call and a leg both carry, read the same way from either dialect."""

    __slots__ = ("model",)
    model: CallModel | CallLegModel

    @property
    def status(self) -> CallStatus | None:
        return status_of(self.model.status)

    @property
    def direction(self) -> Direction | None:
        return direction_of(self.model.direction)

    @property
    def from_(self) -> str | None:
        """The calling number or extension."""
        return as_text(first_set(self.model.from_, self.model.from_number))

    @property
    def to(self) -> str | None:
        """The called number or extension."""
        return as_text(first_set(self.model.to, self.model.to_number))

    @property
    def from_name(self) -> str | None:
        return as_text(self.model.from_name)

    @property
    def to_name(self) -> str | None:
        return as_text(self.model.to_name)

    @property
    def start_time(self) -> datetime | None:
        return as_datetime(self.model.start_time)

    @property
    def end_time(self) -> datetime | None:
        return as_datetime(self.model.end_time)

    @property
    def additional_properties(self) -> dict[str, Any]:
        """Fields the spec does not describe, as they came."""
        return self.model.additional_properties

    def common(self) -> dict[str, Any]:
        return {
            "status": as_text(self.status),
            "direction": as_text(self.direction),
            "from": self.from_,
            "to": self.to,
            "from_name": self.from_name,
            "to_name": self.to_name,
            "start_time": iso(self.start_time),
            "end_time": iso(self.end_time),
        }

    def __eq__(self, other: object) -> bool:
        return isinstance(other, View) and type(other) is type(self) and other.model == self.model

    def __repr__(self) -> str:
        key = "leg_id" if isinstance(self.model, CallLegModel) else "call_id"
        return (
            f"{type(self).__name__}({key}={getattr(self.model, key)!r}, status={self.status!s},"
            f" from_={self.from_!r}, to={self.to!r})"
        )


class Leg(View):
    """One party of a call."""

    __slots__ = ()
    model: CallLegModel

    def __init__(self, model: CallLegModel) -> None:
        self.model = model

    @property
    def leg_id(self) -> str:
        return self.model.leg_id

    @property
    def call_id(self) -> str | None:
        return as_text(self.model.call_id)

    @property
    def extension(self) -> str | None:
        """The account's extension on this leg (a phone number on the outside leg), where
        the service says."""
        return as_text(self.model.extension)

    @property
    def device(self) -> str | None:
        """The device on this leg (`pstn` for the outside party), where the service says."""
        return as_text(self.model.device_id)

    @property
    def is_outside(self) -> bool:
        """Whether this leg is the outside (PSTN) party, where the service says."""
        return self.device == "pstn"

    @property
    def answer_time(self) -> datetime | None:
        return as_datetime(self.model.answer_time)

    def to_dict(self) -> dict[str, Any]:
        """This view as JSON-ready data, the same whichever form the service sent."""
        return {
            "leg_id": self.leg_id,
            "call_id": self.call_id,
            **self.common(),
            "extension": self.extension,
            "device": self.device,
            "answer_time": iso(self.answer_time),
        }

    def __hash__(self) -> int:
        return hash(self.leg_id)


class Call(View):
    """An active call: its parties, its state and its legs."""

    __slots__ = ()
    model: CallModel

    def __init__(self, model: CallModel) -> None:
        self.model = model

    @property
    def call_id(self) -> str:
        return self.model.call_id

    @property
    def account_id(self) -> str | None:
        return as_text(self.model.account_id)

    @property
    def flags(self) -> list[str]:
        flags = self.model.flags
        return [] if isinstance(flags, Unset) else list(flags)

    @property
    def legs(self) -> list[Leg]:
        """The parties, in the order the service listed them."""
        legs, leg_map = self.model.legs, self.model.leg_map
        if isinstance(legs, Unset):
            legs = [] if isinstance(leg_map, Unset) else [*leg_map.additional_properties.values()]
        return [Leg(leg) for leg in legs]

    def to_dict(self) -> dict[str, Any]:
        """This view as JSON-ready data, the same whichever form the service sent."""
        return {
            "call_id": self.call_id,
            "account_id": self.account_id,
            **self.common(),
            "flags": self.flags,
            "legs": [leg.to_dict() for leg in self.legs],
        }

    def __hash__(self) -> int:
        return hash(self.call_id)
