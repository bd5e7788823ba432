"""Call events VIS (the Vonage Integration Suite) pushes to a webhook: `verify()` checks a
delivery's signature and reads it, `sign()` signs an event as Vonage does.

A delivery is a POST whose body is `{"event": {...}, "metadata": {...}}`. With a signing key
registered, Vonage signs the `event` object only: hex HMAC-SHA256 over it serialised as
compact JSON with its keys sorted, sent in the `X-VON-Signature` header (metadata policy
HEADER, with `X-VON-Delivery-Id`, `X-VON-Attempt`, `X-VON-Webhook-Id`) or in the body's
`metadata.signature` (policy BODY, with `deliveryId`, `attempt`, `webhookId`). A hash of the
raw body never matches. Nothing else is signed: a retry keeps its `deliveryId` with a higher
`attempt`, so deduplicate on `delivery_id`, and order a call's events by its state machine,
not by arrival (retries come 10 s apart).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from json.encoder import encode_basestring
from typing import Any

import attrs

from vbc_telephony._errors import InvalidDeliveryError, SignatureError
from vbc_telephony._views import as_datetime

__all__ = [
    "FINAL_STATES",
    "MAX_DELIVERY_BYTES",
    "STATES",
    "Delivery",
    "InvalidDeliveryError",
    "SignatureError",
    "VisCallEvent",
    "sign",
    "verify",
]

MAX_DELIVERY_BYTES = 64 * 1024
"""The largest body `verify()` reads: a delivery is under a kilobyte; a larger body is
refused (SignatureError) before it is parsed."""
STATES = (
    "INITIALIZING",
    "RINGING",
    "ACTIVE",
    "HELD",
    "REMOTE_HELD",
    "DETACHED",
    "REJECTED",
    "CANCELLED",
    "ANSWERED",
    "MISSED",
)
"""Every state VIS documents. Others may come: `VisCallEvent.state` keeps them as sent."""
FINAL_STATES = frozenset({"ANSWERED", "CANCELLED", "MISSED", "REJECTED"})
"""The states a call ends in and never leaves. ANSWERED is one: a call answered and over."""
#: States only an answered call is in.
ANSWERED_STATES = frozenset({"ACTIVE", "HELD", "REMOTE_HELD", "ANSWERED"})
#: The highest `attempt` read: Vonage retries at most 5 times.
MAX_ATTEMPT = 1000
#: The longest `duration` read, in milliseconds (a year); longer, negative or NaN is refused.
MAX_DURATION_MS = 366 * 24 * 3600 * 1000
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
#: Control characters JSON escapes as \u00XX (the others have short forms: \n, \t, ...).
CONTROL = re.compile(r"[\x00-\x07\x0b\x0e-\x1f]")
ESCAPES = re.compile(r"\\\\|\\u00[0-9a-f]{2}")
ASTRAL = re.compile("[\U00010000-\U0010ffff]")
SIGNATURE_HEADER = "x-von-signature"


class Number(str):
    """A JSON number as the text it arrived in: signed as sent (`2950.0` stays `2950.0`)."""

    __slots__ = ()


@attrs.frozen
class VisCallEvent:
    """One VIS call event, read tolerantly: ids as strings whatever JSON type arrived (the
    vendor's spec says int64, its examples send strings), `state` as sent (a state VIS adds
    later is kept, not an error), times as aware UTC datetimes, `duration` from milliseconds.
    `data` is the event as received, numbers as int or float (undocumented fields such as
    `internal` and `ucpType` included)."""

    id: str
    """The VIS id of the call (no Telephony API `call_id`: VIS documents no link)."""
    state: str
    """One of `STATES`, or a state VIS added since."""
    type: str | None = None
    direction: str | None = None
    """`INBOUND` or `OUTBOUND`."""
    external_id: str | None = None
    """The communications provider's id; Vonage says it is for information only."""
    user_id: str | None = None
    """The VIS user whose webhook this is (not an extension number)."""
    account_id: str | None = None
    uci_id: str | None = None
    phone_number: str | None = None
    """The remote party's number."""
    caller_id: str | None = None
    """The remote party's NAME (not a number, and not this user's line); outbound calls
    may have none."""
    duration: timedelta = timedelta(0)
    """How long the call lasted: sent in milliseconds, non-zero only in ANSWERED."""
    start_time: datetime | None = None
    answer_time: datetime | None = None
    end_time: datetime | None = None
    data: Mapping[str, Any] = attrs.field(factory=dict, repr=False, eq=False)

    @property
    def ended(self) -> bool:
        """The call is over: ANSWERED, CANCELLED, MISSED or REJECTED (final states)."""
        return self.state in FINAL_STATES

    @property
    def answered(self) -> bool:
        """Someone answered: ACTIVE, HELD, REMOTE_HELD, or ANSWERED (which means the
        answered call has ENDED, not that it was just picked up), or an `answerTime`."""
        return self.state in ANSWERED_STATES or self.answer_time is not None


