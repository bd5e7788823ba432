"""`vbc_telephony.webhooks.verify()`: the 2018 test vector, both metadata policies, forged
deliveries refused, the event read as VIS sends it (milliseconds, string ids, states added
later), and hostile bodies refused with a clear error that never holds the key."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.fixtures.vis_evidence import EVENT_2018, SIGNATURE_2018, SIGNING_KEY_2018
from vbc_telephony import webhooks
from vbc_telephony.webhooks import InvalidDeliveryError, SignatureError, sign, verify

KEY = SIGNING_KEY_2018
VECTOR_DIGEST = SIGNATURE_2018
#: The 2018 page's event, keys in its order.
VECTOR = EVENT_2018
#: The 2018 page's delivery as printed: `" : "`, and its metadata spelled `metdata`.
VECTOR_DELIVERY = json.dumps(
    {
        "event": VECTOR,
        "metdata": {
            "signature": VECTOR_DIGEST,
            "webhookId": "7dc53df5-703e-49b3-8670-b1c468f47f1f",
            "deliveryId": "0debd31c-68e7-4d5a-be7e-52e8870ca4d6",
            "attempt": 1,
        },
    },
    indent=4,
    separators=(",", " : "),
).encode()


def hmac_hex(message: bytes, key: str = KEY) -> str:
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def body_policy(event_json: str, signature: str | None, **metadata: Any) -> bytes:
    """A BODY-policy delivery whose event is `event_json` exactly as written."""
    fields = {"deliveryId": "d-1", "attempt": 1, "webhookId": "w-1", **metadata}
    if signature is not None:
        fields["signature"] = signature
    return f'{{"event":{event_json},"metadata":{json.dumps(fields)}}}'.encode()


def test_the_2018_test_vector_reproduces_byte_for_byte() -> None:
    assert sign(VECTOR, KEY) == VECTOR_DIGEST
    delivery = verify(VECTOR_DELIVERY, {}, KEY)
    assert delivery.delivery_id == "0debd31c-68e7-4d5a-be7e-52e8870ca4d6"
    assert delivery.attempt == 1
    assert delivery.webhook_id == "7dc53df5-703e-49b3-8670-b1c468f47f1f"
    event = delivery.event
    assert (event.id, event.state, event.direction) == (VECTOR["id"], "ANSWERED", "OUTBOUND")
    assert event.duration == timedelta(milliseconds=2950)  # not 2950 seconds
    assert event.start_time == datetime(2018, 2, 15, 18, 58, 56, 194000, tzinfo=UTC)
    assert event.ended and event.answered


@pytest.mark.parametrize("name", ["X-VON-Signature", "x-von-signature", "X-Von-Signature"])
def test_the_header_policy_reads_its_headers_in_any_case(name: str) -> None:
    body = json.dumps({"event": VECTOR}).encode()
    headers = {name: VECTOR_DIGEST, "X-VON-DELIVERY-ID": "d-7", "x-von-attempt": "3"}
    delivery = verify(body, headers, KEY)
    assert (delivery.delivery_id, delivery.attempt) == ("d-7", 3)


def test_the_signature_covers_the_event_reserialised_never_the_raw_body() -> None:
    raw = json.dumps({"event": VECTOR}).encode()
    with pytest.raises(SignatureError, match="does not match"):
        verify(raw, {"X-VON-Signature": hmac_hex(raw)}, KEY)
    event_as_sent = json.dumps(VECTOR, separators=(",", ":")).encode()  # unsorted
    with pytest.raises(SignatureError, match="does not match"):
        verify(raw, {"X-VON-Signature": hmac_hex(event_as_sent)}, KEY)


@pytest.mark.parametrize(
    "signature",
    [VECTOR_DIGEST[:-1] + "0", VECTOR_DIGEST.upper()[:-1] + "0", sign(VECTOR, "another-key")],
)
def test_a_wrong_signature_is_refused(signature: str) -> None:
    body = body_policy(json.dumps(VECTOR), signature)
    with pytest.raises(SignatureError, match="does not match"):
        verify(body, {}, KEY)


def test_an_unsigned_delivery_is_refused() -> None:
    with pytest.raises(SignatureError, match="not signed"):
        verify(body_policy(json.dumps(VECTOR), None), {"X-VON-Delivery-Id": "d"}, KEY)


def test_a_tampered_event_is_refused() -> None:
    tampered = json.dumps({**VECTOR, "duration": 1})
    with pytest.raises(SignatureError):
        verify(body_policy(tampered, VECTOR_DIGEST), {}, KEY)


def test_ids_are_strings_whatever_arrived_and_unknown_states_are_kept() -> None:
    event = (
        '{"id":123456789012,"userId":24785,"accountId":376,"state":"TRANSFERRING",'
        '"duration":0,"callerId":"Ana Pérez","phoneNumber":"15555550123"}'
    )
    canonical = (
        '{"accountId":376,"callerId":"Ana Pérez","duration":0,"id":123456789012,'
        '"phoneNumber":"15555550123","state":"TRANSFERRING","userId":24785}'
    )
    delivery = verify(body_policy(event, hmac_hex(canonical.encode())), {}, KEY)
    read = delivery.event
    assert (read.id, read.user_id, read.account_id) == ("123456789012", "24785", "376")
    assert read.state == "TRANSFERRING" and not read.ended and not read.answered
    assert read.caller_id == "Ana Pérez"
    assert read.data["userId"] == 24785


def test_non_ascii_is_signed_as_utf8_as_the_vendors_java_service_writes_it() -> None:
    event = {"id": "1", "state": "RINGING", "callerId": "José Müller"}
    utf8 = '{"callerId":"José Müller","id":"1","state":"RINGING"}'.encode()
    assert sign(event, KEY) == hmac_hex(utf8)
    escaped = json.dumps(event, sort_keys=True, separators=(",", ":")).encode()  # \u00e9
    body = body_policy(json.dumps(event), hmac_hex(escaped))
    with pytest.raises(SignatureError):
        verify(body, {}, KEY)


def test_numbers_are_signed_as_they_arrived() -> None:
    event = '{"id":"1","state":"ANSWERED","duration":2.95e3}'
    signed = hmac_hex(b'{"duration":2.95e3,"id":"1","state":"ANSWERED"}')
    delivery = verify(body_policy(event, signed), {}, KEY)
    assert delivery.event.duration == timedelta(seconds=2.95)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "not JSON"),
        (b"\xff\xfe\x00", "not JSON"),
        (b'{"event": {"id": "1", "duration": NaN}}', "not JSON"),
        (b'{"event": {"id": "1", "id": "2"}}', "not JSON"),
        (b"[" * 20000 + b"]" * 20000, "not JSON"),
        (b'{"event": {"id": "\\ud800", "state": "RINGING"}}', "not Unicode"),
        (b'{"event": "RINGING"}', "no `event` object"),
        (b"[1, 2]", "no `event` object"),
        (b" " * (webhooks.MAX_DELIVERY_BYTES + 1), "larger than"),
    ],
)
def test_an_unreadable_body_is_refused_with_a_clear_error(body: bytes, message: str) -> None:
    with pytest.raises(SignatureError, match=message) as raised:
        verify(body, {"X-VON-Signature": "0" * 64}, KEY)
    assert KEY not in str(raised.value)


@pytest.mark.parametrize(
    ("event", "metadata", "message"),
    [
        ('{"id":"1","state":"ANSWERED","duration":1e400}', {}, "duration"),
        ('{"id":"1","state":"ANSWERED","duration":-5}', {}, "duration"),
        ('{"id":"1","state":"ANSWERED","duration":"73s"}', {}, "duration"),
        ('{"id":"1","state":"ANSWERED","duration":true}', {}, "duration"),
        ('{"id":"1","state":"RINGING"}', {"attempt": 10**30}, "attempt"),
        ('{"id":"1","state":"RINGING"}', {"attempt": -1}, "attempt"),
        ('{"id":"1","state":"RINGING"}', {"attempt": 1.5}, "attempt"),
        ('{"id":["1"],"state":"RINGING"}', {}, "`id`"),
        ('{"id":"1"}', {}, "no `id` or no `state`"),
    ],
)
def test_a_signed_event_with_unreadable_fields_is_a_clear_error(
    event: str, metadata: dict[str, Any], message: str
) -> None:
    # Signed as verify() reads it: numbers as their text.
    signature = hmac_hex(webhooks.canonical(*webhooks.parsed(event.encode())).encode())
    with pytest.raises(InvalidDeliveryError, match=message) as raised:
        verify(body_policy(event, signature, **metadata), {}, KEY)
    assert not isinstance(raised.value, SignatureError)
    assert KEY not in str(raised.value)


def test_the_key_is_in_no_repr_and_an_empty_key_is_a_mistake() -> None:
    delivery = verify(VECTOR_DELIVERY, {}, KEY)
    assert KEY not in repr(delivery)
    with pytest.raises(ValueError, match="signing key"):
        verify(VECTOR_DELIVERY, {}, "")