@attrs.frozen
class Delivery:
    """A verified delivery: its event, and the metadata Vonage sent beside it (unsigned):
    `delivery_id`, the same on every retry of one delivery (deduplicate on it), `attempt`
    (1 first), `webhook_id`. Each is None when the delivery did not carry it."""

    event: VisCallEvent
    delivery_id: str | None = None
    attempt: int | None = None
    webhook_id: str | None = None


def sign(event: Mapping[str, Any], signing_key: str) -> str:
    """The hex HMAC-SHA256 Vonage sends for `event` (the `event` object of a delivery, not
    the delivery): over the event as compact JSON with sorted keys. Integers are written as
    Python writes them, floats as their `repr` (Vonage sends integers)."""
    key = signing_key_bytes(signing_key)
    try:
        message = canonical(event).encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("the event holds text that is not Unicode (a lone surrogate)") from None
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def verify(body: bytes, headers: Mapping[str, str], signing_key: str) -> Delivery:
    """The delivery in `body`, once its signature proves it came from Vonage.

    The signature is read from the `X-VON-Signature` header (metadata policy HEADER; header
    names in any case) or else from the body's `metadata.signature` (policy BODY), and
    compared in constant time with the HMAC of the `event` object re-serialised (`sign`),
    never of the raw body. `body` is the request's bytes as received, at most
    `MAX_DELIVERY_BYTES`; `headers` its headers (Starlette's, Flask's or a dict).

    Raises:
        SignatureError: the signature is missing or wrong, or the body cannot be checked
            (too large, not JSON, no `event` object). Answer it with 401 or 403.
        InvalidDeliveryError: the signature is right but a field cannot be read. Answer 4xx.
        ValueError: the signing key is empty (a mistake in the receiver, not the delivery).
    """
    key = signing_key_bytes(signing_key)
    if not isinstance(body, bytes | bytearray | memoryview):
        raise TypeError(f"body must be the request's bytes, not {type(body).__name__}")
    if len(body) > MAX_DELIVERY_BYTES:
        raise SignatureError(f"the delivery is larger than {MAX_DELIVERY_BYTES} bytes: not read")
    document, fractions = parsed(bytes(body))
    event = document.get("event") if isinstance(document, dict) else None
    if not isinstance(event, dict):
        raise SignatureError("not a delivery: no `event` object in the body")
    found = document.get("metadata", document.get("metdata"))  # the 2018 page's spelling too
    metadata: dict[str, Any] = found if isinstance(found, dict) else {}
    lowered = {str(name).lower(): value for name, value in headers.items()}
    signature = lowered.get(SIGNATURE_HEADER) or metadata.get("signature")
    if not isinstance(signature, str) or isinstance(signature, Number) or not signature:
        raise SignatureError(
            "the delivery is not signed: no X-VON-Signature header and no metadata.signature"
        )
    try:
        message = canonical(event, numbers_as_sent=fractions).encode("utf-8")
    except UnicodeEncodeError:
        raise SignatureError("the event holds text that is not Unicode: cannot check it") from None
    expected = hmac.new(key, message, hashlib.sha256).hexdigest()
    given = signature.strip().lower().encode("utf-8", "replace")
    if not hmac.compare_digest(expected.encode("ascii"), given):
        raise SignatureError("the signature does not match the event: refused")

    def said(header: str, field: str) -> Any:
        """Metadata from its header (policy HEADER), else from the body (policy BODY)."""
        return lowered.get(header, metadata.get(field))

    return Delivery(
        event=call_event(event, plain(event) if fractions else event),
        delivery_id=text(said("x-von-delivery-id", "deliveryId"), "deliveryId"),
        attempt=attempt(said("x-von-attempt", "attempt")),
        webhook_id=text(said("x-von-webhook-id", "webhookId"), "webhookId"),
    )


def signing_key_bytes(signing_key: str) -> bytes:
    if not isinstance(signing_key, str) or not signing_key:
        # Vonage signs nothing without a key: an empty one is a receiver's configuration slip.
        raise ValueError("the signing key must be a non-empty string (the one registered)")
    return signing_key.encode("utf-8")


def parsed(body: bytes) -> tuple[Any, bool]:
    """The body as JSON, and whether it holds a fraction or an exponent: such a number is
    kept as its text (`Number`), integers are exact anyway. NaN, Infinity and repeated keys
    are refused (a repeated key would let two readers of one body see two events)."""
    fractions: list[Number] = []

    def fraction(literal: str) -> Number:
        fractions.append(Number(literal))
        return fractions[-1]

    try:
        document = json.loads(
            body,
            parse_float=fraction,
            parse_constant=not_a_number,
            object_pairs_hook=unique_keys,
        )
    except RecursionError:
        raise SignatureError("the delivery is not JSON: nested too deeply") from None
    except ValueError as error:  # UnicodeDecodeError too
        raise SignatureError(f"the delivery is not JSON: {shown(str(error), 120)}") from None
    return document, bool(fractions)


def not_a_number(word: str) -> Any:
    raise ValueError(f"{word} is not a JSON number")


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise ValueError("an object repeats a key")
    return found


def canonical(value: Any, numbers_as_sent: bool = False) -> str:
    """`value` as compact JSON, object keys sorted, as the vendor's Java service writes it
    (Jackson's defaults, which the 2018 test vector matches): text as UTF-8 with no escape
    of non-ASCII (Jackson escapes it only when told to), control characters as `\\n`-style
    short escapes or uppercase `\\u00XX`; keys in Java's String order (UTF-16 code units);
    with `numbers_as_sent`, each `Number` as the text it arrived in.

    The standard library's encoder writes the same bytes, faster, unless a `Number` is in
    (it would quote it) or a key holds a character past U+FFFF (Java orders those as two
    UTF-16 units, Python as one code point): then it is written here."""
    if not numbers_as_sent:
        text = json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
        if not ASTRAL.search(text):
            return ESCAPES.sub(upper_hex, text) if "\\u00" in text else text
    parts: list[str] = []
    write(value, parts.append)
    return "".join(parts)


def write(value: Any, out: Callable[[str], object]) -> None:
    if isinstance(value, Number):
        out(str.__str__(value))
    elif isinstance(value, str):
        out(quoted(value))
    elif value is None or isinstance(value, bool):
        out("null" if value is None else "true" if value else "false")
    elif isinstance(value, int):
        out(int.__repr__(value))
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} has no JSON form")
        out(float.__repr__(value))
    elif isinstance(value, Mapping):
        out("{")
        for number, (name, item) in enumerate(sorted(value.items(), key=java_order)):
            if not isinstance(name, str):
                raise TypeError(f"an event's keys are strings, not {type(name).__name__}")
            out(f",{quoted(name)}:" if number else f"{quoted(name)}:")
            write(item, out)
        out("}")
    elif isinstance(value, list | tuple):
        out("[")
        for number, item in enumerate(value):
            if number:
                out(",")
            write(item, out)
        out("]")
    else:
        raise TypeError(f"{type(value).__name__} has no JSON form")


def java_order(item: tuple[Any, Any]) -> Any:
    name = item[0]
    return name.encode("utf-16-be") if isinstance(name, str) and not name.isascii() else name


def quoted(value: str) -> str:
    encoded: str = encode_basestring(value)
    if CONTROL.search(value):
        encoded = ESCAPES.sub(
            lambda m: m[0] if m[0] == "\\\\" else "\\u" + m[0][2:].upper(), encoded
        )
    return encoded


def upper_hex(escape: re.Match[str]) -> str:
    """Jackson's `\\u001F` for Python's `\\u001f`; an escaped backslash stays as it is."""
    return escape[0] if escape[0] == "\\\\" else "\\u" + escape[0][2:].upper()


def call_event(event: dict[str, Any], data: dict[str, Any]) -> VisCallEvent:
    """The typed view of a verified event; `data` is it with plain numbers."""
    call_id, state = text(event.get("id"), "id"), text(event.get("state"), "state")
    if call_id is None or state is None:
        raise InvalidDeliveryError("the event has no `id` or no `state`")
    return VisCallEvent(
        id=call_id,
        state=state,
        type=text(event.get("type"), "type"),
        direction=text(event.get("direction"), "direction"),
        external_id=text(event.get("externalId"), "externalId"),
        user_id=text(event.get("userId"), "userId"),
        account_id=text(event.get("accountId"), "accountId"),
        uci_id=text(event.get("uciId"), "uciId"),
        phone_number=text(event.get("phoneNumber"), "phoneNumber"),
        caller_id=text(event.get("callerId"), "callerId"),
        duration=duration(event.get("duration")),
        start_time=moment(event.get("startTime")),
        answer_time=moment(event.get("answerTime")),
        end_time=moment(event.get("endTime")),
        data=data,
    )


def text(value: Any, field: str) -> str | None:
    """A string field, or a number sent where a string was documented (ids), as text."""
    if value is None:
        return None
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise InvalidDeliveryError(f"`{field}` must be a string, not {type(value).__name__}")


def duration(value: Any) -> timedelta:
    """Milliseconds (a number, or digits in a string) as a timedelta; absent is 0."""
    if value is None:
        return timedelta(0)
    literal = value.strip() if isinstance(value, str) else integer_text(value)
    if literal is None or not NUMBER.fullmatch(literal):
        raise InvalidDeliveryError(f"`duration` must be milliseconds, not {shown(value)}")
    milliseconds = float(literal)  # too many digits: infinity, refused below
    if not 0 <= milliseconds <= MAX_DURATION_MS:
        raise InvalidDeliveryError(
            f"`duration` must be from 0 to {MAX_DURATION_MS} milliseconds, not {shown(value)}"
        )
    whole = literal.isdigit()  # exact for integers, which is what Vonage sends
    return timedelta(milliseconds=int(literal) if whole else milliseconds)


def attempt(value: Any) -> int | None:
    """The delivery's attempt (a header's text or a JSON number): a whole number from 0."""
    if value is None:
        return None
    literal = value.strip() if isinstance(value, str) else integer_text(value) or ""
    literal = literal if len(literal) <= len(str(MAX_ATTEMPT)) else "x"  # 400 digits: no int()
    if not (literal.isascii() and literal.isdigit() and int(literal) <= MAX_ATTEMPT):
        raise InvalidDeliveryError(
            f"`attempt` must be a whole number from 0 to {MAX_ATTEMPT}, not {shown(value)}"
        )
    return int(literal)


def integer_text(value: Any) -> str | None:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else None


def moment(value: Any) -> datetime | None:
    """An ISO time (`2018-02-15T18:58:56.194+0000`, `...Z`, `...+00:00`) as aware UTC; None
    when absent or unreadable, as the SDK reads every time."""
    return as_datetime(value) if isinstance(value, str) else None


def plain(value: Any) -> Any:
    """Parsed JSON with its fractions (`Number`) as floats again."""
    if isinstance(value, Number):
        return float(value)
    if isinstance(value, dict):
        return {name: plain(item) for name, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def shown(value: Any, most: int = 40) -> str:
    """A value for an error message: its repr, cut short (bodies are attacker-written)."""
    said = repr(value) if not isinstance(value, str) else repr(str.__str__(value))
    return said if len(said) <= most else said[: most - 3] + "..."
